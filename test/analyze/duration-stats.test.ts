import { describe, expect, it } from 'vitest';
import { DurationStats } from '../../src/analyze/stats/duration-stats.js';

describe('DurationStats', () => {
  it('gives exact nearest-rank percentiles for small sets', () => {
    const s = new DurationStats();
    for (const v of [50, 10, 40, 20, 30]) s.add(v);
    expect([s.quantile(0.5), s.quantile(0.9), s.quantile(0.2), s.quantile(1)]).toEqual([30, 50, 10, 50]);
    expect({ count: s.count, total: s.total, min: s.min, max: s.max }).toEqual({ count: 5, total: 150, min: 10, max: 50 });
  });

  it('stays within 1 % after switching to the histogram', () => {
    const s = new DurationStats();
    const n = 300_000;
    for (let i = 1; i <= n; i++) s.add(((i * 7919) % n) + 1); // 1..n shuffled
    expect(s.isExact).toBe(false);
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const truth = Math.ceil(q * n);
      expect(Math.abs(s.quantile(q) - truth) / truth).toBeLessThanOrEqual(0.01);
    }
    expect(s.quantile(1)).toBe(n);
    expect(s.count).toBe(n);
  });

  it('orders buckets kept outside the typed-array range (tiny and huge values) with the others', () => {
    const s = new DurationStats();
    for (let i = 0; i < 100_001; i++) s.add(1000);
    for (let i = 0; i < 50_000; i++) s.add(1e-12);
    for (let i = 0; i < 60_000; i++) s.add(1e40);
    expect(s.isExact).toBe(false);
    // 210,001 samples: ranks 1–50,000 tiny, 50,001–150,001 at 1000, the rest huge.
    expect(Math.abs(s.quantile(0.2) - 1e-12) / 1e-12).toBeLessThanOrEqual(0.01);
    expect(Math.abs(s.quantile(0.5) - 1000) / 1000).toBeLessThanOrEqual(0.01);
    expect(s.quantile(0.9)).toBe(1e40);
    expect(s.quantile(1)).toBe(1e40);
  });

  it('is empty-safe', () => {
    expect(new DurationStats().quantile(0.5)).toBeNaN();
  });
});
