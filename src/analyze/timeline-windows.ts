// The worst windows of a bucketed series: the top buckets by score, adjacent ones merged into one
// window (a long incident is one window, not several slices of it), the highest windows kept.

export interface BucketWindow {
  /** First and last bucket of the window (inclusive). */
  first: number;
  last: number;
  /** The buckets' scores merged (summed, or their maximum). */
  value: number;
}

/**
 * Considers the `limit × 3` highest-scoring buckets among `n` (ties: earlier first), merges runs of
 * adjacent ones, and returns the `limit` windows with the highest merged value (ties: earlier first).
 */
export function topWindows(n: number, score: (k: number) => number, merge: (a: number, b: number) => number, limit: number): BucketWindow[] {
  const ks = [...Array(n).keys()].filter((k) => score(k) > 0).sort((a, b) => score(b) - score(a) || a - b).slice(0, limit * 3).sort((a, b) => a - b);
  const out: BucketWindow[] = [];
  for (const k of ks) {
    const w = out[out.length - 1];
    if (w && w.last === k - 1) {
      w.last = k;
      w.value = merge(w.value, score(k));
    } else out.push({ first: k, last: k, value: score(k) });
  }
  return out.sort((a, b) => b.value - a.value || a.first - b.first).slice(0, limit);
}
