import { expect, test } from 'vitest';
import type { Diagnostic } from './diagnostic.js';
import { sortDiagnostics } from './sort.js';

const at = (message: string, file?: string, line = 1, column = 1): Diagnostic => ({
  code: 'x',
  message,
  ...(file === undefined ? {} : { location: { file, line, column } }),
});

test('no location first, then files in --config order, then line and column; stable', () => {
  const ds = [
    at('b 2:1', 'b.yaml', 2, 1),
    at('a 3:5', 'a.yaml', 3, 5),
    at('a 3:2', 'a.yaml', 3, 2),
    at('stray', 'z.yaml'),
    at('no location 1'),
    at('a 3:2 again', 'a.yaml', 3, 2),
    at('b 1:9', 'b.yaml', 1, 9),
    at('no location 2'),
  ];
  expect(sortDiagnostics(ds, ['b.yaml', 'a.yaml']).map((d) => d.message)).toEqual([
    'no location 1',
    'no location 2',
    'b 1:9',
    'b 2:1',
    'a 3:2',
    'a 3:2 again',
    'a 3:5',
    'stray',
  ]);
});
