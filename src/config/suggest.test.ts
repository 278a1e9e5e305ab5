import { describe, expect, test } from 'vitest';
import { didYouMean, editDistance, unknownNameHint } from './suggest.js';

describe('editDistance', () => {
  test.each([
    ['base', 'base', 0],
    ['bsae', 'base', 1],
    ['bas', 'base', 1],
    ['imgaes', 'images', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['abc', '', 3],
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('didYouMean', () => {
  const images = ['base', 'consul', 'cortex', 'nginx', 'monitoring'];
  test.each([
    ['bsae', 'base'],
    ['Base', 'base'],
    ['consl', 'consul'],
    ['cortx', 'cortex'],
    ['ngnix', 'nginx'],
    ['monitor', undefined],
    ['web', undefined],
    ['x', undefined],
    ['base', undefined],
  ])('%s → %s', (word, expected) => {
    expect(didYouMean(word, images)).toBe(expected);
  });

  test('the first of equally close candidates wins', () => {
    expect(didYouMean('cat', ['bat', 'car'])).toBe('bat');
  });
});

describe('unknownNameHint', () => {
  test('suggestion then the list, or just the list', () => {
    expect(unknownNameHint('bsae', ['base', 'cortex'], 'images')).toBe('did you mean "base"? Known images: base, cortex');
    expect(unknownNameHint('web', ['base', 'cortex'], 'images')).toBe('known images: base, cortex');
    expect(unknownNameHint('web', [], 'images')).toBe('no images are defined');
  });
});
