// A perf.data (file or pipe mode) as a TraceSource: tracepoint samples (PERF_SAMPLE_RAW) become
// EventBatch rows in the order `perf script` prints them, with no object per sample.
//
// Ordering (tools/perf/util/ordered-events.c, perf 6.1): every record with a timestamp (samples,
// and COMM/FORK/EXIT/LOST through their sample_id_all trailer) is queued; records whose time is 0
// or unknown are delivered at once. At each FINISHED_ROUND the queue is flushed up to `next_flush`
// (nothing on the first round), then next_flush = the newest queued timestamp, so a round is
// released one round later; the end flushes everything. Equal timestamps keep file order (a new
// event is queued after the queued ones with the same time). Memory is bounded by two rounds.
//
// Threads (threads.ts, after tools/perf/util/machine.c, thread.c, perf 6.1): a sample's thread is
// found or created by (pid, tid); COMM renames; FORK replaces the thread and inherits the parent's
// name; EXIT keeps the thread and its name. `commOf(i)` gives event i's thread name at the time of
// the sample, as perf script prints it.
//
// The first pass (pipe-mode header records, time base) is prescan.ts, sample heads sample-head.ts,
// the metadata perf-meta.ts.
// Speed: samples of a fixed sample_type layout are decoded at fixed offsets (sample-layout.ts); the
// queue's due items are copied straight into the batch in one loop; a -z recording's zstd stream is
// decompressed by a worker thread ahead of the walk (zstd-prefetch.ts) when it is 1 MiB or more.
import { availableParallelism } from 'node:os';
import { FileSource } from '../io/byte-source.js';
import { threadModeFromEnv, type ThreadMode } from '../tracedat/parallel.js';
import { readHereWithSide, readInWorker, type SidePromise } from '../io/source-thread.js';
import type { PerfBatchExtra, PerfEndExtra } from './perf-reader.js';
import { InputError } from '../../diag/errors.js';
import { EventBatch } from '../../model/event-batch.js';
import type { LostRecord, TraceSource } from '../../model/trace-source.js';
import type { ByteSource } from '../io/byte-source.js';
import type { PerfAttr } from './attr.js';
import { REC, SAMPLE } from './constants.js';
import type { PerfFeatures } from './features.js';
import type { PerfFile } from './open.js';
import { OrderedQueue } from './ordered-queue.js';
import { perfMeta } from './perf-meta.js';
import { cstr, prescanPerf } from './prescan.js';
import { SampleHeads } from './sample-head.js';
import { ThreadTable } from './threads.js';
import { walkRecords, type RecordHandler } from './walk.js';

export interface PerfSourceOptions {
  batchSize?: number;
  /**
   * Decompress PERF_RECORD_COMPRESSED in a worker thread pipelined with the record walk (same
   * events, same order). Default: when the data section of a -z recording is at least 1 MiB and
   * there is more than one CPU; a number forces it with that many compressed records in flight.
   * KVMTRACE_ZSTD_WORKER=0/1 overrides.
   */
  zstdWorker?: boolean | number;
  /**
   * Read in a reader thread while the caller's thread runs the analyses: 'auto' (a data section of
   * READER_THREAD_MIN_BYTES or more; default from KVMTRACE_WORKERS), 'off', 'on'.
   */
  readerThread?: ThreadMode;
  /** Set inside the reader thread itself. */
  inWorker?: boolean;
}

/**
 * Smallest data section worth a reader thread: starting one (its module graph, a second zstd
 * thread for -z) costs about 0.1–0.2 s, which a 76 MB recording does not win back (measured 5–10 %
 * slower) and a 527 MB one does (1.94 → 1.70 s).
 */
const READER_THREAD_MIN_BYTES = 128 << 20;
/** perf's lost-event diagnostics are computed at the end of the read in the reader thread: replay them all. */
const NO_END_CODES: ReadonlySet<string> = new Set();

/** Smallest compressed data section worth a worker thread (starting one costs ~10 ms). */
const ZSTD_WORKER_MIN_BYTES = 1 << 20;

export interface PerfTraceSource extends TraceSource {
  /** tid → process id (tgid), from samples, COMM and FORK; complete after read(). */
  tgids: Map<number, number>;
  /** Thread name of event `i` of the batch being delivered, at the time of the sample. */
  commOf(i: number): string;
  /** Process id (the sample's pid, -1 when the kernel could not tell) of event `i` of the batch being delivered. */
  pidOf(i: number): number;
  attrs: PerfAttr[];
  features: PerfFeatures;
  /** Samples without a tracepoint payload (PERF_SAMPLE_RAW), skipped; known after read(). */
  skippedSamples: number;
  /** Thread-name ids and pids of the batch being delivered, and the interned names (perf-reader.ts). */
  threadColumns(): { comm: Int32Array; pid: Int32Array; names: string[] };
}

const TWO32 = 4294967296;
const SIDE_COMM = 1;
const SIDE_FORK = 2;
const SIDE_EXIT = 3;
const SIDE_LOST = 4;
const SIDE_LOST_SAMPLES = 5;
/** Queue arena limit before a forced half flush (perf's OE_FLUSH__HALF when it runs out of memory). */
const MAX_QUEUE_BYTES = 256 << 20;

interface SideEvent {
  kind: number;
  pid: number;
  tid: number;
  ppid: number;
  ptid: number;
  comm: string;
  count: number;
  fileOff: number;
}

export function perfSource(src: ByteSource, file: PerfFile, opts: PerfSourceOptions = {}): PerfTraceSource {
  const little = file.little;
  const diag = file.diag;
  const attrs = file.attrs;
  const features = file.features;
  const comms = new Map<number, string>();
  const tgids = new Map<number, number>();
  const lost: LostRecord[] = [];

  // ---- first pass: pipe-mode header records, the time base, the first comms ----
  const heads = new SampleHeads(attrs, little);
  const pre = prescanPerf(src, file, heads, comms);
  const tracing = pre.tracing;
  // The second pass counts the samples it skips (the first one sees the first round again).
  heads.badSamples = 0;
  heads.unknownIds = 0;
  if (attrs.length === 0) throw new InputError('perf.data has no event attributes (no HEADER_ATTR records)', file.dataStart);
  heads.setup();
  const baseHi = Math.max(pre.baseHi, 0);
  const baseLo = pre.baseHi < 0 ? 0 : pre.baseLo;
  const baseNs = (BigInt(baseHi) << 32n) + BigInt(baseLo);

  // ---- formats ----
  const formats = tracing?.formats ?? [];
  if (!tracing) diag.add('no-tracing-data', 'warning', 'the perf.data has no tracing data (HEADER_TRACING_DATA): tracepoint payloads cannot be decoded');
  for (const b of tracing?.badFormats ?? []) diag.add('bad-format', 'warning', `event format not parsed: ${b}`);
  const fmtOfType = new Int32Array(65536).fill(-1);
  formats.forEach((f, i) => {
    if (f.id >= 0 && f.id < 65536) fmtOfType[f.id] = i;
  });
  const common = formats.find((f) => f.fields.some((x) => x.name === 'common_type'));
  const typeOff = common?.fields.find((x) => x.name === 'common_type')?.offset ?? 0;
  const payloadLittle = tracing?.little ?? little;
  for (const [pid, name] of tracing?.cmdlines ?? []) if (!comms.has(pid)) comms.set(pid, name);
  const attrConfig = attrs.map((a) => (a.type === 2 && a.config < 65536n ? Number(a.config) : -1));
  attrs.forEach((a, i) => {
    if (!a.name) {
      const nm = a.ids.map((id) => features.eventNames.get(id)).find((x) => x);
      const f = attrConfig[i] >= 0 ? formats[fmtOfType[attrConfig[i]]] : undefined;
      a.name = nm ?? (f ? `${f.system}:${f.name}` : `type ${a.type} config 0x${a.config.toString(16)}`);
    }
  });

  const meta = perfMeta(file, tracing, pre.cpuMax, baseNs);

  // ---- threads ----
  const threads = new ThreadTable(tgids);

  // ---- ordered queue ----
  const q = new OrderedQueue<SideEvent>();
  let nextFlush = NaN;

  // ---- output ----
  let batch: EventBatch | null = null;
  let batchComm = new Int32Array(0);
  let batchPid = new Int32Array(0);
  let onBatch: ((b: EventBatch) => boolean | void) | null = null;
  let stopped = false;
  let idMismatch = 0;
  let skippedSamples = 0;
  const lostAt: string[] = [];
  // perf record writes LOST_SAMPLES from each event's PERF_FORMAT_LOST count at the end: the same
  // drops the ring buffer's LOST records already count, so they only count when no LOST exists.
  const lostSamples: LostRecord[] = [];
  const lostSamplesAt: string[] = [];

  const emitSample = (ts: number, cpu: number, tid: number, pid: number, fmt: number, type: number, buf: Uint8Array, s: number, len: number) => {
    const b = batch!;
    const slot = threads.findnew(pid, tid);
    batchComm[b.length] = threads.comm[slot];
    batchPid[b.length] = pid;
    b.push(ts, cpu, tid, fmt, type, buf, s, len);
    if (b.full) {
      if (onBatch!(b) === false) stopped = true;
      b.reset();
    }
  };
  const applySide = (ev: SideEvent, ts: number, cpu: number) => {
    switch (ev.kind) {
      case SIDE_COMM:
        threads.rename(ev.pid, ev.tid, ev.comm);
        comms.set(ev.tid, ev.comm);
        break;
      case SIDE_FORK: {
        const name = threads.fork(ev.pid, ev.tid, ev.ppid, ev.ptid);
        if (name !== undefined) comms.set(ev.tid, name);
        break;
      }
      case SIDE_EXIT:
        threads.findnew(ev.pid, ev.tid);
        break;
      case SIDE_LOST:
        lost.push({ cpu, count: ev.count, beforeTs: ts });
        if (lostAt.length < 5) lostAt.push(`${ev.count} on CPU ${cpu} (record at byte ${ev.fileOff})`);
        break;
      case SIDE_LOST_SAMPLES:
        lostSamples.push({ cpu, count: ev.count, beforeTs: ts });
        if (lostSamplesAt.length < 5) lostSamplesAt.push(`${ev.count} on CPU ${cpu} (record at byte ${ev.fileOff})`);
        break;
    }
  };

  // Delivers the queued items with ts <= limit, in order, into the batch (the hot loop: columns
  // copied straight from the queue's, one thread lookup per sample).
  let bData: Uint8Array | null = null;
  let bData32: Uint32Array = new Uint32Array(0);
  const flushUpTo = (limit: number) => {
    const due = q.sort(limit);
    const order = q.order;
    const qTs = q.ts;
    const qCpu = q.cpu;
    const qTid = q.tid;
    const qPid = q.pid;
    const qFmt = q.fmt;
    const qType = q.type;
    const qOff = q.off;
    const qLen = q.len;
    const qData = q.data;
    const qData32 = q.data32;
    const thrComm = threads.comm;
    const b = batch!;
    for (let k = 0; k < due; k++) {
      const i = order[k];
      const f = qFmt[i];
      if (f <= -2) {
        applySide(q.side[-2 - f], qTs[i], qCpu[i]);
        continue;
      }
      const pid = qPid[i];
      const tid = qTid[i];
      const j = b.length;
      batchComm[j] = thrComm[threads.findnew(pid, tid)];
      batchPid[j] = pid;
      // EventBatch.push, inlined: perf's raw payloads are 4-byte multiples (u32 size + data padded
      // to u64), so they pack 4-aligned and copy by words from the queue's 4-aligned arena.
      const len = qLen[i];
      b.reserve(len);
      const o = b.dataUsed;
      b.ts[j] = qTs[i];
      b.cpu[j] = qCpu[i];
      b.pid[j] = tid;
      b.fmt[j] = f;
      b.type[j] = qType[i];
      b.off[j] = o;
      b.len[j] = len;
      const from = qOff[i];
      if (((o | len) & 3) === 0) {
        if (b.data !== bData) {
          bData = b.data;
          bData32 = new Uint32Array(bData.buffer, bData.byteOffset, bData.byteLength >> 2);
        }
        const to = o >> 2;
        const w = from >> 2;
        for (let x = 0, nw = len >> 2; x < nw; x++) bData32[to + x] = qData32[w + x];
      } else {
        const d = b.data;
        for (let x = 0; x < len; x++) d[o + x] = qData[from + x];
      }
      b.dataUsed = o + len;
      b.length = j + 1;
      if (b.full) {
        if (onBatch!(b) === false) {
          stopped = true;
          return;
        }
        b.reset();
      }
    }
    q.keep(due);
  };

  // Trailer (sample_id_all) of non-sample records: the first attr's layout (perf requires one).
  const st0 = attrs[0].sampleType;
  const idAll = attrs[0].sampleIdAll;
  let trTs = 0;
  let trZero = true;
  let trCpu = 0;
  const trailer = (view: DataView, off: number, size: number) => {
    trZero = true;
    trCpu = 0;
    if (!idAll) return;
    let p = off + size;
    if (st0 & SAMPLE.IDENTIFIER) p -= 8;
    if (st0 & SAMPLE.CPU) {
      p -= 8;
      if (p >= off + 8) trCpu = view.getUint32(p, little);
    }
    if (st0 & SAMPLE.STREAM_ID) p -= 8;
    if (st0 & SAMPLE.ID) p -= 8;
    if (st0 & SAMPLE.TIME) {
      p -= 8;
      if (p < off + 8) return;
      const lo = view.getUint32(p + (little ? 0 : 4), little);
      const hi = view.getUint32(p + (little ? 4 : 0), little);
      if ((lo === 0 && hi === 0) || (lo === 0xffffffff && hi === 0xffffffff)) return;
      trZero = false;
      trTs = (hi - baseHi) * TWO32 + (lo - baseLo);
    }
  };
  const queueSide = (ev: SideEvent, view: DataView, off: number, size: number) => {
    trailer(view, off, size);
    if (trZero) {
      applySide(ev, NaN, trCpu);
      return;
    }
    q.pushSide(trTs, trCpu, ev.tid, ev.pid, ev);
  };

  const handler: RecordHandler = (buf, view, off, size, type, fileOff) => {
    if (type === REC.SAMPLE) {
      if (!heads.decode(view, off, size)) return 0;
      const raw = heads.raw;
      if (raw < 0) {
        skippedSamples++;
        return 0;
      }
      const len = heads.rawLen;
      let evType = 0;
      if (len >= typeOff + 2) evType = payloadLittle ? buf[raw + typeOff] | (buf[raw + typeOff + 1] << 8) : (buf[raw + typeOff] << 8) | buf[raw + typeOff + 1];
      const cfg = attrConfig[heads.attr];
      if (cfg >= 0 && cfg !== evType) idMismatch++;
      const fmt = fmtOfType[evType];
      const timeHi = heads.timeHi;
      const timeLo = heads.timeLo;
      if (timeHi === 0 && timeLo === 0) {
        emitSample(0 - baseHi * TWO32 - baseLo, heads.cpu, heads.tid, heads.pid, fmt, evType, buf, raw, len);
      } else {
        q.push((timeHi - baseHi) * TWO32 + (timeLo - baseLo), heads.cpu, heads.tid, heads.pid, fmt, evType, buf, raw, len);
        if (q.used > MAX_QUEUE_BYTES) {
          diag.add('ordering-window', 'warning', `more than ${MAX_QUEUE_BYTES} bytes of samples without a FINISHED_ROUND: half of the queue was delivered early (order may differ from perf script)`);
          flushUpTo((q.minTs() + q.maxTs) / 2);
        }
      }
      return stopped ? -1 : 0;
    }
    switch (type) {
      case REC.FINISHED_ROUND:
        // perf: nothing happens on an empty queue; else flush to the previous round's newest time.
        if (q.live > 0) {
          if (!Number.isNaN(nextFlush)) flushUpTo(nextFlush);
          nextFlush = q.maxTs;
        }
        return stopped ? -1 : 0;
      case REC.COMM:
        if (size >= 16) {
          queueSide({ kind: SIDE_COMM, pid: view.getInt32(off + 8, little), tid: view.getInt32(off + 12, little), ppid: 0, ptid: 0, comm: cstr(buf, off + 16, off + size), count: 0, fileOff }, view, off, size);
        }
        return stopped ? -1 : 0;
      case REC.FORK:
      case REC.EXIT:
        if (size >= 32) {
          queueSide({
            kind: type === REC.FORK ? SIDE_FORK : SIDE_EXIT,
            pid: view.getInt32(off + 8, little), ppid: view.getInt32(off + 12, little),
            tid: view.getInt32(off + 16, little), ptid: view.getInt32(off + 20, little),
            comm: '', count: 0, fileOff,
          }, view, off, size);
        }
        return stopped ? -1 : 0;
      case REC.LOST:
      case REC.LOST_SAMPLES: {
        const at = type === REC.LOST ? off + 16 : off + 8;
        if (at + 8 <= off + size) {
          const count = Number(view.getBigUint64(at, little));
          queueSide({ kind: type === REC.LOST ? SIDE_LOST : SIDE_LOST_SAMPLES, pid: -1, tid: -1, ppid: 0, ptid: 0, comm: '', count, fileOff }, view, off, size);
        }
        return stopped ? -1 : 0;
      }
      default:
        return 0;
    }
  };

  // ---- the read in a reader thread ----
  let names = threads.names;
  const inThread = (): boolean => {
    const mode = opts.readerThread ?? threadModeFromEnv();
    const big = file.dataEnd - file.dataStart >= READER_THREAD_MIN_BYTES && availableParallelism() > 1;
    return src instanceof FileSource && !opts.inWorker && (mode === 'on' || (mode === 'auto' && big));
  };
  /** Side analyses promised to the reader thread (offloadSide). */
  let side: SidePromise | null = null;
  const readInThread = (cb: (b: EventBatch) => boolean | void): boolean => {
    if (!inThread()) return false;
    names = [];
    const onExtra = (x: unknown, end: boolean) => {
      if (end) {
        const e = x as PerfEndExtra;
        for (const [k, v] of e.comms) comms.set(k, v);
        for (const [k, v] of e.tgids) tgids.set(k, v);
        skippedSamples = e.skipped;
        return;
      }
      const e = x as PerfBatchExtra;
      const n = e.buf.byteLength >> 3;
      batchComm = new Int32Array(e.buf, 0, n);
      batchPid = new Int32Array(e.buf, 4 * n, n);
      for (const nm of e.names) names.push(nm);
    };
    const args = { kind: 'perf' as const, path: (src as FileSource).path, batchSize: opts.batchSize, little: payloadLittle, diag, lost, endCodes: NO_END_CODES, onExtra, side };
    if (readInWorker(args, cb)) return true;
    names = threads.names;
    return false;
  };

  let consumed = false;
  const source: PerfTraceSource = {
    meta,
    formats,
    comms,
    kallsyms: tracing?.kallsyms ?? '',
    printk: tracing?.printk,
    tgids,
    diag,
    lost,
    attrs,
    features,
    get skippedSamples() {
      return skippedSamples;
    },
    commOf(i: number) {
      return names[batchComm[i]];
    },
    threadColumns() {
      return { comm: batchComm, pid: batchPid, names };
    },
    pidOf(i: number) {
      return batchPid[i];
    },
    offloadSide(local) {
      if (!inThread()) return null;
      side = { local, out: {} };
      return side.out;
    },
    read(cb) {
      if (consumed) throw new Error('perf.data source can be read once');
      consumed = true;
      if (!readInThread(cb)) readHereWithSide(side, readHere, cb);
    },
    close() {
      src.close();
    },
  };
  /** The read on this thread: the record walk, the ordering queue, the loss diagnostics. */
  function readHere(cb: (b: EventBatch) => boolean | void): void {
    const b = new EventBatch(opts.batchSize, payloadLittle);
    batch = b;
    batchComm = new Int32Array(b.capacity);
    batchPid = new Int32Array(b.capacity);
    onBatch = cb;
    const env = process.env.KVMTRACE_ZSTD_WORKER;
    const auto = !!features.compressed && file.dataEnd - file.dataStart >= ZSTD_WORKER_MIN_BYTES && availableParallelism() > 1;
    const zstdWorker = env === '0' || env === '1' ? env === '1' : opts.zstdWorker ?? auto;
    walkRecords({ src, start: file.dataStart, end: file.dataEnd, endIsCut: file.endIsCut, little, diag, zstdWorker }, handler);
    if (!stopped) flushUpTo(Infinity);
    if (!stopped && b.length > 0) {
      cb(b);
      b.reset();
    }
    let known = 0;
    for (const l of lost) known += l.count;
    let perEvent = 0;
    for (const l of lostSamples) perEvent += l.count;
    if (known > 0) {
      diag.add('lost-events', 'data-loss', `${known} events were lost (perf ring buffer overrun, ${lost.length} LOST records: ${lostAt.join('; ')})`, known);
      if (perEvent > 0) diag.add('lost-samples', 'info', `LOST_SAMPLES records count ${perEvent} lost samples per event (the same drops as the LOST records): ${lostSamplesAt.join('; ')}`, perEvent);
    } else if (perEvent > 0) {
      lost.push(...lostSamples);
      diag.add('lost-events', 'data-loss', `${perEvent} samples were lost (${lostSamples.length} LOST_SAMPLES records: ${lostSamplesAt.join('; ')})`, perEvent);
    }
    if (heads.badSamples > 0) diag.add('bad-samples', 'data-loss', `${heads.badSamples} sample records were shorter than their sample_type requires (or named an impossible CPU) and were skipped`, heads.badSamples);
    if (heads.unknownIds > 0) diag.add('unknown-sample-id', 'warning', `${heads.unknownIds} samples carry an id that belongs to no event attribute and were skipped`, heads.unknownIds);
    if (idMismatch > 0) diag.add('event-id-mismatch', 'warning', `${idMismatch} tracepoint samples have a common_type different from their attr's config (the payload's common_type was used)`, idMismatch);
    if (skippedSamples > 0) diag.add('non-tracepoint-samples', 'info', `${skippedSamples} samples without a tracepoint payload (no PERF_SAMPLE_RAW) were skipped`, skippedSamples);
  }
  return source;
}

