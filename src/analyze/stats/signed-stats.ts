// Percentiles of signed values (lapic timer deltas: late > 0, early < 0) built on two
// DurationStats, one per sign, with the same nearest-rank rule.
import { DurationStats } from './duration-stats.js';

export class SignedStats {
  readonly pos = new DurationStats();
  /** Magnitudes of the negative values. */
  readonly neg = new DurationStats();
  zeros = 0;

  add(v: number): void {
    if (v > 0) this.pos.add(v);
    else if (v < 0) this.neg.add(-v);
    else this.zeros++;
  }

  get count(): number {
    return this.pos.count + this.neg.count + this.zeros;
  }

  /** Nearest-rank percentile over all values; null when empty. */
  quantile(q: number): number | null {
    const n = this.count;
    if (n === 0) return null;
    const rank = Math.max(1, Math.ceil(q * n));
    const nn = this.neg.count;
    if (rank <= nn) return -this.neg.quantile((nn - rank + 1) / nn);
    if (rank <= nn + this.zeros) return 0;
    const np = this.pos.count;
    return this.pos.quantile((rank - nn - this.zeros) / np);
  }
}
