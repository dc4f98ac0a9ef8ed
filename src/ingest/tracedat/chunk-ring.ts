// Shared memory between the main thread and the decode worker (decode-worker.ts): per CPU a ring of
// K fixed-size slots, each holding one decompressed chunk of that CPU's pages, filled in the CPU's
// file order by the worker and consumed in order by the main thread's PageSource. The worker blocks
// (Atomics.wait) when every ring is full, the main thread when the ring it needs is empty, so memory
// stays at cpus × K × slot bytes whatever the file size (backpressure both ways).
// A slot is either DATA (a chunk decompressed cleanly) or HANDOFF: the worker stops that CPU and the
// main thread continues it from the given state with the single-threaded code, so every damaged or
// unusual chunk produces the same diagnostics or error as a single-threaded read.

/** Control words (Int32 indexes). Per CPU c: WRITTEN = 8 + 2c, READ = 9 + 2c (monotonic counters). */
export const STOP = 0;
export const SPACE_SEQ = 1;
export const WANTED = 2;
export const STARTED = 3;
export const FAILED = 4;
/** Set while the worker (5) or the main thread (6) sleeps in Atomics.wait: notify only then. */
export const WORKER_SLEEPS = 5;
const MAIN_SLEEPS = 6;
const CTRL_HEAD = 8;

/** Slot meta (Float64 per slot): kind, chunk file offset, uncompressed bytes, next file offset, chunks left. */
export const KIND_DATA = 1;
export const KIND_HANDOFF = 2;
const META = 5;

export interface RingShape {
  cpus: number;
  slots: number;
  slotBytes: number;
}

export interface RingBuffers extends RingShape {
  ctrl: SharedArrayBuffer;
  meta: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export function allocRings(shape: RingShape): RingBuffers {
  return {
    ...shape,
    ctrl: new SharedArrayBuffer(4 * (CTRL_HEAD + 2 * shape.cpus)),
    meta: new SharedArrayBuffer(8 * META * shape.cpus * shape.slots),
    data: new SharedArrayBuffer(shape.cpus * shape.slots * shape.slotBytes),
  };
}

export const writtenIdx = (c: number): number => CTRL_HEAD + 2 * c;
export const readIdx = (c: number): number => CTRL_HEAD + 2 * c + 1;

/** One slot's content as the main thread sees it. */
export interface SlotView {
  kind: number;
  at: number;
  u: number;
  nextPos: number;
  chunksLeft: number;
  /** DATA: the `u` decompressed bytes (a view into shared memory, valid until the next take()). */
  bytes: Uint8Array;
}

/** How much the worker supplied in this process (tests check that the parallel path really ran). */
export const ringStats = { readers: 0, dataSlots: 0, handoffs: 0 };

/** Main-thread side: takes the next slot of CPU index `c`, waiting for the worker when needed. */
export class RingReader {
  private readonly ctrl: Int32Array;
  private readonly meta: Float64Array;
  private readonly holding: boolean[];

  constructor(private readonly r: RingBuffers) {
    this.ctrl = new Int32Array(r.ctrl);
    this.meta = new Float64Array(r.meta);
    this.holding = new Array<boolean>(r.cpus).fill(false);
    ringStats.readers++;
  }

  private wake(): void {
    Atomics.add(this.ctrl, SPACE_SEQ, 1);
    if (Atomics.load(this.ctrl, WORKER_SLEEPS) !== 0) Atomics.notify(this.ctrl, SPACE_SEQ);
  }

  /**
   * Releases the slot taken last for `c` (its pages are no longer referenced). A sleeping worker is
   * woken only once the ring is down to half, so it refills several slots per wake instead of one
   * (a futex wake and two context switches per 40 KiB chunk cost more than decompressing it).
   */
  release(c: number): void {
    if (!this.holding[c]) return;
    this.holding[c] = false;
    const read = Atomics.add(this.ctrl, readIdx(c), 1) + 1;
    if (Atomics.load(this.ctrl, writtenIdx(c)) - read <= this.r.slots >> 1) this.wake();
  }

  /** The next slot of `c`, or null when the worker failed or stopped (continue single-threaded). */
  take(c: number): SlotView | null {
    this.release(c);
    const ctrl = this.ctrl;
    const read = Atomics.load(ctrl, readIdx(c));
    let waited = 0;
    while (Atomics.load(ctrl, writtenIdx(c)) === read) {
      if (Atomics.load(ctrl, FAILED) !== 0 || Atomics.load(ctrl, STOP) !== 0) return null;
      // A worker that never starts (script missing, thread refused) must not hang the read.
      if (Atomics.load(ctrl, STARTED) === 0 && waited >= 20_000) return null;
      Atomics.store(ctrl, WANTED, c);
      this.wake();
      Atomics.store(ctrl, MAIN_SLEEPS, 1);
      Atomics.wait(ctrl, writtenIdx(c), read, 50);
      Atomics.store(ctrl, MAIN_SLEEPS, 0);
      waited += 50;
    }
    this.holding[c] = true;
    const s = read % this.r.slots;
    const m = (c * this.r.slots + s) * META;
    const meta = this.meta;
    const u = meta[m + 2];
    if (meta[m] === KIND_DATA) ringStats.dataSlots++;
    else ringStats.handoffs++;
    const base = (c * this.r.slots + s) * this.r.slotBytes;
    return {
      kind: meta[m],
      at: meta[m + 1],
      u,
      nextPos: meta[m + 3],
      chunksLeft: meta[m + 4],
      bytes: meta[m] === KIND_DATA ? new Uint8Array(this.r.data, base, u) : new Uint8Array(0),
    };
  }

  /** Tells the worker to stop (end of read, early stop or error). */
  stop(): void {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, SPACE_SEQ, 1);
    Atomics.notify(this.ctrl, SPACE_SEQ);
  }
}

/** Worker side: slot addressing and publication. */
export class RingWriter {
  readonly ctrl: Int32Array;
  private readonly meta: Float64Array;

  constructor(readonly r: RingBuffers) {
    this.ctrl = new Int32Array(r.ctrl);
    this.meta = new Float64Array(r.meta);
  }

  /** Filled slots of `c` (0..slots). */
  fill(c: number): number {
    return Atomics.load(this.ctrl, writtenIdx(c)) - Atomics.load(this.ctrl, readIdx(c));
  }

  /** Byte offset in `data` of the slot the next publish(c) fills. */
  slotOffset(c: number): number {
    const s = Atomics.load(this.ctrl, writtenIdx(c)) % this.r.slots;
    return (c * this.r.slots + s) * this.r.slotBytes;
  }

  publish(c: number, kind: number, at: number, u: number, nextPos: number, chunksLeft: number): void {
    const s = Atomics.load(this.ctrl, writtenIdx(c)) % this.r.slots;
    const m = (c * this.r.slots + s) * META;
    this.meta[m] = kind;
    this.meta[m + 1] = at;
    this.meta[m + 2] = u;
    this.meta[m + 3] = nextPos;
    this.meta[m + 4] = chunksLeft;
    Atomics.add(this.ctrl, writtenIdx(c), 1);
    if (Atomics.load(this.ctrl, MAIN_SLEEPS) !== 0) Atomics.notify(this.ctrl, writtenIdx(c));
  }

  /** Sleeps until the main thread frees a slot (or `ms` pass); `seq` is SPACE_SEQ read before deciding. */
  sleep(seq: number, ms: number): void {
    Atomics.store(this.ctrl, WORKER_SLEEPS, 1);
    Atomics.wait(this.ctrl, SPACE_SEQ, seq, ms);
    Atomics.store(this.ctrl, WORKER_SLEEPS, 0);
  }
}
