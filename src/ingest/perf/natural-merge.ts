// The merge step of the perf.data ordering queue: a stable natural merge sort of item indices by
// timestamp. The caller lays the ascending runs out in `a` (boundaries in `runs`); runs are merged
// pairwise, the earlier run winning ties, until one run is left. Runs that do not overlap (the
// usual case for per-CPU buffers written one after the other) are concatenated without comparing.

/**
 * Sorts `a[0 .. runs[last])` by `ts[a[k]]`, stably, using `b` (same length) as scratch. `runs`
 * holds the start of each run and, last, the end; it is consumed. Returns the array holding the
 * result (`a` or `b`).
 */
export function mergeRuns(ts: Float64Array, a: Uint32Array, b: Uint32Array, runs: number[]): Uint32Array {
  const next: number[] = [];
  while (runs.length > 2) {
    let w = 0;
    let r = 0;
    next.length = 0;
    for (; r + 2 < runs.length; r += 2) {
      const e1 = runs[r + 1];
      const e2 = runs[r + 2];
      next.push(w);
      let x = runs[r];
      let y = e1;
      if (ts[a[e1 - 1]] > ts[a[e1]]) {
        let tx = ts[a[x]];
        let ty = ts[a[y]];
        for (;;) {
          if (ty < tx) {
            b[w++] = a[y++];
            if (y === e2) break;
            ty = ts[a[y]];
          } else {
            b[w++] = a[x++];
            if (x === e1) break;
            tx = ts[a[x]];
          }
        }
      }
      while (x < e1) b[w++] = a[x++];
      while (y < e2) b[w++] = a[y++];
    }
    if (r + 1 < runs.length) {
      next.push(w);
      for (let x = runs[r]; x < runs[r + 1]; x++) b[w++] = a[x];
    }
    next.push(w);
    const t = a;
    a = b;
    b = t;
    runs.length = 0;
    for (const v of next) runs.push(v);
  }
  return a;
}
