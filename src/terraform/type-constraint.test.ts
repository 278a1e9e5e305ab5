import { describe, expect, it } from 'vitest';
import { conformanceProblems, formatType, parseTypeConstraint, type TypeConstraint } from './type-constraint.js';

function parsed(text: string): TypeConstraint {
  const result = parseTypeConstraint(text);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('parseTypeConstraint', () => {
  it.each([
    ['${string}', 'string'],
    ['${map(string)}', 'map(string)'],
    ['${map(map(string))}', 'map(map(string))'],
    ['${list(number)}', 'list(number)'],
    ['set(bool)', 'set(bool)'],
    ['${any}', 'any'],
    ['${tuple([string, number])}', 'tuple([string, number])'],
    ['${object({ min = number, max = number })}', 'object({min = number, max = number})'],
    [
      '${object({ consul = optional(string, "t3.small"), tags = optional(map(string), {}), n = optional(number) })}',
      'object({consul = optional(string), tags = optional(map(string)), n = optional(number)})',
    ],
    ['${object({ a = optional(list(string), ["x", ")"]) })}', 'object({a = optional(list(string))})'],
  ])('%s reads as %s', (text, formatted) => {
    expect(formatType(parsed(text))).toBe(formatted);
  });

  it.each([
    ['${strin}', 'cannot read type constraint "${strin}": unknown type "strin" at offset 0'],
    ['${map(string}', 'cannot read type constraint "${map(string}": expected ")" at offset 10, found the end'],
    ['${string string}', 'cannot read type constraint "${string string}": unexpected "string"'],
  ])('%s is refused', (text, message) => {
    expect(parseTypeConstraint(text)).toEqual({ ok: false, error: message });
  });
});

describe('conformanceProblems', () => {
  const images = parsed('map(string)');
  const amis = parsed('map(map(string))');
  const size = parsed('object({ min = number, max = number, desired = optional(number, 1) })');

  it.each<[string, unknown, TypeConstraint, string[]]>([
    ['a map of strings', { base: 'sha256:1' }, images, []],
    ['a nested map', { base: { 'eu-west-1': 'ami-1' } }, amis, []],
    ['numbers and bools convert to string', { a: 1, b: true }, images, []],
    ['a numeric string converts to number', { min: '1', max: 2 }, size, []],
    ['an array for a map', ['sha256:1'], images, ['images: expected map(string), got array']],
    ['an object for a string', { base: { id: 'x' } }, images, ['images["base"]: expected string, got object']],
    ['a string for a map of maps', { base: 'ami-1' }, amis, ['images["base"]: expected map(string), got string']],
    ['null inside a map', { base: null }, images, ['images["base"]: is null; expected string']],
    ['a missing attribute', { min: 1 }, size, ['images: attribute "max" is required']],
    [
      'an undeclared attribute',
      { min: 1, max: 2, mx: 3 },
      size,
      ['images: "mx" is not an attribute of object({min = number, max = number, desired = optional(number)})'],
    ],
    ['a word for a number', { min: 'one', max: 2 }, size, ['images.min: expected number, got string']],
  ])('%s', (_name, value, type, problems) => {
    expect(conformanceProblems(value, type, 'images')).toEqual(problems);
  });

  it('checks lists, sets and tuples element by element', () => {
    expect(conformanceProblems(['a', {}], parsed('list(string)'), 'x')).toEqual(['x[1]: expected string, got object']);
    expect(conformanceProblems(['true', 'no'], parsed('set(bool)'), 'x')).toEqual(['x[1]: expected bool, got string']);
    expect(conformanceProblems(['a'], parsed('tuple([string, number])'), 'x')).toEqual([
      'x: expected tuple([string, number]) (2 elements), got 1 elements',
    ]);
  });
});
