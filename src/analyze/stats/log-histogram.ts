// A histogram on a logarithmic scale with quarter-decade bins (4 per power of ten: 1, 1.78, 3.16,
// 5.62, 10, ...), bounded in memory (one counter per occupied bin, a few dozen for any duration
// range) — what the report's log-scale distributions (exit durations, timer lateness) are drawn from.

export interface LogBin {
  /** Bin bounds [lo, hi), in the unit of the samples. */
  lo: number;
  hi: number;
  count: number;
}

export const BINS_PER_DECADE = 4;

/** Bin index of a positive value: floor(4·log10(v)) (the epsilon keeps exact powers of ten in their own bin). */
export function logBinOf(v: number): number {
  return Math.floor(BINS_PER_DECADE * Math.log10(v) + 1e-9);
}

/** Lower bound of bin k, rounded to 3 significant digits (bounds are labels, counts are exact). */
export function logBinLow(k: number): number {
  return Number((10 ** (k / BINS_PER_DECADE)).toPrecision(3));
}

/** 4·log10 of a positive finite double lies in [−1297, 1234]. */
const DENSE_LOW = -1300;
const DENSE_SIZE = 2540;

export class LogHistogram {
  /** Bins DENSE_LOW .. DENSE_LOW + DENSE_SIZE − 1 (every finite positive double) by index; others (Infinity) in `bins`. */
  private readonly dense = new Float64Array(DENSE_SIZE);
  private readonly bins = new Map<number, number>();
  /** Samples ≤ 0 (kept apart: a log scale has no place for them). */
  zeroOrLess = 0;
  count = 0;

  add(v: number): void {
    this.count++;
    if (!(v > 0)) {
      this.zeroOrLess++;
      return;
    }
    const k = logBinOf(v);
    const j = k - DENSE_LOW;
    if (j >= 0 && j < DENSE_SIZE) this.dense[j]++;
    else this.bins.set(k, (this.bins.get(k) ?? 0) + 1);
  }

  /** Occupied bins, smallest first. */
  list(): LogBin[] {
    const all: Array<[number, number]> = [...this.bins];
    for (let j = 0; j < DENSE_SIZE; j++) if (this.dense[j] !== 0) all.push([j + DENSE_LOW, this.dense[j]]);
    return all.sort((a, b) => a[0] - b[0]).map(([k, count]) => ({ lo: logBinLow(k), hi: logBinLow(k + 1), count }));
  }
}
