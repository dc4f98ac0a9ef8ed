// The event model's unit of streaming: a batch of events in typed-array columns, with each event's
// raw payload (the tracepoint record starting at common_type) copied into one byte arena. No object
// is created per event; analyses read fields straight from the arena with the event's format
// (see field-access.ts); a payload is found by off/len only (the trace.dat merge copies a page's
// events as one span, record headers and all, so payloads need not be adjacent). Timestamps are
// nanoseconds relative to the source's `baseNs` (a bigint), so they stay exact in a Float64 for any
// trace shorter than 104 days.

export const DEFAULT_BATCH = 1 << 16;

export class EventBatch {
  length = 0;
  ts: Float64Array;
  cpu: Uint16Array;
  pid: Int32Array;
  /** Index into the source's format table (`formats[fmt[i]]`), or -1 for an unknown event id. */
  fmt: Int32Array;
  /** The raw event id (common_type) as recorded. */
  type: Uint16Array;
  /** Payload start in `data` and its length in bytes. */
  off: Uint32Array;
  len: Uint32Array;
  data: Uint8Array;
  view: DataView;
  dataUsed = 0;

  constructor(
    readonly capacity = DEFAULT_BATCH,
    /** Byte order of the payloads. */
    readonly little = true,
  ) {
    this.ts = new Float64Array(capacity);
    this.cpu = new Uint16Array(capacity);
    this.pid = new Int32Array(capacity);
    this.fmt = new Int32Array(capacity);
    this.type = new Uint16Array(capacity);
    this.off = new Uint32Array(capacity);
    this.len = new Uint32Array(capacity);
    this.data = new Uint8Array(capacity * 64);
    this.view = new DataView(this.data.buffer);
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  reset(): void {
    this.length = 0;
    this.dataUsed = 0;
  }

  /** Makes room for `n` more payload bytes, growing the arena (existing offsets stay valid). */
  reserve(n: number): void {
    if (this.dataUsed + n <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < this.dataUsed + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.data.subarray(0, this.dataUsed));
    this.data = next;
    this.view = new DataView(next.buffer);
  }

  /** Appends one event, copying its payload bytes. */
  push(ts: number, cpu: number, pid: number, fmt: number, type: number, src: Uint8Array, start: number, len: number): void {
    const i = this.length++;
    this.ts[i] = ts;
    this.cpu[i] = cpu;
    this.pid[i] = pid;
    this.fmt[i] = fmt;
    this.type[i] = type;
    this.reserve(len);
    const o = this.dataUsed;
    this.off[i] = o;
    this.len[i] = len;
    if (len <= 64) {
      const d = this.data;
      for (let k = 0; k < len; k++) d[o + k] = src[start + k];
    } else {
      this.data.set(src.subarray(start, start + len), o);
    }
    this.dataUsed = o + len;
  }
}
