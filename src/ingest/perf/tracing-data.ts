// perf's HEADER_TRACING_DATA blob: a small preamble, then the same metadata blocks as a trace.dat
// (header_page/header_event, ftrace formats, event formats, kallsyms, printk, saved cmdlines),
// read with the trace.dat readers of tracedat/metadata.ts.
// Upstream: tools/perf/util/trace-event-info.c tracing_data_get, trace-event-read.c trace_report;
// trace-formats.md §5.8.
import { InputError } from '../../diag/errors.js';
import type { Cursor } from '../io/cursor.js';
import type { EventFormat } from '../tracedat/format-parser.js';
import { readEventFormats, readFtraceFormats, readHeaderInfo, readSizedText32, readSizedText64 } from '../tracedat/metadata.js';
import { parseSavedCmdlines } from '../tracedat/symbols.js';

export interface TracingData {
  version: string;
  little: boolean;
  /** sizeof(long) of perf (the recorder). */
  userLongSize: number;
  pageSize: number;
  /** Kernel long size, from header_page's commit field (as trace.dat). */
  kernelLongSize: number;
  formats: EventFormat[];
  badFormats: string[];
  kallsyms: string;
  printk: string;
  cmdlines: Map<number, string>;
}

const MAGIC = [0x17, 0x08, 0x44];

/** Reads the blob at `c.pos` (c.limit = its end). */
export function readTracingData(c: Cursor): TracingData {
  const at = c.pos;
  const m = c.bytes(3, 'tracing data magic');
  if (m[0] !== MAGIC[0] || m[1] !== MAGIC[1] || m[2] !== MAGIC[2]) throw new InputError('tracing data does not start with the 17 08 44 "tracing" magic', at);
  const tag = c.text(7, 'tracing data tag');
  if (tag !== 'tracing') throw new InputError(`tracing data tag is "${tag}", not "tracing"`, at + 3);
  const version = c.cstring('tracing data version', 16);
  const endian = c.u8('tracing data endianness');
  if (endian > 1) throw new InputError(`tracing data endianness byte ${endian} is not 0 or 1`, c.pos - 1);
  c.little = endian === 0;
  const userLongSize = c.u8('tracing data long size');
  const pageSize = c.u32('tracing data page size');
  const hi = readHeaderInfo(c);
  const kernelLongSize = hi.headerPage.commitSize;
  const formats: EventFormat[] = [];
  const badFormats: string[] = [];
  readFtraceFormats(c, formats, badFormats, kernelLongSize);
  readEventFormats(c, formats, badFormats, kernelLongSize);
  const kallsyms = readSizedText32(c, 'kallsyms');
  const printk = readSizedText32(c, 'printk formats');
  let cmdlines = new Map<number, string>();
  if (parseFloat(version) >= 0.6 && c.remaining >= 8) cmdlines = parseSavedCmdlines(readSizedText64(c, 'saved cmdlines'));
  return { version, little: c.little, userLongSize, pageSize, kernelLongSize, formats, badFormats, kallsyms, printk, cmdlines };
}
