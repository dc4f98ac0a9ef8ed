// Test helper: runs the installed trace-cmd on a file and parses `trace-cmd report -R -t` output
// into per-(instance, cpu) sequences of records and lost-event markers.
import { execFileSync, spawnSync } from 'node:child_process';
import type { FormatSet } from '../../src/sim/format-set.js';

export const hasTraceCmd = spawnSync('trace-cmd', ['--version'], { encoding: 'utf8' }).status !== null;

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

export function traceCmd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('trace-cmd', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function traceCmdOk(args: string[]): string {
  return execFileSync('trace-cmd', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
}

const LINE = /^(?:(\S+):)?\s*(.*?)-(\d+)\s+\[(\d{3})\]\s*(\d+)(?:\.(\d{9}))?:\s+(\w+):\s?(.*)$/;
const DROP = /^(?:(\S+):\s*)?CPU:(\d+) \[(?:(\d+) )?EVENTS DROPPED\]$/;

/** Splits `a=1 b=x y c=3` using the known field order of the event. */
function splitFields(text: string, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = text;
  for (let i = 0; i < names.length; i++) {
    const key = `${names[i]}=`;
    if (!rest.startsWith(key)) break;
    rest = rest.slice(key.length);
    const next = i + 1 < names.length ? rest.indexOf(` ${names[i + 1]}=`) : -1;
    out[names[i]] = (next >= 0 ? rest.slice(0, next) : rest).replace(/\s+$/, '');
    rest = next >= 0 ? rest.slice(next + 1) : '';
  }
  return out;
}

export function parseReport(text: string, formats: FormatSet): ReportLine[] {
  const out: ReportLine[] = [];
  // trace-cmd 3.1.6 prints an instance's name before its "EVENTS DROPPED" line and then omits it
  // from the event line that follows.
  let carry = '';
  for (const raw of text.split('\n')) {
    if (raw === '' || raw.startsWith('cpus=')) continue;
    const d = DROP.exec(raw.trim());
    if (d) {
      out.push({ kind: 'drop', instance: d[1] ?? '', cpu: Number(d[2]), count: d[3] ? Number(d[3]) : 'unknown' });
      carry = d[1] ?? '';
      continue;
    }
    const m = LINE.exec(raw);
    if (!m) throw new Error(`unparsed report line: ${raw}`);
    const fmt = formats.byName.get(m[7]);
    const names = fmt ? fmt.format.fields.filter((f) => !f.common).map((f) => f.name) : [];
    out.push({
      kind: 'event', instance: m[1] ?? carry, comm: m[2].trim(), pid: Number(m[3]), cpu: Number(m[4]),
      ns: m[6] === undefined ? BigInt(m[5]) : BigInt(m[5]) * 1_000_000_000n + BigInt(m[6]),
      event: m[7], fields: splitFields(m[8].trimStart(), names),
    });
    carry = '';
  }
  return out;
}

export function report(path: string, formats: FormatSet, extra: string[] = []): ReportLine[] {
  return parseReport(traceCmdOk(['report', '-R', '-t', ...extra, path]), formats);
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
