// Main-thread side of the source worker (source-worker.ts): the whole trace.dat read runs in a worker
// thread while this thread runs the analyses on the batches it posts — the decode and the analyses
// each get a core. Messages are taken synchronously (receiveMessageOnPort, waiting on a shared
// counter), so TraceSource.read stays a plain synchronous call. Batches, their boundaries, the
// lost-event records and the diagnostics are those of the single-threaded read, replayed in order.
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Diagnostics } from '../../diag/diagnostics.js';
import { InputError } from '../../diag/errors.js';
import { EventBatch } from '../../model/event-batch.js';
import type { LostRecord, SideOffload, SideRunner } from '../../model/trace-source.js';
import { builtScript } from '../../util/worker-script.js';
import type { ThreadMode } from '../tracedat/parallel.js';
import { packedLayout, SENT, STOP_READ, TAKEN, type IdleWorkerData, type SourceMessage, type SourceWorkerData } from './source-worker.js';

/** Batches delivered through reader threads in this process (tests check the threaded path ran). */
export const readerStats = { threads: 0, batches: 0 };

/** A control word nobody writes: waiting on it is a plain sleep. */
const IDLE = 3;
/** Codes the main thread computes itself from the lost records at the end of a read. */
const END_CODES = new Set(['lost-events', 'lost-events-unknown']);

function unpack(m: SourceMessage, little: boolean): EventBatch {
  const n = m.n!;
  const buf = m.buf!;
  const L = packedLayout(n);
  const b = new EventBatch(1, little);
  b.length = n;
  b.ts = new Float64Array(buf, 0, n);
  b.off = new Uint32Array(buf, L.off, n);
  b.len = new Uint32Array(buf, L.len, n);
  b.pid = new Int32Array(buf, L.pid, n);
  b.fmt = new Int32Array(buf, L.fmt, n);
  b.cpu = new Uint16Array(buf, L.cpu, n);
  b.type = new Uint16Array(buf, L.type, n);
  b.data = new Uint8Array(buf, L.data, m.dataUsed!);
  b.view = new DataView(buf, L.data, m.dataUsed!);
  b.dataUsed = m.dataUsed!;
  return b;
}

export interface SourceThreadArgs {
  /** What the file is (default trace.dat). */
  kind?: 'tracedat' | 'perf';
  path: string;
  buffer?: string;
  batchSize?: number;
  /** Decompression worker mode inside the reader thread. */
  threads?: ThreadMode;
  little: boolean;
  diag: Diagnostics;
  lost: LostRecord[];
  /** Diagnostic codes not replayed because the caller computes them after the read (default: the lost-event sums). */
  endCodes?: ReadonlySet<string>;
  /** Each batch's and the end's per-format extras (perf-reader.ts), before the batch is delivered. */
  onExtra?(extra: unknown, end: boolean): void;
  /** Side analyses the source promised (TraceSource.offloadSide): run in the worker, results into `side.out`. */
  side?: SidePromise | null;
}

/** Side analyses a source promised to its reader thread (TraceSource.offloadSide). */
export interface SidePromise {
  local: () => SideRunner;
  out: SideOffload;
}

/**
 * The read on the calling thread (`readHere`), with the side analyses a source promised to a
 * reader thread that could not start run here on the same batches.
 */
export function readHereWithSide(side: SidePromise | null, readHere: (cb: (b: EventBatch) => boolean | void) => void, onBatch: (b: EventBatch) => boolean | void): void {
  if (!side) return readHere(onBatch);
  const runner = side.local();
  readHere((b) => {
    runner.consume(b);
    return onBatch(b);
  });
  side.out.results = runner.finish();
}

/** A reader worker started before any file was opened (prestartReader), waiting for its read. */
let idle: { worker: Worker; port: MessagePort } | null = null;

/**
 * Starts a reader worker ahead of time: it loads its modules (the trace.dat, perf.data and zstd
 * readers) and waits; the next readInWorker hands it its read instead of starting one.
 */
export function prestartReader(): void {
  if (idle) return;
  const script = builtScript('source-worker.js', import.meta.url);
  if (!script) return;
  const { port1, port2 } = new MessageChannel();
  try {
    const worker = new Worker(script, { workerData: { kvmtraceSourceIdle: true, port: port2 } satisfies IdleWorkerData, transferList: [port2] });
    worker.unref();
    worker.on('error', () => {});
    idle = { worker, port: port1 };
  } catch {
    port1.close();
  }
}

/**
 * Streams the file's batches from a worker into `onBatch`. Returns false (nothing read) when no
 * worker could be started: the caller then reads on this thread.
 */
export function readInWorker(a: SourceThreadArgs, onBatch: (b: EventBatch) => boolean | void): boolean {
  const script = builtScript('source-worker.js', import.meta.url);
  if (!script) return false;
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  const { port1, port2 } = new MessageChannel();
  const endCodes = a.endCodes ?? END_CODES;
  const data: SourceWorkerData = { kvmtraceSource: true, kind: a.kind, path: a.path, buffer: a.buffer, batchSize: a.batchSize, threads: a.threads, ctrl: ctrl.buffer as SharedArrayBuffer, port: port2, side: !!a.side };
  let worker: Worker;
  const pre = idle;
  idle = null;
  if (pre) {
    pre.port.postMessage(data, [port2]);
    worker = pre.worker;
  } else {
    try {
      worker = new Worker(script, { workerData: data, transferList: [port2] });
    } catch {
      return false;
    }
  }
  worker.unref();
  worker.on('error', () => {});
  readerStats.threads++;
  let taken = 0;
  let waited = 0;
  let delivered = 0;
  try {
    for (;;) {
      if (Atomics.load(ctrl, SENT) === taken) {
        if (taken === 0 && waited > 60_000) return false; // never started: read on this thread instead
        Atomics.wait(ctrl, SENT, taken, 50);
        waited += 50;
        continue;
      }
      const got = receiveMessageOnPort(port1);
      if (!got) {
        Atomics.wait(ctrl, IDLE, 0, 1); // posted, not yet visible on this port: a moment
        continue;
      }
      const m = got.message as SourceMessage;
      taken++;
      Atomics.store(ctrl, TAKEN, taken);
      Atomics.notify(ctrl, TAKEN);
      for (const l of m.lost) a.lost.push(l);
      for (const [code, sev, msg, count] of m.diag) if (!endCodes.has(code)) a.diag.add(code, sev, msg, count);
      if (m.kind === 'batch') {
        readerStats.batches++;
        delivered++;
        a.onExtra?.(m.extra, false);
        if (onBatch(unpack(m, a.little)) === false) break;
        // The batch's views are dead once onBatch returns (TraceSource.read's contract): the buffer
        // goes back to the worker for a later batch, so neither thread allocates one per batch.
        port1.postMessage(m.buf, [m.buf!]);
      } else if (m.kind === 'end') {
        a.onExtra?.(m.extra, true);
        if (a.side) a.side.out.results = m.side;
        break;
      } else {
        const e = m.error!;
        // The worker could not read the file at all (an unlinked temporary file of a gzip/zstd-wrapped
        // input cannot be reopened by path; found by the fuzzer): read on this thread instead.
        if (!e.input && delivered === 0) return false;
        throw e.input ? new InputError(e.message, e.offset, e.file) : new Error(e.message);
      }
    }
  } finally {
    Atomics.store(ctrl, STOP_READ, 1);
    Atomics.notify(ctrl, TAKEN);
    port1.close();
    pre?.port.close();
    void worker.terminate();
  }
  return true;
}
