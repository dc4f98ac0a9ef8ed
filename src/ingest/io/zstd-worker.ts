// One zstd stream decompressed (zstd-wasm.ts) in a worker thread, pipelined with the caller: submit()
// compressed pieces in stream order (they are queued to the worker at once), take() the output of
// the oldest piece not yet taken. take() is synchronous — it blocks on an Atomics counter the worker
// bumps after each posted result and reads the result with receiveMessageOnPort — so a synchronous
// reader can keep its shape and stay deterministic: outputs come back in submission order, byte for
// byte what one ZstdStream on the calling thread would produce for the same pieces.
// A zstd error fails that piece (take() throws ZstdStreamError) and every later one.
// acquire()/release() keep one idle worker for the next stream of the process (its JIT stays warm);
// pieces carry a stream number, so results of an abandoned stream are dropped, never mixed in.
// Used by the perf.data reader (src/ingest/perf/zstd-prefetch.ts) for PERF_RECORD_COMPRESSED.
import { isMainThread, MessageChannel, type MessagePort, receiveMessageOnPort, Worker, workerData } from 'node:worker_threads';
import { builtScript } from '../../util/worker-script.js';
import { ZstdStream } from './zstd-wasm.js';

export class ZstdStreamError extends Error {
  /** True when the piece's output passed the stream's `maxOutput` (a likely decompression bomb). */
  constructor(message: string, readonly overLimit = false) {
    super(message);
  }
}

interface Piece {
  s: number;
  data: Uint8Array;
  max: number;
}

interface Result {
  s: number;
  out?: Uint8Array[];
  err?: string;
  overLimit?: boolean;
}

/** Give up when the worker has not answered for this long (it died or never started). */
const STALL_MS = 60_000;

/** The worker's side: one ZstdStream per stream number, each piece's output posted back in order. */
function serve(port: MessagePort, counter: Int32Array): void {
  // counter[0]: results posted, [1]: 1 once the thread is exiting (the waiting reader gives up at once).
  process.on('exit', () => {
    Atomics.store(counter, 1, 1);
    Atomics.notify(counter, 0);
  });
  const send = (r: Result, transfer: ArrayBuffer[]) => {
    port.postMessage(r, transfer);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  let failed = '';
  let overLimit = false;
  let stream = -1;
  let dec: ZstdStream | null = null;
  port.on('message', (piece: Piece) => {
    const s = piece.s;
    if (s !== stream) {
      stream = s;
      failed = '';
      overLimit = false;
      dec?.close();
      dec = new ZstdStream();
    }
    let total = 0;
    const out: Uint8Array[] = [];
    if (!failed) {
      try {
        dec!.push(piece.data, (chunk) => {
          total += chunk.length;
          if (total > piece.max) throw new Error(`output of one piece exceeds ${piece.max} bytes`);
          out.push(chunk.slice()); // the chunk is a view into the decoder's memory
        });
      } catch (e) {
        overLimit = total > piece.max;
        failed = (e as Error).message || String(e);
      }
    }
    if (failed) send({ s, err: failed, overLimit }, []);
    else send({ s, out }, out.map((p) => p.buffer as ArrayBuffer));
  });
}

let idle: ZstdStreamWorker | null = null;
let streams = 0;

export class ZstdStreamWorker {
  private worker: Worker | null;
  private stream = ++streams;
  private busy = true;
  private port: MessagePort;
  private counter = new Int32Array(new SharedArrayBuffer(8));
  private sizes: number[] = [];
  private head = 0;
  private crash = '';
  /** Compressed bytes submitted and not taken yet. */
  pendingBytes = 0;
  /** Output of one piece above this fails the stream (ZstdStreamError.overLimit). */
  maxOutput = Infinity;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const script = builtScript('zstd-worker.js', import.meta.url);
    if (!script) throw new Error('the zstd worker script is missing (run the build)');
    this.worker = new Worker(script, {
      workerData: { kvmtraceZstd: true, port: port2, counter: this.counter.buffer },
      transferList: [port2],
    });
    this.worker.unref();
    // A crash in the worker must not become an uncaught exception of this process: take() notices
    // the exit flag and fails the stream with this message.
    this.worker.on('error', (e: Error) => {
      this.crash = e.message || String(e);
    });
  }

  /** A worker for a new stream: the idle one left by release(), or a new one. */
  static acquire(): ZstdStreamWorker {
    const w = idle;
    idle = null;
    if (w && Atomics.load(w.counter, 1) === 1) w.close(); // that thread is gone
    if (!w || !w.worker) return new ZstdStreamWorker();
    w.stream = ++streams;
    w.busy = true;
    w.maxOutput = Infinity;
    return w;
  }

  /** Ends this stream; the worker is kept for the next acquire() (or closed if one is kept already). */
  release(): void {
    if (!this.busy) return;
    this.busy = false;
    this.sizes = [];
    this.head = 0;
    this.pendingBytes = 0;
    if (idle || !this.worker) this.close();
    else idle = this;
  }

  /** Pieces submitted and not taken yet. */
  get pending(): number {
    return this.sizes.length - this.head;
  }

  /** Queues the next piece of the stream (copied; the caller may reuse `data`). */
  submit(data: Uint8Array): void {
    const copy = data.slice();
    this.sizes.push(copy.length);
    this.pendingBytes += copy.length;
    const piece: Piece = { s: this.stream, data: copy, max: this.maxOutput };
    this.port.postMessage(piece, [copy.buffer]);
  }

  /** The output of the oldest piece not taken yet, in parts (blocks until the worker has it). */
  take(): Uint8Array[] {
    if (this.pending === 0) throw new Error('ZstdStreamWorker.take() with nothing submitted');
    let waited = 0;
    let gone = 0;
    for (;;) {
      const seen = Atomics.load(this.counter, 0);
      const m = receiveMessageOnPort(this.port);
      if (m && (m.message as Result).s !== this.stream) continue; // a result of an abandoned stream
      if (m) {
        this.pendingBytes -= this.sizes[this.head++];
        if (this.head > 1024 && this.head * 2 > this.sizes.length) {
          this.sizes = this.sizes.slice(this.head);
          this.head = 0;
        }
        const r = m.message as Result;
        if (r.err !== undefined) throw new ZstdStreamError(r.err, r.overLimit);
        return r.out!;
      }
      if (Atomics.load(this.counter, 1) === 1) {
        // It posted everything it will before flagging its exit: one more look, then give up.
        if (gone++ > 0) throw new Error(`the zstd worker thread stopped${this.crash ? `: ${this.crash}` : ''}`);
        continue;
      }
      if (Atomics.wait(this.counter, 0, seen, 1000) === 'timed-out') {
        waited += 1000;
        if (waited >= STALL_MS) throw new Error(`the zstd worker thread did not answer for ${STALL_MS / 1000} s`);
      }
    }
  }

  close(): void {
    if (idle === this) idle = null;
    this.busy = false;
    if (!this.worker) return;
    void this.worker.terminate();
    this.worker = null;
    this.port.close();
  }
}

const wd = workerData as { kvmtraceZstd?: boolean; port: MessagePort; counter: SharedArrayBuffer } | null;
if (!isMainThread && wd?.kvmtraceZstd === true) serve(wd.port, new Int32Array(wd.counter));
