// The binary heap of the merge (merge.ts) for many CPUs, over cursor indices: a cursor's key is its
// head timestamp (`head[k]`), ties broken by its CPU number (`cpuOf[k]`). Kept exactly as the
// reference order: with CPU numbers repeated (a damaged file) equal keys fall as the heap places them.

function before(head: Float64Array, cpuOf: Float64Array, a: number, b: number): boolean {
  const ta = head[a];
  const tb = head[b];
  return ta < tb || (ta === tb && cpuOf[a] < cpuOf[b]);
}

/** A heap of the cursors whose head is finite (not ended), in the order given, heapified. */
export function buildHeap(head: Float64Array, cpuOf: Float64Array): Int32Array {
  let n = 0;
  for (let k = 0; k < head.length; k++) if (head[k] !== Infinity) n++;
  const h = new Int32Array(n);
  n = 0;
  for (let k = 0; k < head.length; k++) if (head[k] !== Infinity) h[n++] = k;
  for (let k = (n >> 1) - 1; k >= 0; k--) siftDown(h, n, k, head, cpuOf);
  return h;
}

/** The best competitor of the root: the smaller of its children, or -1 when it is alone. */
export function heapRival(h: Int32Array, n: number, head: Float64Array, cpuOf: Float64Array): number {
  if (n < 2) return -1;
  return n > 2 && before(head, cpuOf, h[2], h[1]) ? h[2] : h[1];
}

export function siftDown(h: Int32Array, n: number, k: number, head: Float64Array, cpuOf: Float64Array): void {
  const x = h[k];
  for (;;) {
    let m = 2 * k + 1;
    if (m >= n) break;
    if (m + 1 < n && before(head, cpuOf, h[m + 1], h[m])) m++;
    if (!before(head, cpuOf, h[m], x)) break;
    h[k] = h[m];
    k = m;
  }
  h[k] = x;
}
