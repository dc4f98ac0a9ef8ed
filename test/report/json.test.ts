import { describe, expect, it } from 'vitest';
import { toJson } from '../../src/report/json.js';

describe('toJson', () => {
  it('writes bigints past 2^53 as exact integer literals', () => {
    const text = toJson({ firstNs: 9007199254740993n, n: 1, s: '@big:0:0' });
    expect(text).toContain('"firstNs": 9007199254740993');
    expect(text).toContain('"s": "@big:0:0"');
    expect(JSON.parse(text).n).toBe(1);
  });
  it('writes NaN as null', () => {
    expect(JSON.parse(toJson({ x: NaN })).x).toBeNull();
  });
});
