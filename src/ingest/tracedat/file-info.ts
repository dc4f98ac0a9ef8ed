// What kvmtrace learns from a trace.dat before reading its events: the layout of every buffer
// instance's per-CPU data, the clock, and the metadata. Filled by layout-v6.ts / layout-v7.ts.
import type { EventFormat, HeaderPage } from './format-parser.js';
import type { Algorithm } from './decompress.js';

export interface CpuData {
  cpu: number;
  /** Absolute file offset of this CPU's block. */
  offset: number;
  /** On-disk size (compressed size for a compressed v7 file). */
  size: number;
}

export interface BufferInfo {
  /** '' for the top instance. */
  name: string;
  clock: string;
  pageSize: number;
  cpus: CpuData[];
  /** v7: the CPU blocks are lists of compressed chunks. */
  compressed: boolean;
}

export interface Tsc2Nsec {
  mult: number;
  shift: number;
  offset: bigint;
}

export interface TraceDatOptions {
  clock?: string;
  uname?: string;
  traceCmdVersion?: string;
  cpuCount?: number;
  tsc2nsec?: Tsc2Nsec;
  /** OFFSET option, ns, added to every timestamp. */
  offsetNs: bigint;
  /** DATE option (µs, hex) × 1000, added to every timestamp. */
  dateOffsetNs: bigint;
  cpustat: string[];
  traceId?: bigint;
  /** Option ids present that kvmtrace does not interpret. */
  unknown: number[];
  /** Ids of all options seen, in order (for `info`). */
  seen: number[];
}

export interface TraceDatFile {
  path: string;
  version: number;
  little: boolean;
  /** sizeof(long) of the recording tool (header byte). */
  userLongSize: number;
  /** The kernel's long size: header_page commit size. */
  kernelLongSize: number;
  /** Page size from the file header (v6: all buffers; v7: top instance). */
  headerPageSize: number;
  headerPage: HeaderPage;
  compression: Algorithm;
  compressionVersion: string;
  formats: EventFormat[];
  /** Formats that could not be parsed (system: reason). */
  badFormats: string[];
  kallsyms: string;
  printk: string;
  cmdlines: Map<number, string>;
  options: TraceDatOptions;
  buffers: BufferInfo[];
  /** `latency` traces (text only) carry no binary events. */
  latencyText?: string;
  /** Human notes about the file's layout (e.g. page size disagreements). */
  notes: string[];
  /** Set when the CPU data was found without its table (a v7 file cut before its trailing options). */
  recovered?: string;
}

export const OPTION_NAMES: Record<number, string> = {
  0: 'DONE', 1: 'DATE', 2: 'CPUSTAT', 3: 'BUFFER', 4: 'TRACECLOCK', 5: 'UNAME', 6: 'HOOK', 7: 'OFFSET',
  8: 'CPUCOUNT', 9: 'VERSION', 10: 'PROCMAPS', 11: 'TRACEID', 12: 'TIME_SHIFT', 13: 'GUEST', 14: 'TSC2NSEC',
  15: 'STRINGS', 16: 'HEADER_INFO', 17: 'FTRACE_EVENTS', 18: 'EVENT_FORMATS', 19: 'KALLSYMS', 20: 'PRINTK',
  21: 'CMDLINES', 22: 'BUFFER_TEXT', 23: 'BTF_FILE', 24: 'LAST_BOOT_INFO', 25: 'MODULES_FILE',
};

/** The active clock out of a trace_clock text such as `[local] global counter x86-tsc`. */
export function activeClock(text: string): string | undefined {
  const m = /\[([^\]]+)\]/.exec(text);
  if (m) return m[1];
  const t = text.replace(/\0/g, '').trim();
  return t && !t.includes(' ') ? t : undefined;
}
