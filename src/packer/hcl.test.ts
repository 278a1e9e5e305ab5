import { describe, expect, it } from 'vitest';
import { hclLabel, hclString } from './hcl.js';

describe('hclString', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['${var.x}', '"$${var.x}"'],
    ['%{ if true }', '"%%{ if true }"'],
    ['{{.Image}}', '"{{.Image}}"'],
    ['two\nlines', '"two\\nlines"'],
    ['bell\u0007', '"bell\\u0007"'],
    ['ünï', '"ünï"'],
  ])('%j renders as %s', (value, expected) => {
    expect(hclString(value)).toBe(expected);
  });

  it('rejects labels that are not identifiers', () => {
    expect(() => hclLabel('a"b')).toThrow(/not an HCL identifier/);
    expect(hclLabel('node-exporter_1')).toBe('node-exporter_1');
  });
});
