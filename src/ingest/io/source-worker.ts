// Worker thread running a whole trace.dat read (open, page decoding, the per-CPU merge; and, for big
// compressed files, its own decompression worker) — or a whole perf.data read (record walk, ordering
// queue; perf-reader.ts adds the thread names) — and posting each finished EventBatch to the main
// thread, which runs the analyses meanwhile (source-thread.ts). Each message carries one batch copied
// into a transferred ArrayBuffer, plus the lost-event records and diagnostics that arose since the
// previous message, so the main thread's state matches a single-threaded read batch by batch.
// At most MAX_IN_FLIGHT messages wait unread: the worker sleeps on the shared counters otherwise.
import { isMainThread, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { DiagSeverity } from '../../diag/diagnostics.js';
import { InputError } from '../../diag/errors.js';
import type { EventBatch } from '../../model/event-batch.js';
import type { LostRecord, TraceSource } from '../../model/trace-source.js';
import { SideAnalyses } from '../../analyze/side.js';
import { FileSource } from './byte-source.js';
import { perfReaderHooks } from '../perf/perf-reader.js';
import { openTraceDat } from '../tracedat/open.js';
import type { ThreadMode } from '../tracedat/parallel.js';
import { traceDatSource } from '../tracedat/source.js';

/** Shared Int32 words: messages posted, messages taken, stop request. */
export const SENT = 0;
export const TAKEN = 1;
export const STOP_READ = 2;
export const MAX_IN_FLIGHT = 3;

export interface SourceWorkerData {
  kvmtraceSource: true;
  /** What the file is (default trace.dat). */
  kind?: 'tracedat' | 'perf';
  path: string;
  buffer?: string;
  batchSize?: number;
  threads?: ThreadMode;
  ctrl: SharedArrayBuffer;
  port: MessagePort;
  /** Run the side analyses (analyze/side.ts) on every batch and post their results with the end. */
  side?: boolean;
}

export type DiagCall = [code: string, severity: DiagSeverity, message: string, count: number];

export interface SourceMessage {
  kind: 'batch' | 'end' | 'error';
  /** Batch columns then payload bytes (see packBatch). */
  buf?: ArrayBuffer;
  n?: number;
  dataUsed?: number;
  lost: LostRecord[];
  diag: DiagCall[];
  error?: { message: string; offset?: number; file?: string; input: boolean };
  /** Per-format extras of a batch or of the end (perf-reader.ts). */
  extra?: unknown;
  /** The end: the side analyses' results, when asked for (SideResults, structured-cloned). */
  side?: unknown;
}

/** What a format adds to the generic read: the source, and extras with each batch and at the end. */
export interface ReaderHooks {
  source: { diag: { add: (code: string, severity: DiagSeverity, message: string, count?: number) => void }; lost: LostRecord[]; read(cb: (b: EventBatch) => boolean | void): void; close(): void };
  batchExtra?(b: EventBatch): { extra: unknown; transfer: ArrayBuffer[] };
  endExtra?(): unknown;
}

/** Column byte layout of a packed batch: ts f64, off u32, len u32, pid i32, fmt i32, cpu u16, type u16, data. */
export function packedLayout(n: number): { off: number; len: number; pid: number; fmt: number; cpu: number; type: number; data: number } {
  const off = 8 * n;
  const len = off + 4 * n;
  const pid = len + 4 * n;
  const fmt = pid + 4 * n;
  const cpu = fmt + 4 * n;
  const type = cpu + 2 * n;
  return { off, len, pid, fmt, cpu, type, data: type + 2 * n };
}

/** Batch buffers the main thread has finished with (it posts each back after its analyses ran). */
const recycled: ArrayBuffer[] = [];

function bufferFor(port: MessagePort, bytes: number): ArrayBuffer {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) if (m.message instanceof ArrayBuffer) recycled.push(m.message);
  while (recycled.length > 0) {
    const b = recycled.pop()!;
    if (b.byteLength >= bytes) return b;
  }
  return new ArrayBuffer(bytes + (bytes >> 3)); // slack, so that later batches fit it too
}

function packBatch(b: EventBatch, port: MessagePort): ArrayBuffer {
  const n = b.length;
  const L = packedLayout(n);
  const buf = bufferFor(port, L.data + b.dataUsed);
  new Float64Array(buf, 0, n).set(b.ts.subarray(0, n));
  new Uint32Array(buf, L.off, n).set(b.off.subarray(0, n));
  new Uint32Array(buf, L.len, n).set(b.len.subarray(0, n));
  new Int32Array(buf, L.pid, n).set(b.pid.subarray(0, n));
  new Int32Array(buf, L.fmt, n).set(b.fmt.subarray(0, n));
  new Uint16Array(buf, L.cpu, n).set(b.cpu.subarray(0, n));
  new Uint16Array(buf, L.type, n).set(b.type.subarray(0, n));
  new Uint8Array(buf, L.data, b.dataUsed).set(b.data.subarray(0, b.dataUsed));
  return buf;
}

function run(d: SourceWorkerData): void {
  const ctrl = new Int32Array(d.ctrl);
  const port = d.port;
  let diag: DiagCall[] = [];
  let lostSent = 0;
  const post = (m: SourceMessage, transfer: ArrayBuffer[] = []): void => {
    port.postMessage(m, transfer);
    Atomics.add(ctrl, SENT, 1);
    Atomics.notify(ctrl, SENT);
  };
  let s: ReaderHooks['source'] | null = null;
  try {
    const src = new FileSource(d.path);
    const hooks: ReaderHooks = d.kind === 'perf'
      ? perfReaderHooks(src, d.path, d.batchSize)
      : { source: traceDatSource(src, openTraceDat(src, d.path), { buffer: d.buffer, batchSize: d.batchSize, threads: d.threads, inWorker: true }) };
    s = hooks.source;
    const record = s.diag.add.bind(s.diag);
    s.diag.add = (code, severity, message, count = 1) => {
      diag.push([code, severity, message, count]);
      record(code, severity, message, count);
    };
    const source = s;
    const side = d.side ? new SideAnalyses(s as unknown as TraceSource) : null;
    const newLost = (): LostRecord[] => {
      const l = source.lost.slice(lostSent);
      lostSent = source.lost.length;
      return l;
    };
    source.read((b) => {
      side?.consume(b);
      const buf = packBatch(b, port);
      const x = hooks.batchExtra?.(b);
      post({ kind: 'batch', buf, n: b.length, dataUsed: b.dataUsed, lost: newLost(), diag, extra: x?.extra }, [buf, ...(x?.transfer ?? [])]);
      diag = [];
      for (;;) {
        if (Atomics.load(ctrl, STOP_READ) !== 0) return false;
        const taken = Atomics.load(ctrl, TAKEN);
        if (Atomics.load(ctrl, SENT) - taken < MAX_IN_FLIGHT) return true;
        Atomics.wait(ctrl, TAKEN, taken, 1000);
      }
    });
    if (Atomics.load(ctrl, STOP_READ) === 0) post({ kind: 'end', lost: newLost(), diag, extra: hooks.endExtra?.(), side: side?.finish() });
  } catch (e) {
    const err = e as Error;
    const input = e instanceof InputError;
    post({ kind: 'error', lost: s ? s.lost.slice(lostSent) : [], diag, error: { message: err.message, offset: input ? e.offset : undefined, file: input ? e.file : undefined, input } });
  } finally {
    s?.close();
  }
}

/** A worker started ahead of its read (source-thread.ts prestartReader): the read arrives on `port`. */
export interface IdleWorkerData {
  kvmtraceSourceIdle: true;
  port: MessagePort;
}

if (!isMainThread) {
  const wd = workerData as Partial<SourceWorkerData & IdleWorkerData> | null;
  if (wd?.kvmtraceSource === true) run(wd as SourceWorkerData);
  else if (wd?.kvmtraceSourceIdle === true) {
    const port = wd.port!;
    port.once('message', (d: SourceWorkerData) => {
      port.close();
      run(d);
    });
  }
}
