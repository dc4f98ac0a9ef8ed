// Counts occurrences of 64-bit keys (given as two unsigned 32-bit halves) in an open-addressing hash
// table: no BigInt and no object per key on the hot path. A Map<bigint, number> costs a BigInt
// allocation per lookup and slow hashing; on a 7 M-event trace with random guest RIPs that was the
// most expensive analysis step. Keys are exact (both halves compared).
// Layout: per slot a one-byte fingerprint of the key's hash (0: free) in a Uint8Array, and the key
// (hi, lo) with its count (low, high word) in 16 bytes of a Uint32Array. Probing reads the
// fingerprints only (a quarter of a MB for 100,000 keys); a key's slot is read when its fingerprint
// matches, and written when it is added (one cache line). Keys past the limit (most lookups once a
// reason has met 100,000 RIPs) touch the fingerprints only. The table grows 4× at a time: fewer
// rehashes of keys that are, on real traces, mostly distinct.

const TWO32 = 4294967296;

export class U64Counter {
  private fp: Uint8Array;
  /** Per slot: key hi, key lo, count low word, count high word. */
  private t: Uint32Array;
  private mask: number;
  size = 0;

  /** `limit`: once this many distinct keys are held, new keys are ignored (existing ones still count). */
  constructor(readonly limit = Infinity, initial = 1024) {
    let cap = 16;
    while (cap < initial) cap <<= 1;
    this.fp = new Uint8Array(cap);
    this.t = new Uint32Array(cap * 4);
    this.mask = cap - 1;
  }

  private static hash(hi: number, lo: number): number {
    const h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    return h ^ (h >>> 15);
  }

  /** Slot of key (hi, lo) with hash `h`, or of the free slot where it would go. */
  private slot(hi: number, lo: number, h: number): number {
    const f = (h >>> 24) | 1;
    const fp = this.fp;
    const t = this.t;
    let k = h & this.mask;
    for (;;) {
      const g = fp[k];
      if (g === 0 || (g === f && t[4 * k] === hi && t[4 * k + 1] === lo)) return k;
      k = (k + 1) & this.mask;
    }
  }

  /** Adds `n` (≥ 1) to key (hi, lo), both unsigned 32-bit. */
  add(hi: number, lo: number, n = 1): void {
    hi >>>= 0;
    lo >>>= 0;
    const h = U64Counter.hash(hi, lo);
    const s = this.slot(hi, lo, h);
    const t = this.t;
    const at = 4 * s;
    if (this.fp[s] !== 0) {
      const c = t[at + 2] + t[at + 3] * TWO32 + n;
      t[at + 2] = c % TWO32;
      t[at + 3] = Math.floor(c / TWO32);
      return;
    }
    if (this.size >= this.limit) return;
    this.fp[s] = (h >>> 24) | 1;
    t[at] = hi;
    t[at + 1] = lo;
    t[at + 2] = n % TWO32;
    t[at + 3] = Math.floor(n / TWO32);
    if (++this.size * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const [oldF, oldT] = [this.fp, this.t];
    const cap = oldF.length * 4;
    this.fp = new Uint8Array(cap);
    this.t = new Uint32Array(cap * 4);
    this.mask = cap - 1;
    for (let k = 0; k < oldF.length; k++) {
      if (oldF[k] === 0) continue;
      const hi = oldT[4 * k];
      const lo = oldT[4 * k + 1];
      const s = this.slot(hi, lo, U64Counter.hash(hi, lo));
      this.fp[s] = oldF[k];
      this.t.set(oldT.subarray(4 * k, 4 * k + 4), 4 * s);
    }
  }

  /** The `n` keys with the highest counts (ties: the smaller key first), as [key, count]. */
  top(n: number): Array<[bigint, number]> {
    if (n <= 0) return [];
    const best: Array<[number, number, number]> = []; // hi, lo, count; kept sorted
    const worse = (a: [number, number, number], b: [number, number, number]) =>
      a[2] < b[2] || (a[2] === b[2] && (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])));
    const t = this.t;
    for (let k = 0; k < this.fp.length; k++) {
      if (this.fp[k] === 0) continue;
      const c = t[4 * k + 2] + t[4 * k + 3] * TWO32;
      if (best.length === n && c < best[n - 1][2]) continue;
      const e: [number, number, number] = [t[4 * k], t[4 * k + 1], c];
      if (best.length === n && !worse(best[n - 1], e)) continue;
      let at = best.length;
      while (at > 0 && worse(best[at - 1], e)) at--;
      best.splice(at, 0, e);
      if (best.length > n) best.pop();
    }
    return best.map(([h, l, c]) => [(BigInt(h) << 32n) | BigInt(l), c]);
  }
}
