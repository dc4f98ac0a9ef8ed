// Counts occurrences of 64-bit keys (given as two unsigned 32-bit halves) in an open-addressing hash
// table: no BigInt and no object per key on the hot path. A Map<bigint, number> costs a BigInt
// allocation per lookup and slow hashing; on a 7 M-event trace with random guest RIPs that was the
// most expensive analysis step. Keys are exact (both halves compared).
// Layout: per slot a one-byte fingerprint of the key's hash (0: free) in a Uint8Array, and the key
// (hi, lo) with its count (low, high word) in 16 bytes of a Uint32Array. Probing reads the
// fingerprints only; a key's slot is read when its fingerprint matches, and written when it is
// added. The table doubles when 4/5 full (fingerprint probes stay short at that load).
// Single adds are buffered (BUF keys) and applied sorted by table position: with many distinct keys
// (random RIPs) the table is far larger than the caches, and in table order neighbouring keys share
// pages and cache lines instead of each missing alone. The order of application does not change the
// counts, except for which new keys still fit under the limit: the one flush that crosses the limit
// applies its keys in arrival order.

const TWO32 = 4294967296;
/** Load factor at which the table doubles. */
const LOAD = 0.8;
/** Keys buffered before they are applied. */
const BUF = 4096;
/** At most 2^SORT_BITS buckets for the sort by table position. */
const SORT_BITS = 11;

export class U64Counter {
  private fp: Uint8Array;
  /** Per slot: key hi, key lo, count low word, count high word. */
  private t: Uint32Array;
  private mask: number;
  /** log2 of the table size. */
  private bits: number;
  /** Keys held before the table doubles. */
  private max: number;
  private held = 0;
  /** Buffered single adds: key halves, their hashes, and the sort's order and bucket counts. */
  private readonly bufHi = new Uint32Array(BUF);
  private readonly bufLo = new Uint32Array(BUF);
  private readonly bufHash = new Int32Array(BUF);
  private readonly order = new Int32Array(BUF);
  private readonly buckets = new Int32Array((1 << SORT_BITS) + 1);
  private buffered = 0;

  /** `limit`: once this many distinct keys are held, new keys are ignored (existing ones still count). */
  constructor(readonly limit = Infinity, initial = 1024) {
    let cap = 16;
    let bits = 4;
    while (cap < initial) {
      cap <<= 1;
      bits++;
    }
    this.fp = new Uint8Array(cap);
    this.t = new Uint32Array(cap * 4);
    this.mask = cap - 1;
    this.bits = bits;
    this.max = Math.floor(cap * LOAD);
  }

  /** Distinct keys held. */
  get size(): number {
    this.flush();
    return this.held;
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
    if (n === 1) {
      const m = this.buffered;
      this.bufHi[m] = hi;
      this.bufLo[m] = lo;
      if ((this.buffered = m + 1) === BUF) this.flush();
      return;
    }
    this.flush();
    this.put(hi >>> 0, lo >>> 0, n);
  }

  /** Applies one add now. */
  private put(hi: number, lo: number, n: number): void {
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
    if (this.held >= this.limit) return;
    this.fp[s] = (h >>> 24) | 1;
    t[at] = hi;
    t[at + 1] = lo;
    t[at + 2] = n % TWO32;
    t[at + 3] = Math.floor(n / TWO32);
    if (++this.held > this.max) this.grow();
  }

  /** Applies the buffered adds. */
  private flush(): void {
    const m = this.buffered;
    if (m === 0) return;
    this.buffered = 0;
    const bh = this.bufHi;
    const bl = this.bufLo;
    if (this.held < this.limit && this.held + m > this.limit) {
      // The limit is reached within these keys: which new ones get in depends on their order.
      for (let j = 0; j < m; j++) this.put(bh[j], bl[j], 1);
      return;
    }
    // Every new key fits (or none does): in table order (the order of a doubling's new table
    // differs: the rest of the pass is then merely less local).
    let mask = this.mask;
    const sb = Math.min(this.bits, SORT_BITS);
    const shift = this.bits - sb;
    const hs = this.bufHash;
    const cnt = this.buckets;
    const order = this.order;
    cnt.fill(0, 0, (1 << sb) + 1);
    for (let j = 0; j < m; j++) {
      const h = U64Counter.hash(bh[j], bl[j]);
      hs[j] = h;
      cnt[((h & mask) >>> shift) + 1]++;
    }
    for (let b = 0; b < 1 << sb; b++) cnt[b + 1] += cnt[b];
    for (let j = 0; j < m; j++) order[cnt[(hs[j] & mask) >>> shift]++] = j;
    let fp = this.fp;
    let t = this.t;
    const full = this.held >= this.limit;
    let held = this.held;
    for (let q = 0; q < m; q++) {
      const j = order[q];
      const hi = bh[j];
      const lo = bl[j];
      const h = hs[j];
      const f = (h >>> 24) | 1;
      let k = h & mask;
      for (;;) {
        const g = fp[k];
        if (g === 0) break;
        if (g === f && t[4 * k] === hi && t[4 * k + 1] === lo) break;
        k = (k + 1) & mask;
      }
      const at = 4 * k;
      if (fp[k] !== 0) {
        const c = t[at + 2] + 1;
        if (c < TWO32) t[at + 2] = c;
        else {
          t[at + 2] = 0;
          t[at + 3]++;
        }
      } else if (!full) {
        fp[k] = f;
        t[at] = hi;
        t[at + 1] = lo;
        t[at + 2] = 1;
        t[at + 3] = 0;
        if (++held > this.max) {
          this.held = held;
          this.grow();
          fp = this.fp;
          t = this.t;
          mask = this.mask;
        }
      }
    }
    this.held = held;
  }

  private grow(): void {
    const oldF = this.fp;
    const oldT = this.t;
    const cap = oldF.length * 2;
    const fp = (this.fp = new Uint8Array(cap));
    const t = (this.t = new Uint32Array(cap * 4));
    this.mask = cap - 1;
    this.bits++;
    this.max = Math.floor(cap * LOAD);
    for (let k = 0; k < oldF.length; k++) {
      if (oldF[k] === 0) continue;
      const hi = oldT[4 * k];
      const lo = oldT[4 * k + 1];
      const s = this.slot(hi, lo, U64Counter.hash(hi, lo));
      fp[s] = oldF[k];
      t[4 * s] = hi;
      t[4 * s + 1] = lo;
      t[4 * s + 2] = oldT[4 * k + 2];
      t[4 * s + 3] = oldT[4 * k + 3];
    }
  }

  /** The `n` keys with the highest counts (ties: the smaller key first), as [key, count]. */
  top(n: number): Array<[bigint, number]> {
    this.flush();
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
