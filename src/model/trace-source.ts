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
  littleEndian: boolean;
  longSize: number;
  pageSize?: number;
  /** Format-specific facts for `kvmtrace info` (label → value), in display order. */
  details: Array<[string, string]>;
}

export interface TraceSource {
  meta: TraceMeta;
  formats: EventFormat[];
  /** pid → comm as saved by the recorder (saved_cmdlines, perf COMM). */
  comms: Map<number, string>;
  /** tid → process id (tgid) when the input says (perf samples, perf `-F +pid`, ftrace record-tgid). */
  tgids?: Map<number, number>;
  /** kallsyms text when the file carries one. */
  kallsyms: string;
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
  close(): void;
}
