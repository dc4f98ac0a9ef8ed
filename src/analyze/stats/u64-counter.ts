// Counts occurrences of 64-bit keys (given as two unsigned 32-bit halves) in an open-addressing hash
// table held in one Uint32Array (key high, key low, count low, count high per slot, so a lookup
// touches one cache line): no BigInt and no object per key on the hot path. A Map<bigint, number>
// costs a BigInt allocation per lookup and slow hashing; on a 7 M-event trace with random guest RIPs
// that was the most expensive analysis step. Keys are exact (both halves compared).

const TWO32 = 4294967296;

export class U64Counter {
  /** Per slot: hi, lo, count low word, count high word; a count of 0 marks a free slot. */
  private t: Uint32Array;
  private mask: number;
  size = 0;

  /** `limit`: once this many distinct keys are held, new keys are ignored (existing ones still count). */
  constructor(readonly limit = Infinity, initial = 1024) {
    let cap = 16;
    while (cap < initial) cap <<= 1;
    this.t = new Uint32Array(cap * 4);
    this.mask = cap - 1;
  }

  private slot(hi: number, lo: number): number {
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    let k = h & this.mask;
    const t = this.t;
    while ((t[4 * k + 2] | t[4 * k + 3]) !== 0 && (t[4 * k] !== hi || t[4 * k + 1] !== lo)) k = (k + 1) & this.mask;
    return 4 * k;
  }

  /** Adds `n` (≥ 1) to key (hi, lo), both unsigned 32-bit. */
  add(hi: number, lo: number, n = 1): void {
    hi >>>= 0;
    lo >>>= 0;
    const t = this.t;
    const s = this.slot(hi, lo);
    if ((t[s + 2] | t[s + 3]) !== 0) {
      const c = t[s + 2] + t[s + 3] * TWO32 + n;
      t[s + 2] = c % TWO32;
      t[s + 3] = Math.floor(c / TWO32);
      return;
    }
    if (this.size >= this.limit) return;
    t[s] = hi;
    t[s + 1] = lo;
    t[s + 2] = n % TWO32;
    t[s + 3] = Math.floor(n / TWO32);
    if (++this.size * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const old = this.t;
    this.t = new Uint32Array(old.length * 2);
    this.mask = this.t.length / 4 - 1;
    for (let k = 0; k < old.length; k += 4) {
      if ((old[k + 2] | old[k + 3]) === 0) continue;
      const s = this.slot(old[k], old[k + 1]);
      this.t.set(old.subarray(k, k + 4), s);
    }
  }

  /** The `n` keys with the highest counts (ties: the smaller key first), as [key, count]. */
  top(n: number): Array<[bigint, number]> {
    if (n <= 0) return [];
    const best: Array<[number, number, number]> = []; // hi, lo, count; kept sorted
    const worse = (a: [number, number, number], b: [number, number, number]) =>
      a[2] < b[2] || (a[2] === b[2] && (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])));
    const t = this.t;
    for (let k = 0; k < t.length; k += 4) {
      if ((t[k + 2] | t[k + 3]) === 0) continue;
      const e: [number, number, number] = [t[k], t[k + 1], t[k + 2] + t[k + 3] * TWO32];
      if (best.length === n && !worse(best[n - 1], e)) continue;
      let at = best.length;
      while (at > 0 && worse(best[at - 1], e)) at--;
      best.splice(at, 0, e);
      if (best.length > n) best.pop();
    }
    return best.map(([h, l, c]) => [(BigInt(h) << 32n) | BigInt(l), c]);
  }
}
