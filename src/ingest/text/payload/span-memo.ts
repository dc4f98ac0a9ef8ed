// The memo of a fast plan's one opaque token (fast.ts): the binders' values by the text the
// token's RegExp matched, looked up by a hash of that span of the line (no substring, no string
// hashing per line), the stored key compared in full; the last hit is tried first.

/**
 * Binder results by the matched text, looked up by a hash of the span of the line (no substring,
 * no string hashing per line); the stored key is compared in full.
 */
export class SpanMemo {
  private readonly byHash = new Map<number, Array<{ codes: Uint16Array; vals: Float64Array }>>();
  size = 0;
  private lastCodes: Uint16Array = new Uint16Array(0);
  private lastVals: Float64Array = new Float64Array(0);

  private static hash(s: string, a: number, e: number): number {
    let h = e - a;
    for (let i = a; i < e; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    return h;
  }

  /** The span s[a, e); `u`: the bytes of s index for index (lines.ts), or null. */
  get(s: string, a: number, e: number, u: Uint8Array | null): Float64Array | undefined {
    const n = e - a;
    const lc = this.lastCodes;
    if (u !== null && lc.length === n) {
      // the last hit first (sched_switch's prev_state repeats): no hash, no map lookup
      let j = 0;
      while (j < n && u[a + j] === lc[j]) j++;
      if (j === n) return this.lastVals;
    }
    let h = e - a;
    if (u !== null) for (let i = a; i < e; i++) h = (Math.imul(h, 31) + u[i]) | 0;
    else h = SpanMemo.hash(s, a, e);
    const list = this.byHash.get(h);
    if (!list) return undefined;
    for (let k = 0; k < list.length; k++) {
      const c = list[k].codes;
      if (c.length !== n) continue;
      let j = 0;
      if (u !== null) while (j < n && u[a + j] === c[j]) j++;
      else while (j < n && s.charCodeAt(a + j) === c[j]) j++;
      if (j === n) {
        this.lastCodes = c;
        this.lastVals = list[k].vals;
        return list[k].vals;
      }
    }
    return undefined;
  }

  set(key: string, vals: Float64Array): void {
    const h = SpanMemo.hash(key, 0, key.length);
    const codes = new Uint16Array(key.length);
    for (let k = 0; k < key.length; k++) codes[k] = key.charCodeAt(k);
    const list = this.byHash.get(h);
    if (list) list.push({ codes, vals });
    else this.byHash.set(h, [{ codes, vals }]);
    this.size++;
  }
}
