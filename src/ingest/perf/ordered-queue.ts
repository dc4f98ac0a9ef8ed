// The time-ordering queue of the perf.data reader, in typed-array columns (no object per sample).
// Items are appended in file order; flush(limit) delivers the live items with ts <= limit in
// (ts, insertion) order — a stable natural merge sort: the items kept from the last flush form one
// sorted run, the new items split into their ascending runs (one per CPU buffer, usually), and
// runs are merged pairwise, the earlier run winning ties — and keeps the rest as the next sorted
// run. Storage is compacted when most of it is delivered, so memory follows the live items.
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
    this.pend = new Uint32Array(cap);
    this.a = new Uint32Array(cap);
    this.b = new Uint32Array(cap);
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
    let o = this.used;
    if (o + len > this.data.length) {
      let size = this.data.length * 2;
      while (size < o + len) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.data.subarray(0, o));
      this.data = next;
    }
    this.off[i] = o;
    this.len[i] = len;
    const d = this.data;
    if (len <= 64) for (let k = 0; k < len; k++) d[o++] = buf[s + k];
    else d.set(buf.subarray(s, s + len), o);
    this.used += len;
  }

  pushSide(ts: number, cpu: number, tid: number, pid: number, ev: S): void {
    this.side.push(ev);
    this.push(ts, cpu, tid, pid, -1 - this.side.length, 0, this.data, 0, 0);
  }

  /**
   * Delivers live items with ts <= limit in order through `emit(i)` (false = stop: the rest of the
   * queue is abandoned). Returns false when stopped.
   */
  flush(limit: number, emit: (i: number) => boolean): boolean {
    const ts = this.ts;
    // Runs: the kept items (sorted), then the new items' ascending runs.
    let a = this.a;
    let b = this.b;
    const runs = this.runs;
    runs.length = 0;
    let m = 0;
    if (this.pN > 0) {
      a.set(this.pend.subarray(0, this.pN));
      m = this.pN;
      runs.push(0);
    }
    for (let i = this.newStart; i < this.n; i++) {
      if (i === this.newStart || ts[i] < ts[i - 1]) runs.push(m);
      a[m++] = i;
    }
    if (m === 0) return true;
    runs.push(m);
    while (runs.length > 2) {
      let w = 0;
      let r = 0;
      const next: number[] = [];
      for (; r + 2 < runs.length; r += 2) {
        const s1 = runs[r];
        const e1 = runs[r + 1];
        const e2 = runs[r + 2];
        next.push(w);
        let x = s1;
        let y = e1;
        while (x < e1 && y < e2) b[w++] = ts[a[y]] < ts[a[x]] ? a[y++] : a[x++];
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
    this.a = a;
    this.b = b;
    let k = 0;
    for (; k < m; k++) {
      const i = a[k];
      if (ts[i] > limit) break;
      if (!emit(i)) return false;
    }
    const rest = m - k;
    this.pend.set(a.subarray(k, m));
    this.pN = rest;
    this.newStart = this.n;
    if (rest === 0) {
      this.n = 0;
      this.newStart = 0;
      this.used = 0;
      this.side.length = 0;
    } else if (this.n >= 4096 && rest * 4 < this.n) this.compact();
    return true;
  }

  /** Moves the kept items to the front (in their sorted order) and drops the delivered ones. */
  private compact(): void {
    const rest = this.pN;
    const p = this.pend;
    const nTs = new Float64Array(this.cap);
    const nCpu = new Int32Array(this.cap);
    const nTid = new Int32Array(this.cap);
    const nPid = new Int32Array(this.cap);
    const nFmt = new Int32Array(this.cap);
    const nType = new Uint16Array(this.cap);
    const nOff = new Uint32Array(this.cap);
    const nLen = new Uint32Array(this.cap);
    const nData = new Uint8Array(this.data.length);
    const nSide: S[] = [];
    let used = 0;
    for (let j = 0; j < rest; j++) {
      const i = p[j];
      nTs[j] = this.ts[i];
      nCpu[j] = this.cpu[i];
      nTid[j] = this.tid[i];
      nPid[j] = this.pid[i];
      nType[j] = this.type[i];
      const f = this.fmt[i];
      if (f <= -2) {
        nSide.push(this.side[-2 - f]);
        nFmt[j] = -1 - nSide.length;
      } else nFmt[j] = f;
      const len = this.len[i];
      nData.set(this.data.subarray(this.off[i], this.off[i] + len), used);
      nOff[j] = used;
      nLen[j] = len;
      used += len;
      p[j] = j;
    }
    this.ts = nTs; this.cpu = nCpu; this.tid = nTid; this.pid = nPid; this.fmt = nFmt;
    this.type = nType; this.off = nOff; this.len = nLen; this.data = nData;
    this.side = nSide;
    this.used = used;
    this.n = rest;
    this.newStart = rest;
  }
}
