// The one report model; json.ts, markdown.ts, html.ts and terminal.ts only render it.
// The JSON form is a contract other tools read (schema "kvmtrace/1"): keys are only ever added.
import type { DiagEntry } from '../diag/diagnostics.js';
import type { EventCountsResult } from '../analyze/event-counts.js';
import type { ExitCountsResult } from '../analyze/exit-counts.js';
import type { TraceSource } from '../model/trace-source.js';

export const SCHEMA = 'kvmtrace/1';

export interface ReportInput {
  file: string;
  format: string;
  version: string;
  compression: string;
  cpus: number;
  /** Every event read, of any kind. */
  events: number;
  /** Events the recorder reported lost (known counts). */
  lostEvents: number;
  /** Pages or records that reported a loss without a count. */
  lostUnknown: number;
  /** Absolute timestamps of the first and last event (ns, or clock units when clockIsNs is false). */
  firstNs: bigint | null;
  lastNs: bigint | null;
  durationNs: number;
  clock: string;
  clockIsNs: boolean;
  buffer: string;
  buffers: string[];
  host?: string;
}

export interface Report {
  schema: typeof SCHEMA;
  generator: { name: 'kvmtrace'; version: string };
  input: ReportInput;
  events: { byEvent: EventCountsResult['byEvent']; byCpu: EventCountsResult['byCpu']; unknownEvents: number };
  exits: ExitCountsResult;
  dataQuality: { diagnostics: DiagEntry[]; lost: Array<{ cpu: number; count: number; atNs: bigint | null }> };
}

export function buildReport(file: string, src: TraceSource, counts: EventCountsResult, exits: ExitCountsResult, version: string): Report {
  const m = src.meta;
  const abs = (rel: number) => (Number.isFinite(rel) ? m.baseNs + BigInt(rel) : null);
  let lostEvents = 0;
  let lostUnknown = 0;
  for (const l of src.lost) {
    if (l.count < 0) lostUnknown++;
    else lostEvents += l.count;
  }
  return {
    schema: SCHEMA,
    generator: { name: 'kvmtrace', version },
    input: {
      file,
      format: m.format,
      version: m.version,
      compression: m.compression,
      cpus: m.cpus,
      events: counts.events,
      lostEvents,
      lostUnknown,
      firstNs: abs(counts.firstTs),
      lastNs: abs(counts.lastTs),
      durationNs: counts.events > 0 ? counts.lastTs - counts.firstTs : 0,
      clock: m.clock,
      clockIsNs: m.clockIsNs,
      buffer: m.buffer,
      buffers: m.buffers,
      host: m.hostname,
    },
    events: { byEvent: counts.byEvent, byCpu: counts.byCpu, unknownEvents: counts.unknownEvents },
    exits,
    dataQuality: {
      diagnostics: src.diag.list(),
      lost: src.lost.map((l) => ({ cpu: l.cpu, count: l.count, atNs: abs(l.beforeTs) })),
    },
  };
}
