import { describe, expect, test } from 'vitest';
import { IMAGE_NAME, imageNameFor, PROVISIONER_NAME, VARIABLE_NAME, variableNameFor } from './names.js';

describe('IMAGE_NAME', () => {
  test.each(['base', 'consul', 'node-exporter', 'a1', 'a_b', 'a-b-c', 'x9'])('accepts %s', (name) => {
    expect(IMAGE_NAME.test(name)).toBe(true);
  });
  test.each(['Base', '1a', '-a', 'a-', 'a--b', 'a-_b', 'a.b', 'a b', 'a/b', '', 'ä'])('rejects %j', (name) => {
    expect(IMAGE_NAME.test(name)).toBe(false);
  });
});

describe('VARIABLE_NAME', () => {
  test.each(['PORT', '_x', 'a1', '__proto__'])('accepts %s', (name) => expect(VARIABLE_NAME.test(name)).toBe(true));
  test.each(['1A', 'my-var', 'a b', '', 'Ä'])('rejects %j', (name) => expect(VARIABLE_NAME.test(name)).toBe(false));
});

describe('PROVISIONER_NAME', () => {
  test.each(['consul', 'node-exporter', 'v1.2', '0x', 'a_b'])('accepts %s', (name) => expect(PROVISIONER_NAME.test(name)).toBe(true));
  test.each(['..', '../x', 'a..b', 'a/b', '/abs', '.hidden', '-x', 'a b', ''])('rejects %j', (name) =>
    expect(PROVISIONER_NAME.test(name)).toBe(false),
  );
});

describe('suggested names', () => {
  test.each([
    ['Cortex', 'cortex'],
    ['my.image', 'my-image'],
    ['a--b', 'a-b'],
    ['9lives', 'lives'],
    ['---', undefined],
    ['x'.repeat(70), 'x'.repeat(63)],
  ])('image %j → %j', (name, suggestion) => expect(imageNameFor(name)).toBe(suggestion));

  test.each([
    ['my-var', 'my_var'],
    ['9LIVES', '_9LIVES'],
    ['ok', undefined],
  ])('variable %j → %j', (name, suggestion) => expect(variableNameFor(name)).toBe(suggestion));
});
