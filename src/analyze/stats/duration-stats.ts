// Duration statistics that stay bounded in memory: exact values up to EXACT_LIMIT samples (exact
// nearest-rank percentiles), then a logarithmic histogram whose buckets are 1 % wide, so any
// percentile is within 1 % of the true value however many samples arrive.
// Percentile rule (docs/analyses.md): nearest rank — the smallest value v such that at least
// q·N of the samples are ≤ v, i.e. sorted[ceil(q·N) − 1].

const EXACT_LIMIT = 100_000;
const GAMMA = 1.01;
const LOG_GAMMA = Math.log(GAMMA);
/** Buckets [HIST_LOW, HIST_LOW + HIST_SIZE) are counted in a typed array (values from 1e-9 to 1e35), others in a Map. */
const HIST_LOW = -2048;
const HIST_SIZE = 10240;

export class DurationStats {
  count = 0;
  total = 0;
  min = Infinity;
  max = -Infinity;
  private exact: Float64Array | null = new Float64Array(64);
  private sorted = false;
  /** Histogram bucket → count; bucket b holds values in (GAMMA^(b-1), GAMMA^b]. Zero and below: ZERO. */
  private hist: Map<number, number> | null = null;
  private dense: Float64Array | null = null;
  private zeros = 0;

  add(v: number): void {
    this.count++;
    this.total += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.exact) {
      if (this.count > this.exact.length) {
        if (this.count > EXACT_LIMIT) {
          this.toHistogram();
          this.addToHistogram(v);
          return;
        }
        const grown = new Float64Array(this.exact.length * 2);
        grown.set(this.exact);
        this.exact = grown;
      }
      this.exact[this.count - 1] = v;
      this.sorted = false;
      return;
    }
    this.addToHistogram(v);
  }

  private addToHistogram(v: number): void {
    if (v <= 0) {
      this.zeros++;
      return;
    }
    const b = Math.ceil(Math.log(v) / LOG_GAMMA);
    const k = b - HIST_LOW;
    if (k >= 0 && k < HIST_SIZE) this.dense![k]++;
    else this.hist!.set(b, (this.hist!.get(b) ?? 0) + 1);
  }

  private toHistogram(): void {
    const values = this.exact!;
    const n = this.count - 1; // the sample being added is not stored yet
    this.exact = null;
    this.hist = new Map();
    this.dense = new Float64Array(HIST_SIZE);
    for (let i = 0; i < n; i++) this.addToHistogram(values[i]);
  }

  /** True while every percentile is exact. */
  get isExact(): boolean {
    return this.exact !== null;
  }

  /** Nearest-rank percentile, q in (0, 1]; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (this.exact) {
      if (!this.sorted) {
        this.exact.subarray(0, this.count).sort();
        this.sorted = true;
      }
      return this.exact[rank - 1];
    }
    if (rank <= this.zeros) return 0;
    let seen = this.zeros;
    const at = (b: number) => Math.min(this.max, Math.max(this.min, Math.pow(GAMMA, b)));
    const keys = [...this.hist!.keys()].sort((a, b) => a - b);
    let j = 0;
    for (; j < keys.length && keys[j] < HIST_LOW; j++) {
      seen += this.hist!.get(keys[j])!;
      if (seen >= rank) return at(keys[j]);
    }
    const dense = this.dense!;
    for (let k = 0; k < HIST_SIZE; k++) {
      if (dense[k] === 0) continue;
      seen += dense[k];
      if (seen >= rank) return at(k + HIST_LOW);
    }
    for (; j < keys.length; j++) {
      seen += this.hist!.get(keys[j])!;
      if (seen >= rank) return at(keys[j]);
    }
    return this.max;
  }
}
