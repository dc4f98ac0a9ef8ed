// A trace.dat as a TraceSource: picks the buffer instance, sets up one page source and cursor per
// CPU, chooses the timestamp base and the clock conversion, and streams merged EventBatches.
// Clock rules (trace-cmd trace-input.c timestamp_calc, trace-formats.md §7.1 and P10): TSC2NSEC
// converts x86-tsc cycles with ns = (ts * mult) >> shift (64-bit wrap, offset field ignored), then
// DATE×1000 + OFFSET is added; `x86-tsc`/`counter` without TSC2NSEC stay raw counts.
import { Diagnostics } from '../../diag/diagnostics.js';
import { InputError, UsageError } from '../../diag/errors.js';
import { EventBatch } from '../../model/event-batch.js';
import { lostTotals, type LostRecord, type TraceMeta, type TraceSource } from '../../model/trace-source.js';
import { FileSource } from '../io/byte-source.js';
import { CpuCursor, type PageLayout } from './cpu-cursor.js';
import { OPTION_NAMES, type TraceDatFile } from './file-info.js';
import { mergeCursors } from './merge.js';
import { PageSource } from './page-source.js';
import { MIN_THREAD_BYTES, MIN_THREAD_COMPRESSED_BYTES, startDecodeWorker, threadModeFromEnv, type DecodeWorker, type ThreadMode } from './parallel.js';
import { readHereWithSide, readInWorker, type SidePromise } from '../io/source-thread.js';

const MASK64 = (1n << 64n) - 1n;
const RAW_CLOCKS = new Set(['x86-tsc', 'counter']);

export interface TraceDatSourceOptions {
  /** Buffer instance to read ('' or undefined = top). */
  buffer?: string;
  batchSize?: number;
  /** Decompress in a worker thread: 'auto' (big compressed files; default from KVMTRACE_WORKERS), 'off', 'on'. */
  threads?: ThreadMode;
  /** Read (decode + merge) in a worker thread while the caller consumes batches: same values. */
  readerThread?: ThreadMode;
  /** Set by the reader thread itself (no second reader thread inside it). */
  inWorker?: boolean;
}

export function traceDatSource(src: FileSource, file: TraceDatFile, opts: TraceDatSourceOptions = {}): TraceSource {
  const name = opts.buffer ?? '';
  const buf = file.buffers.find((b) => b.name === name);
  if (!buf) {
    const have = file.buffers.map((b) => (b.name === '' ? '(top)' : b.name)).join(', ') || 'none';
    // The user named no buffer and the file has no top-instance data table: the file is damaged.
    if (opts.buffer === undefined) throw new InputError(`no per-CPU data for the top buffer instance (buffers: ${have})`);
    throw new UsageError(`${file.path}: no buffer instance "${name}" (buffers: ${have})`);
  }
  const diag = new Diagnostics();
  for (const b of file.badFormats) diag.add('bad-format', 'warning', `event format not parsed: ${b}`);
  if (file.recovered) diag.add('truncated-file', 'data-loss', file.recovered);
  const o = file.options;
  const tsc = o.tsc2nsec;
  const offset = o.dateOffsetNs + o.offsetNs;
  const clockIsNs = !!tsc || !RAW_CLOCKS.has(buf.clock);
  let base = 0n;
  const toNs = tsc
    ? (raw: bigint) => (((raw * BigInt(tsc.mult)) & MASK64) >> BigInt(tsc.shift)) + offset
    : (raw: bigint) => raw + offset;
  const layout: PageLayout = {
    little: file.little,
    klong: file.kernelLongSize,
    dataOffset: file.headerPage.dataOffset,
    toRel: (raw) => Number(toNs(raw) - base),
    linear: !tsc,
  };
  const label = (cpu: number) => `${buf.name ? `buffer ${buf.name} ` : ''}CPU ${cpu}`;
  const algo = buf.compressed ? file.compression : null;
  const pageSources = buf.cpus.map((cd) => new PageSource(src, cd, buf.pageSize, algo, file.little, diag, label(cd.cpu)));
  const cursors = buf.cpus.map((cd, k) => new CpuCursor(cd.cpu, pageSources[k], layout, diag, label(cd.cpu)));
  let worker: DecodeWorker | null = null;
  let first: bigint | null = null;
  for (const c of cursors) {
    const t = c.peekFirstTimestamp();
    if (t !== null && t !== 0n) {
      const ns = toNs(t);
      if (first === null || ns < first) first = ns;
    }
  }
  base = first ?? 0n;

  const maxCpu = buf.cpus.reduce((m, c) => Math.max(m, c.cpu + 1), 0);
  const meta: TraceMeta = {
    format: 'trace.dat',
    version: String(file.version),
    compression: file.compression,
    cpus: Math.max(maxCpu, o.cpuCount ?? 0),
    clock: tsc && buf.clock === 'x86-tsc' ? 'x86-tsc (TSC2NSEC)' : buf.clock,
    clockIsNs,
    baseNs: base,
    buffer: buf.name,
    buffers: file.buffers.map((b) => b.name),
    uname: o.uname,
    hostname: o.uname?.split(' ')[1],
    littleEndian: file.little,
    longSize: file.kernelLongSize,
    pageSize: buf.pageSize,
    details: [
      ['file version', String(file.version)],
      ['compression', file.compression + (file.compressionVersion ? ` (${file.compressionVersion})` : '')],
      ['endianness', file.little ? 'little' : 'big'],
      ['kernel long size', String(file.kernelLongSize)],
      ['recorder long size', String(file.userLongSize)],
      ['page size', String(buf.pageSize)],
      ['trace-cmd version', o.traceCmdVersion ?? 'unknown'],
      ['options', [...new Set(o.seen)].map((id) => OPTION_NAMES[id] ?? `#${id}`).join(', ') || 'none'],
      ['saved comms', String(file.cmdlines.size)],
      ['kallsyms', file.kallsyms ? `${file.kallsyms.split('\n').length - 1} lines` : 'none'],
      ...file.notes.map((n): [string, string] => ['note', n]),
    ],
  };
  if (!clockIsNs) diag.add('raw-clock', 'warning', `trace clock "${buf.clock}" counts cycles, not ns, and the file has no TSC2NSEC option: times are raw counts`);

  const fmtOfType = new Int32Array(65536).fill(-1);
  file.formats.forEach((f, i) => {
    if (f.id >= 0 && f.id < 65536) fmtOfType[f.id] = i;
  });
  const common = file.formats.find((f) => f.fields.some((x) => x.name === 'common_pid'));
  const pidField = common?.fields.find((x) => x.name === 'common_pid');
  const typeField = common?.fields.find((x) => x.name === 'common_type');
  const lost: LostRecord[] = [];
  const perCpu = new Map<number, number>();
  let consumed = false;
  const addLostDiag = (): void => {
    const { known, unknown } = lostTotals(lost);
    if (known > 0) diag.add('lost-events', 'data-loss', `${known} events were lost (ring buffer overrun)`, known);
    if (unknown > 0) diag.add('lost-events-unknown', 'data-loss', `${unknown} pages report lost events without a count`, unknown);
  };

  /** Bytes of CPU data in the file (compressed, for v7 with compression). */
  const bytes = buf.cpus.reduce((n, c) => n + c.size, 0);
  /** The read runs in a reader thread (io/source-thread.ts): a big file, threads allowed. */
  const inThread = (): boolean => {
    const readerMode = opts.readerThread ?? threadModeFromEnv();
    const big = bytes >= (algo && algo !== 'none' ? MIN_THREAD_COMPRESSED_BYTES : MIN_THREAD_BYTES);
    return src instanceof FileSource && !opts.inWorker && (readerMode === 'on' || (readerMode === 'auto' && big));
  };
  /** Side analyses promised to the reader thread (offloadSide). */
  let side: SidePromise | null = null;
  /** The read on this thread: pages decoded here (compressed chunks by a decode worker when big), merged. */
  const readHere = (onBatch: (b: EventBatch) => boolean | void): void => {
    if (algo && algo !== 'none' && src instanceof FileSource) worker = startDecodeWorker(src.path, algo, file.little, pageSources, bytes, opts.threads ?? threadModeFromEnv());
    try {
      mergeCursors(cursors, {
        batch: new EventBatch(opts.batchSize, file.little),
        fmtOfType,
        pidOffset: pidField?.offset ?? 4,
        typeOffset: typeField?.offset ?? 0,
        little: file.little,
        lost,
        onBatch,
        perCpu,
      });
    } finally {
      worker?.stop();
      worker = null;
    }
    addLostDiag();
  };

  return {
    meta,
    formats: file.formats,
    comms: file.cmdlines,
    kallsyms: file.kallsyms,
    printk: file.printk,
    diag,
    lost,
    offloadSide(local) {
      if (!inThread()) return null;
      side = { local, out: {} };
      return side.out;
    },
    read(onBatch) {
      if (consumed) throw new Error('trace.dat source can be read once');
      consumed = true;
      if (inThread()) {
        const args = { path: (src as FileSource).path, buffer: opts.buffer, batchSize: opts.batchSize, threads: opts.threads, little: file.little, diag, lost, side };
        if (readInWorker(args, onBatch)) {
          addLostDiag();
          return;
        }
      }
      readHereWithSide(side, readHere, onBatch);
    },
    close() {
      worker?.stop();
      src.close();
    },
  };
}
