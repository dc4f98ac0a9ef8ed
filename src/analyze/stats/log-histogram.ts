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
  // Values in [1, 2^31) (durations in ns) are placed by comparisons: the bin's safe range is found
  // from the value's power of two. Only values within a relative 1e-12 of a bin edge (or outside
  // that range) take the logarithm — no rounding of it can move them across an edge elsewhere.
  if (v >= 1 && v < 2147483648) {
    let k = FIRST_BIN[31 - Math.clz32(v)];
    while (v > SAFE_HI[k]) k++;
    if (v >= SAFE_LO[k]) return k;
  }
  return exactBinOf(v);
}

/** The definition of logBinOf. */
export function exactBinOf(v: number): number {
  return Math.floor(BINS_PER_DECADE * Math.log10(v) + 1e-9);
}

/** Bins 0 .. FAST_BINS − 1 cover [1, 2^31): bin k is [10^((k − 1e-9)/4), 10^((k + 1 − 1e-9)/4)). */
const FAST_BINS = 40;
const MARGIN = 1e-12;
const SAFE_LO = new Float64Array(FAST_BINS + 1);
const SAFE_HI = new Float64Array(FAST_BINS + 1);
/** Per power of two 2^e (e < 31): a bin at or below the one of 2^e. */
const FIRST_BIN = new Int32Array(31);
for (let k = 0; k <= FAST_BINS; k++) {
  SAFE_LO[k] = 10 ** ((k - 1e-9) / BINS_PER_DECADE) * (1 + MARGIN);
  SAFE_HI[k] = k === FAST_BINS ? Infinity : 10 ** ((k + 1 - 1e-9) / BINS_PER_DECADE) * (1 - MARGIN);
}
for (let e = 0; e < 31; e++) FIRST_BIN[e] = Math.max(0, exactBinOf(2 ** e) - 1);

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
