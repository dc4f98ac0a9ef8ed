// Test helper: `trace-cmd report -R -t` of a simulator file as per-(instance, cpu) sequences of
// records and lost-event markers, built on the shared parser in test/helpers/tracecmd.ts.
import { hasTraceCmd as has, traceCmdRawReport } from '../helpers/tracecmd.js';

export { traceCmd, traceCmdOk } from '../helpers/tracecmd.js';
export const hasTraceCmd = has();

export interface ReportRecord {
  kind: 'event';
  instance: string;
  comm: string;
  pid: number;
  cpu: number;
  ns: bigint;
  event: string;
  fields: Record<string, string>;
}
export interface ReportDrop {
  kind: 'drop';
  instance: string;
  cpu: number;
  count: number | 'unknown';
}
export type ReportLine = ReportRecord | ReportDrop;

/** Records and lost-event markers in output order. */
export function report(path: string, extra: string[] = []): ReportLine[] {
  const r = traceCmdRawReport(path, extra);
  const out: ReportLine[] = [];
  let k = 0;
  r.records.forEach((rec, i) => {
    for (; k < r.lost.length && r.lost[k].beforeRecord === i; k++) {
      const l = r.lost[k];
      out.push({ kind: 'drop', instance: l.buffer, cpu: l.cpu, count: l.count ?? 'unknown' });
    }
    out.push({ kind: 'event', instance: rec.buffer, comm: rec.comm, pid: rec.pid, cpu: rec.cpu, ns: rec.ts, event: rec.event, fields: Object.fromEntries(rec.fields) });
  });
  for (; k < r.lost.length; k++) out.push({ kind: 'drop', instance: r.lost[k].buffer, cpu: r.lost[k].cpu, count: r.lost[k].count ?? 'unknown' });
  return out;
}

/** Groups lines per `instance/cpu`, keeping file order (trace-cmd keeps per-CPU order). */
export function byCpu(lines: ReportLine[]): Map<string, ReportLine[]> {
  const m = new Map<string, ReportLine[]>();
  for (const l of lines) {
    const k = `${l.instance}/${l.cpu}`;
    let a = m.get(k);
    if (!a) m.set(k, (a = []));
    a.push(l);
  }
  return m;
}

/** Numeric value as printed by trace-cmd -R (decimal or 0x hex, possibly negative). */
export function num(v: string | undefined): bigint {
  if (v === undefined) throw new Error('missing field');
  if (v === '(nil)') return 0n;
  return v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v);
}
