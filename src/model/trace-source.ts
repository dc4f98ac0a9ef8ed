// What every input format hands to the analyses: metadata, the event formats, and a stream of
// EventBatch. Analyses never see the file format behind it.
import type { Diagnostics } from '../diag/diagnostics.js';
import type { EventFormat } from '../ingest/tracedat/format-parser.js';
import type { EventBatch } from './event-batch.js';

export interface LostRecord {
  cpu: number;
  /** Events lost just before the event at this relative timestamp; -1 when the count is unknown. */
  count: number;
  /** Relative ns of the first event after the loss (NaN when none followed). */
  beforeTs: number;
}

/** CPU placement from perf.data's CPU_TOPOLOGY, NUMA_TOPOLOGY and CACHE features. */
export interface CpuTopology {
  /** Per CPU (index = CPU number): socket (package), die and core ids; die -1 when not recorded. */
  cpus: Array<{ cpu: number; socket: number; die: number; core: number }>;
  /** Package ("core siblings") CPU lists, e.g. `0-15,32-47`. */
  packages: string[];
  /** Die CPU lists when recorded. */
  dies?: string[];
  /** Core ("thread siblings") CPU lists. */
  cores: string[];
  /** NUMA node → CPUs (memory in kB). */
  numa?: Array<{ node: number; cpus: number[]; memTotalKb: number; memFreeKb: number }>;
  /** Caches with the CPUs sharing each (the highest level's groups are the LLC domains). */
  caches?: Array<{ level: number; type: string; size: string; lineSize: number; sets: number; ways: number; cpus: number[] }>;
}

/** Events lost with a known count, and losses whose size is unknown. */
export function lostTotals(lost: LostRecord[]): { known: number; unknown: number } {
  let known = 0;
  let unknown = 0;
  for (const l of lost) {
    if (l.count < 0) unknown++;
    else known += l.count;
  }
  return { known, unknown };
}

export interface TraceMeta {
  format: string;
  version: string;
  compression: string;
  /** CPUs the recording covered (highest CPU + 1 or the file's CPU count). */
  cpus: number;
  clock: string;
  /** True when timestamps are nanoseconds; false for raw counters (x86-tsc without TSC2NSEC, counter). */
  clockIsNs: boolean;
  /** Absolute ns (or clock units) that relative timestamps count from. */
  baseNs: bigint;
  /** Buffer instance analysed ('' = top) and the others present. */
  buffer: string;
  buffers: string[];
  hostname?: string;
  uname?: string;
  /** Kernel release of the recording host (perf OSRELEASE). */
  osrelease?: string;
  /** Recorder command line (perf CMDLINE). */
  cmdline?: string;
  /** CPUs present / online on the recording host (perf NRCPUS). */
  nrCpusAvail?: number;
  nrCpusOnline?: number;
  /** Host CPU topology when the recorder saved it (perf.data). */
  topology?: CpuTopology;
  littleEndian: boolean;
  longSize: number;
  pageSize?: number;
  /** Format-specific facts for `kvmtrace info` (label → value), in display order. */
  details: Array<[string, string]>;
}

/** Text inputs: lines that were neither events nor headers, per reason, with the first examples. */
export interface UnparsedLines {
  lines: number;
  byReason: Record<string, number>;
  examples: Array<{ line: number; text: string; reason: string }>;
}

/** Analyses a source may run where it reads (analyze/side.ts): fed every batch, then finished. */
export interface SideRunner {
  consume(b: EventBatch): void;
  finish(): unknown;
}

/** What TraceSource.offloadSide promises: the side analyses' results once read() has returned. */
export interface SideOffload {
  results?: unknown;
}

export interface TraceSource {
  meta: TraceMeta;
  formats: EventFormat[];
  /** pid → comm as saved by the recorder (saved_cmdlines, perf COMM). */
  comms: Map<number, string>;
  /** tid → process id (tgid) when the input says (perf samples, perf `-F +pid`, ftrace record-tgid). */
  tgids?: Map<number, number>;
  /** Text inputs: the lines not understood (absent for binary inputs). */
  unparsed?: UnparsedLines;
  /** kallsyms text when the file carries one. */
  kallsyms: string;
  /** Text inputs: synthetic address → kernel symbol printed by name (ingest/text/payload/text-symbols.ts). */
  textSymbols?: ReadonlyMap<number, string>;
  /** trace_printk formats text (`0xaddr : "fmt"` lines) when the file carries one. */
  printk?: string;
  diag: Diagnostics;
  /** Per-CPU lost-event records (in stream order). */
  lost: LostRecord[];
  /**
   * Streams the events in timestamp order; `batch` is reused between calls of `onBatch`.
   * Returning false from `onBatch` stops the stream.
   */
  read(onBatch: (batch: EventBatch) => boolean | void): void;
  /**
   * Offers to run the side analyses (analyze/side.ts) in the source's reader thread, on the same
   * batches the caller gets. Null: the source reads on the calling thread, the caller runs them.
   * Otherwise their results are in the returned object after read() — computed by `local()` on
   * this thread if the reader thread could not start after all. Only for an unfiltered whole read.
   */
  offloadSide?(local: () => SideRunner): SideOffload | null;
  /** The file the stream reads, for progress (bytes read so far of its size); set by openInput. */
  input?: { readonly size: number; readonly bytesRead: number };
  close(): void;
}
