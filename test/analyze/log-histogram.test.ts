// LogHistogram (src/analyze/stats/log-histogram.ts): quarter-decade bins, counted in a typed array
// over the whole finite double range and in a Map beyond it (Infinity), listed smallest first.
import { expect, it } from 'vitest';
import { exactBinOf, LogHistogram, logBinOf } from '../../src/analyze/stats/log-histogram.js';

it('bins by floor(4·log10 v), smallest first, zero and below apart', () => {
  const h = new LogHistogram();
  for (const v of [1, 1.5, 10, 9.99, 100, 1000, 999, 0, -5]) h.add(v);
  expect(h.count).toBe(9);
  expect(h.zeroOrLess).toBe(2);
  expect(h.list()).toEqual([
    { lo: 1, hi: 1.78, count: 2 },
    { lo: 5.62, hi: 10, count: 1 },
    { lo: 10, hi: 17.8, count: 1 },
    { lo: 100, hi: 178, count: 1 },
    { lo: 562, hi: 1000, count: 1 },
    { lo: 1000, hi: 1780, count: 1 },
  ]);
});

it('keeps the extremes of the double range and Infinity in order', () => {
  const h = new LogHistogram();
  for (const v of [Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 1, Infinity]) h.add(v);
  expect([logBinOf(Number.MIN_VALUE), logBinOf(Number.MAX_VALUE)]).toEqual([-1294, 1233]);
  const bins = h.list();
  expect(bins.map((b) => b.count)).toEqual([1, 1, 1, 2]);
  expect(bins[2].lo).toBe(1.78e308);
  expect(bins[3].lo).toBe(Infinity);
});

it('places values by comparisons exactly where floor(4·log10 v + 1e-9) does', () => {
  const values: number[] = [];
  for (let v = 1; v < 200_000; v++) values.push(v);
  // Around every bin edge of the fast range [1, 2^31): the values closest to it, on both sides.
  for (let k = 0; k <= 38; k++) {
    const edge = 10 ** ((k - 1e-9) / 4);
    for (let d = -300; d <= 300; d++) values.push(edge * (1 + d * 1e-14), Math.round(edge) + d, edge + d * 1e-7);
  }
  let seed = 99;
  for (let j = 0; j < 200_000; j++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    values.push(seed, seed / 3, 1 + (seed / 2 ** 32) * 9);
  }
  values.push(2 ** 31 - 1, 2 ** 31 - 0.5, 2 ** 31, 0.999999, 1e-300, 1e300);
  const wrong = values.filter((v) => v > 0 && logBinOf(v) !== exactBinOf(v));
  expect(wrong).toEqual([]);
  expect([logBinOf(1), logBinOf(10), logBinOf(9.999999), logBinOf(17.78), logBinOf(17.79), logBinOf(1e9)]).toEqual([0, 4, 3, 4, 5, 36]);
});
