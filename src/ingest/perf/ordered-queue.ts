// The time-ordering queue of the perf.data reader, in typed-array columns (no object per sample).
// Items are appended in file order; sort(limit) puts the live items in (ts, insertion) order — a
// stable natural merge sort (natural-merge.ts): the items kept from the last flush form one sorted
// run, the new items split into their ascending runs (one per CPU buffer, usually) — the caller
// delivers the due ones (ts <= limit) straight from `order`, and keep() holds the rest as the next
// sorted run. Storage is compacted in place when most of it is delivered, so memory follows the
// live items and no column is reallocated.
import { mergeRuns } from './natural-merge.js';

export class OrderedQueue<S> {
  private cap: number;
  n = 0;
  ts: Float64Array;
  cpu: Int32Array;
  tid: Int32Array;
  pid: Int32Array;
  /** Format index (≥ -1) of a sample, or -2 - k for side event k. */
  fmt: Int32Array;
  type: Uint16Array;
  off: Uint32Array;
  len: Uint32Array;
  data: Uint8Array;
  /** `data` as words (payloads start 4-aligned). */
  data32: Uint32Array;
  /** The last source buffer pushed from, and its word view (null when not 4-aligned). */
  private src: Uint8Array | null = null;
  private src32: Uint32Array | null = null;
  used = 0;
  side: S[] = [];
  /** Newest timestamp queued (perf's max_timestamp: the tail of its sorted list). */
  maxTs = 0;
  private pend: Uint32Array;
  private pN = 0;
  private newStart = 0;
  private a: Uint32Array;
  private b: Uint32Array;
  private runs: number[] = [];
  /** After sort(): the live items in delivery order, `order[0 .. sorted)`. */
  order: Uint32Array;
  private sorted = 0;

  constructor(cap = 1 << 14) {
    this.cap = cap;
    this.ts = new Float64Array(cap);
    this.cpu = new Int32Array(cap);
    this.tid = new Int32Array(cap);
    this.pid = new Int32Array(cap);
    this.fmt = new Int32Array(cap);
    this.type = new Uint16Array(cap);
    this.off = new Uint32Array(cap);
    this.len = new Uint32Array(cap);
    this.data = new Uint8Array(1 << 20);
    this.data32 = new Uint32Array(this.data.buffer);
    this.pend = new Uint32Array(cap);
    this.a = new Uint32Array(cap);
    this.b = new Uint32Array(cap);
    this.order = this.a;
  }

  /** Items not delivered yet. */
  get live(): number {
    return this.pN + (this.n - this.newStart);
  }

  /** Smallest queued timestamp (for a forced half flush). */
  minTs(): number {
    let m = Infinity;
    for (let k = 0; k < this.pN; k++) m = Math.min(m, this.ts[this.pend[k]]);
    for (let i = this.newStart; i < this.n; i++) m = Math.min(m, this.ts[i]);
    return m;
  }

  private grow(): void {
    const n = this.cap * 2;
    const g = <T extends Float64Array | Int32Array | Uint16Array | Uint32Array>(x: T, C: new (n: number) => T): T => {
      const y = new C(n);
      y.set(x as never);
      return y;
    };
    this.ts = g(this.ts, Float64Array);
    this.cpu = g(this.cpu, Int32Array);
    this.tid = g(this.tid, Int32Array);
    this.pid = g(this.pid, Int32Array);
    this.fmt = g(this.fmt, Int32Array);
    this.type = g(this.type, Uint16Array);
    this.off = g(this.off, Uint32Array);
    this.len = g(this.len, Uint32Array);
    this.pend = g(this.pend, Uint32Array);
    this.a = new Uint32Array(n);
    this.b = new Uint32Array(n);
    this.cap = n;
  }

  push(ts: number, cpu: number, tid: number, pid: number, fmt: number, type: number, buf: Uint8Array, s: number, len: number): void {
    if (this.n === this.cap) this.grow();
    if (this.live === 0 || ts >= this.maxTs) this.maxTs = ts;
    const i = this.n++;
    this.ts[i] = ts;
    this.cpu[i] = cpu;
    this.tid[i] = tid;
    this.pid[i] = pid;
    this.fmt[i] = fmt;
    this.type[i] = type;
    const o = this.used;
    const room = (len + 3) & ~3; // payloads start 4-aligned in the arena
    if (o + room > this.data.length) {
      let size = this.data.length * 2;
      while (size < o + room) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.data.subarray(0, o));
      this.data = next;
      this.data32 = new Uint32Array(next.buffer);
    }
    this.off[i] = o;
    this.len[i] = len;
    this.used = o + room;
    if (buf !== this.src) {
      this.src = buf;
      this.src32 = buf.byteOffset & 3 ? null : new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength >> 2);
    }
    const s32 = this.src32;
    if (s32 !== null && (s & 3) === 0 && s + room <= buf.length) {
      // A tracepoint payload follows its u32 size in a u64-aligned record: copy it by words.
      const d32 = this.data32;
      const to = o >> 2;
      const from = s >> 2;
      for (let k = 0, nw = room >> 2; k < nw; k++) d32[to + k] = s32[from + k];
    } else if (len > 64) this.data.set(buf.subarray(s, s + len), o);
    else {
      const d = this.data;
      for (let k = 0; k < len; k++) d[o + k] = buf[s + k];
    }
  }

  pushSide(ts: number, cpu: number, tid: number, pid: number, ev: S): void {
    this.side.push(ev);
    this.push(ts, cpu, tid, pid, -1 - this.side.length, 0, this.data, 0, 0);
  }

  /**
   * Sorts the live items (stable by ts, then insertion) into `order[0 .. sorted)` and returns how
   * many of them are due (ts <= limit): the caller delivers `order[0 .. due)`, then calls keep(due).
   */
  sort(limit: number): number {
    const ts = this.ts;
    const a = this.a;
    const runs = this.runs;
    runs.length = 0;
    let m = 0;
    if (this.pN > 0) {
      a.set(this.pend.subarray(0, this.pN));
      m = this.pN;
      runs.push(0);
    }
    let prev = 0;
    for (let i = this.newStart; i < this.n; i++) {
      const t = ts[i];
      if (i === this.newStart || t < prev) runs.push(m);
      prev = t;
      a[m++] = i;
    }
    this.sorted = m;
    if (m === 0) return 0;
    runs.push(m);
    const sorted = mergeRuns(ts, a, this.b, runs);
    if (sorted !== a) {
      this.b = a;
      this.a = sorted;
    }
    this.order = sorted;
    // Due items: the sorted prefix with ts <= limit.
    if (!(ts[sorted[m - 1]] > limit)) return m;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ts[sorted[mid]] > limit) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** After delivering `order[0 .. due)`: the rest stays queued, sorted. */
  keep(due: number): void {
    const rest = this.sorted - due;
    if (rest > 0) this.pend.set(this.order.subarray(due, this.sorted));
    this.pN = rest;
    this.newStart = this.n;
    if (rest === 0) {
      this.n = 0;
      this.newStart = 0;
      this.used = 0;
      this.side.length = 0;
    } else if (this.n >= 4096 && rest * 4 < this.n) this.compact();
  }

  /**
   * Delivers live items with ts <= limit in order through `emit(i)` (false = stop: the rest of the
   * queue is abandoned). Returns false when stopped.
   */
  flush(limit: number, emit: (i: number) => boolean): boolean {
    const due = this.sort(limit);
    const order = this.order;
    for (let k = 0; k < due; k++) if (!emit(order[k])) return false;
    this.keep(due);
    return true;
  }

  /**
   * Moves the kept items to the front, in index order (an item only moves down, so the columns and
   * the payload arena are compacted in place), and renumbers `pend` and the side events.
   */
  private compact(): void {
    const rest = this.pN;
    const pend = this.pend;
    const byIndex = this.b.subarray(0, rest);
    byIndex.set(pend.subarray(0, rest));
    byIndex.sort();
    const newIndex = this.a;
    const side: S[] = [];
    let used = 0;
    for (let j = 0; j < rest; j++) {
      const i = byIndex[j];
      newIndex[i] = j;
      this.ts[j] = this.ts[i];
      this.cpu[j] = this.cpu[i];
      this.tid[j] = this.tid[i];
      this.pid[j] = this.pid[i];
      this.type[j] = this.type[i];
      const f = this.fmt[i];
      if (f <= -2) {
        side.push(this.side[-2 - f]);
        this.fmt[j] = -1 - side.length;
      } else this.fmt[j] = f;
      const len = this.len[i];
      const o = this.off[i];
      if (o !== used) this.data.copyWithin(used, o, o + len);
      this.off[j] = used;
      this.len[j] = len;
      used += (len + 3) & ~3;
    }
    for (let k = 0; k < rest; k++) pend[k] = newIndex[pend[k]];
    this.side = side;
    this.used = used;
    this.n = rest;
    this.newStart = rest;
  }
}
