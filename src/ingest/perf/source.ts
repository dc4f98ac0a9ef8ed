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
// Speed: samples of a fixed sample_type layout are decoded at fixed offsets (sample-layout.ts); the
// queue's due items are copied straight into the batch in one loop; a -z recording's zstd stream is
// decompressed by a worker thread ahead of the walk (zstd-prefetch.ts) when it is 1 MiB or more.
import { availableParallelism } from 'node:os';
import { Diagnostics } from '../../diag/diagnostics.js';
import { InputError } from '../../diag/errors.js';
import { EventBatch } from '../../model/event-batch.js';
import type { LostRecord, TraceMeta, TraceSource } from '../../model/trace-source.js';
import { BufferSource, type ByteSource } from '../io/byte-source.js';
import { Cursor } from '../io/cursor.js';
import { parseAttr, type PerfAttr } from './attr.js';
import { FEATURE_NAMES, READ_FORMAT, REC, SAMPLE } from './constants.js';
import { llcGroups, parseFeature, type PerfFeatures } from './features.js';
import type { PerfFile } from './open.js';
import { tracingDataAt } from './open.js';
import { OrderedQueue } from './ordered-queue.js';
import { LAYOUT_STRIDE, sampleLayout } from './sample-layout.js';
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
}

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

function idKey(hi: number, lo: number): number {
  return hi * TWO32 + lo;
}

function readSize(attr: PerfAttr): number {
  const rf = attr.readFormat;
  let n = 8;
  if (rf & READ_FORMAT.TOTAL_TIME_ENABLED) n += 8;
  if (rf & READ_FORMAT.TOTAL_TIME_RUNNING) n += 8;
  if (rf & READ_FORMAT.ID) n += 8;
  if (rf & READ_FORMAT.LOST) n += 8;
  return n;
}

const utf8 = new TextDecoder();

function cstr(buf: Uint8Array, s: number, e: number): string {
  let z = s;
  while (z < e && buf[z] !== 0) z++;
  return utf8.decode(buf.subarray(s, z));
}

export function perfSource(src: ByteSource, file: PerfFile, opts: PerfSourceOptions = {}): PerfTraceSource {
  const little = file.little;
  const diag = file.diag;
  const attrs = file.attrs;
  const features = file.features;
  const comms = new Map<number, string>();
  const tgids = new Map<number, number>();
  const lost: LostRecord[] = [];

  // ---- attr lookup by sample id ----
  const idToAttr = new Map<number, number>();
  const rebuildIds = () => {
    idToAttr.clear();
    attrs.forEach((a, i) => {
      for (const id of a.ids) idToAttr.set(idKey(Number(id >> 32n), Number(id & 0xffffffffn)), i);
    });
  };
  rebuildIds();
  // Sample ids are small consecutive numbers in practice: a direct table in front of the Map.
  let idBase = 0;
  let idDirect = new Int32Array(0);
  const buildIdDirect = () => {
    let min = Infinity;
    let max = -1;
    for (const k of idToAttr.keys()) {
      if (k < TWO32) {
        min = Math.min(min, k);
        max = Math.max(max, k);
      }
    }
    idDirect = new Int32Array(max < 0 || max - min >= 1 << 16 ? 0 : max - min + 1).fill(-1);
    idBase = max < 0 ? 0 : min;
    for (const [k, v] of idToAttr) if (k >= idBase && k - idBase < idDirect.length) idDirect[k - idBase] = v;
  };

  // ---- first pass: pipe-mode header records, the time base, the first comms ----
  let baseHi = -1;
  let baseLo = 0;
  let seenSample = false;
  let prescanCpuMax = -1;
  let tracing = file.tracing;
  const prescan: RecordHandler = (buf, view, off, size, type, fileOff, nested) => {
    switch (type) {
      case REC.HEADER_ATTR: {
        if (size < 8 + 64) throw new InputError(`HEADER_ATTR record of ${size} bytes is too short`, fileOff);
        const declared = view.getUint32(off + 12, little) || 64;
        if (8 + declared > size) throw new InputError(`HEADER_ATTR attr of ${declared} bytes runs past its ${size}-byte record`, fileOff);
        const attr = parseAttr(buf.subarray(off + 8, off + 8 + declared), little, fileOff + 8);
        for (let p = off + 8 + declared; p + 8 <= off + size; p += 8) attr.ids.push(view.getBigUint64(p, little));
        attrs.push(attr);
        rebuildIds();
        return 0;
      }
      case REC.HEADER_FEATURE: {
        if (size < 16) return 0;
        const bit = Number(view.getBigUint64(off + 8, little));
        const body = new BufferSource(buf.slice(off + 16, off + size));
        const c = new Cursor(body, 0);
        c.little = little;
        try {
          parseFeature(bit, c, features);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          throw new InputError(`HEADER_FEATURE ${FEATURE_NAMES[bit] ?? bit}: ${e.message}`, fileOff);
        }
        return 0;
      }
      case REC.HEADER_TRACING_DATA: {
        if (nested) return 0;
        const n = view.getUint32(off + 8, little);
        // The blob follows the record, outside header.size (P17).
        tracing = tracingDataAt(src, fileOff + size, Math.min(n, src.size - fileOff - size));
        return 0;
      }
      case REC.ID_INDEX: {
        const nr = size >= 16 ? Number(view.getBigUint64(off + 8, little)) : 0;
        for (let k = 0; k < nr && off + 16 + (k + 1) * 32 <= off + size; k++) {
          const p = off + 16 + k * 32;
          const key = idKey(view.getUint32(p + (little ? 4 : 0), little), view.getUint32(p + (little ? 0 : 4), little));
          const idx = Number(view.getBigUint64(p + 8, little));
          if (!idToAttr.has(key) && idx < attrs.length) idToAttr.set(key, idx);
        }
        return 0;
      }
      case REC.COMM: {
        if (size >= 16) comms.set(view.getInt32(off + 12, little), cstr(buf, off + 16, off + size));
        return 0;
      }
      case REC.SAMPLE: {
        if (attrs.length === 0) throw new InputError('sample record before any event attribute', fileOff);
        if (decodeHead(view, off, size)) {
          seenSample = true;
          if (hTimeHi !== 0 || hTimeLo !== 0) {
            if (baseHi < 0 || hTimeHi < baseHi || (hTimeHi === baseHi && hTimeLo < baseLo)) {
              baseHi = hTimeHi;
              baseLo = hTimeLo;
            }
          }
          if (hCpu > prescanCpuMax) prescanCpuMax = hCpu;
        }
        return 0;
      }
      case REC.FINISHED_ROUND:
        return seenSample ? -1 : 0;
      default:
        return 0;
    }
  };

  // Sample head decode (attr, tid/pid, time, cpu, raw position): shared by both passes.
  let hAttr = 0;
  let hPid = 0;
  let hTid = 0;
  let hTimeHi = 0;
  let hTimeLo = 0;
  let hCpu = 0;
  let hRaw = -1;
  let hRawLen = 0;
  let badSamples = 0;
  let unknownIds = 0;
  let sampleTypes: Int32Array = new Int32Array(0);
  let readSizes: Int32Array = new Int32Array(0);
  let layouts: Int32Array = new Int32Array(0);
  let idMode = 0; // 0 single attr, 1 IDENTIFIER at body start, 2 ID at idPos
  let idPos = 0;
  const setupAttrs = () => {
    sampleTypes = Int32Array.from(attrs.map((a) => a.sampleType));
    readSizes = Int32Array.from(attrs.map(readSize));
    buildIdDirect();
    layouts = Int32Array.from(attrs.flatMap((x, i) => sampleLayout(x.sampleType, x.readFormat, readSizes[i])));
    const st = attrs[0]?.sampleType ?? 0;
    if (attrs.length <= 1) idMode = 0;
    else if (st & SAMPLE.IDENTIFIER) idMode = 1;
    else if (st & SAMPLE.ID) {
      idMode = 2;
      idPos = 8 + 8 * (+!!(st & SAMPLE.IP) + +!!(st & SAMPLE.TID) + +!!(st & SAMPLE.TIME) + +!!(st & SAMPLE.ADDR));
    } else idMode = 0;
  };
  /** Decodes a sample's head into the h* variables; false when the sample is unusable. */
  function decodeHead(view: DataView, off: number, size: number): boolean {
    if (sampleTypes.length !== attrs.length) setupAttrs();
    const e = off + size;
    let a = 0;
    if (idMode !== 0) {
      const at = off + (idMode === 1 ? 8 : idPos);
      if (at + 8 > e) {
        badSamples++;
        return false;
      }
      const lo = view.getUint32(at + (little ? 0 : 4), little);
      const hi = view.getUint32(at + (little ? 4 : 0), little);
      const d = lo - idBase;
      a = hi === 0 && d >= 0 && d < idDirect.length ? idDirect[d] : -1;
      if (a < 0) {
        const found = idToAttr.get(idKey(hi, lo));
        if (found === undefined) {
          unknownIds++;
          return false;
        }
        a = found;
      }
    }
    hAttr = a;
    const lb = a * LAYOUT_STRIDE;
    if (layouts[lb] === 1) {
      // Fixed layout: the same answers as the field-by-field walk below, with no walk.
      if (size < layouts[lb + 5]) return bad();
      const t = layouts[lb + 1];
      hPid = t < 0 ? -1 : view.getInt32(off + t, little);
      hTid = t < 0 ? -1 : view.getInt32(off + t + 4, little);
      const tm = layouts[lb + 2];
      hTimeLo = tm < 0 ? 0 : view.getUint32(off + tm + (little ? 0 : 4), little);
      hTimeHi = tm < 0 ? 0 : view.getUint32(off + tm + (little ? 4 : 0), little);
      const c = layouts[lb + 3];
      hCpu = c < 0 ? 0 : view.getUint32(off + c, little);
      if (hCpu > 0xffff) return bad(); // damaged: as in the walk below
      const r = layouts[lb + 4];
      hRaw = -1;
      hRawLen = 0;
      if (r >= 0) {
        const n = view.getUint32(off + r, little);
        if (r + 4 + n > size) return bad();
        hRaw = off + r + 4;
        hRawLen = n;
      }
      return true;
    }
    const st = sampleTypes[a];
    let p = off + 8;
    if (st & SAMPLE.IDENTIFIER) p += 8;
    if (st & SAMPLE.IP) p += 8;
    hPid = -1;
    hTid = -1;
    if (st & SAMPLE.TID) {
      if (p + 8 > e) return bad();
      hPid = view.getInt32(p, little);
      hTid = view.getInt32(p + 4, little);
      p += 8;
    }
    hTimeHi = 0;
    hTimeLo = 0;
    if (st & SAMPLE.TIME) {
      if (p + 8 > e) return bad();
      hTimeLo = view.getUint32(p + (little ? 0 : 4), little);
      hTimeHi = view.getUint32(p + (little ? 4 : 0), little);
      p += 8;
    }
    if (st & SAMPLE.ADDR) p += 8;
    if (st & SAMPLE.ID) p += 8;
    if (st & SAMPLE.STREAM_ID) p += 8;
    hCpu = 0;
    if (st & SAMPLE.CPU) {
      if (p + 8 > e) return bad();
      hCpu = view.getUint32(p, little);
      if (hCpu > 0xffff) return bad(); // damaged: no kernel has that many CPUs (and batches hold u16 CPUs)
      p += 8;
    }
    if (st & SAMPLE.PERIOD) p += 8;
    if (st & SAMPLE.READ) {
      const attr = attrs[a];
      if (attr.readFormat & READ_FORMAT.GROUP) {
        if (p + 8 > e) return bad();
        const nr = Number(view.getBigUint64(p, little));
        const rf = attr.readFormat;
        const per = 8 + (rf & READ_FORMAT.ID ? 8 : 0) + (rf & READ_FORMAT.LOST ? 8 : 0);
        if (nr > size) return bad();
        p += 8 + (rf & READ_FORMAT.TOTAL_TIME_ENABLED ? 8 : 0) + (rf & READ_FORMAT.TOTAL_TIME_RUNNING ? 8 : 0) + nr * per;
      } else p += readSizes[a];
    }
    if (st & SAMPLE.CALLCHAIN) {
      if (p + 8 > e) return bad();
      const nr = Number(view.getBigUint64(p, little));
      if (nr > size) return bad();
      p += 8 + nr * 8;
    }
    hRaw = -1;
    hRawLen = 0;
    if (st & SAMPLE.RAW) {
      if (p + 4 > e) return bad();
      const n = view.getUint32(p, little);
      if (p + 4 + n > e) return bad();
      hRaw = p + 4;
      hRawLen = n;
    }
    return true;
  }
  function bad(): false {
    badSamples++;
    return false;
  }

  walkRecords({ src, start: file.dataStart, end: file.dataEnd, endIsCut: file.endIsCut, little, diag: new Diagnostics() }, prescan);
  // The second pass counts the samples it skips (the first one sees the first round again).
  badSamples = 0;
  unknownIds = 0;
  if (attrs.length === 0) throw new InputError('perf.data has no event attributes (no HEADER_ATTR records)', file.dataStart);
  setupAttrs();
  if (baseHi < 0) {
    baseHi = 0;
    baseLo = 0;
  }
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

  // ---- meta ----
  const t = features.topology;
  const cpus = Math.max(features.nrCpusAvail ?? 0, prescanCpuMax + 1, 1);
  const compressed = features.compressed ? `zstd (level ${features.compressed.level})` : 'none';
  const hostname = features.hostname;
  const uname = features.osrelease ? ['Linux', hostname ?? '', features.osrelease, features.arch ?? ''].filter((x) => x).join(' ') : undefined;
  const details: Array<[string, string]> = [
    ['mode', file.pipe ? 'pipe' : 'file'],
    ['perf version', features.version ?? 'unknown'],
    ['endianness', little ? 'little' : 'big'],
    ['data', `${file.dataEnd - file.dataStart} bytes at ${file.dataStart}${file.unfinished ? ' (header says 0: unfinished recording)' : ''}`],
    ['events', attrs.map((a) => a.name).join(', ')],
    ['compression', compressed],
    ['features', features.seen.map((b) => FEATURE_NAMES[b] ?? `#${b}`).join(', ') || 'none'],
  ];
  if (hostname) details.push(['hostname', hostname]);
  if (features.osrelease) details.push(['os release', features.osrelease]);
  if (features.arch) details.push(['arch', features.arch]);
  if (features.cpudesc) details.push(['cpu', features.cpudesc]);
  if (features.nrCpusAvail !== undefined) details.push(['cpus', `${features.nrCpusOnline} online, ${features.nrCpusAvail} available`]);
  if (features.totalMemKb !== undefined) details.push(['total memory', `${features.totalMemKb} kB`]);
  if (features.cmdline) details.push(['cmdline', features.cmdline.join(' ')]);
  if (t) {
    if (t.cpus.length) details.push(['topology', t.cpus.map((c) => `cpu${c.cpu}=socket ${c.socket}${c.die >= 0 ? ` die ${c.die}` : ''} core ${c.core}`).join(', ')]);
    if (t.packages.length) details.push(['packages', t.packages.join(' | ')]);
    if (t.cores.length) details.push(['cores (thread siblings)', t.cores.join(' | ')]);
    if (t.numa) details.push(['NUMA nodes', t.numa.map((n) => `node${n.node}: cpus ${n.cpus.join(',')} (${n.memTotalKb} kB)`).join('; ')]);
    const llc = llcGroups(t);
    if (llc.length) details.push(['LLC groups', llc.map((g) => g.join(',')).join(' | ')]);
  }
  if (tracing) {
    details.push(['tracing data', `version ${tracing.version}, ${formats.length} event formats, kernel long ${tracing.kernelLongSize}, page ${tracing.pageSize}`]);
  }
  const meta: TraceMeta = {
    format: 'perf.data',
    version: features.version ?? (file.pipe ? 'pipe' : 'file'),
    compression: compressed,
    cpus,
    clock: 'perf',
    clockIsNs: true,
    baseNs,
    buffer: '',
    buffers: [''],
    hostname,
    uname,
    osrelease: features.osrelease,
    cmdline: features.cmdline?.join(' '),
    nrCpusAvail: features.nrCpusAvail,
    nrCpusOnline: features.nrCpusOnline,
    topology: t,
    littleEndian: payloadLittle,
    longSize: tracing?.kernelLongSize ?? 8,
    pageSize: tracing?.pageSize,
    details,
  };

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
      if (!decodeHead(view, off, size)) return 0;
      if (hRaw < 0) {
        skippedSamples++;
        return 0;
      }
      const len = hRawLen;
      let evType = 0;
      if (len >= typeOff + 2) evType = payloadLittle ? buf[hRaw + typeOff] | (buf[hRaw + typeOff + 1] << 8) : (buf[hRaw + typeOff] << 8) | buf[hRaw + typeOff + 1];
      const cfg = attrConfig[hAttr];
      if (cfg >= 0 && cfg !== evType) idMismatch++;
      const fmt = fmtOfType[evType];
      if (hTimeHi === 0 && hTimeLo === 0) {
        emitSample(0 - baseHi * TWO32 - baseLo, hCpu, hTid, hPid, fmt, evType, buf, hRaw, len);
      } else {
        q.push((hTimeHi - baseHi) * TWO32 + (hTimeLo - baseLo), hCpu, hTid, hPid, fmt, evType, buf, hRaw, len);
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
      return threads.names[batchComm[i]];
    },
    pidOf(i: number) {
      return batchPid[i];
    },
    read(cb) {
      if (consumed) throw new Error('perf.data source can be read once');
      consumed = true;
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
      if (badSamples > 0) diag.add('bad-samples', 'data-loss', `${badSamples} sample records were shorter than their sample_type requires (or named an impossible CPU) and were skipped`, badSamples);
      if (unknownIds > 0) diag.add('unknown-sample-id', 'warning', `${unknownIds} samples carry an id that belongs to no event attribute and were skipped`, unknownIds);
      if (idMismatch > 0) diag.add('event-id-mismatch', 'warning', `${idMismatch} tracepoint samples have a common_type different from their attr's config (the payload's common_type was used)`, idMismatch);
      if (skippedSamples > 0) diag.add('non-tracepoint-samples', 'info', `${skippedSamples} samples without a tracepoint payload (no PERF_SAMPLE_RAW) were skipped`, skippedSamples);
    },
    close() {
      src.close();
    },
  };
  return source;
}

