// Markdown summary for a ticket comment: input facts, exit reasons, events, data quality.
// GitHub-flavoured tables; every trace string escaped.
import { escapeMd } from './escape.js';
import type { Report } from './model.js';
import { fmtCount, fmtDuration, fmtSeconds, pct } from './text.js';

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function toMarkdown(r: Report): string {
  const i = r.input;
  const out: string[] = [];
  out.push(`## kvmtrace report: ${escapeMd(i.file)}`, '');
  out.push(
    table(['input', 'value'], [
      ['format', escapeMd(`${i.format} v${i.version}, ${i.compression}`)],
      ['host', escapeMd(i.host ?? 'unknown')],
      ['CPUs', String(i.cpus)],
      ['events', fmtCount(i.events)],
      ['span', `${fmtSeconds(i.firstNs)} – ${fmtSeconds(i.lastNs)} (${i.clockIsNs ? fmtDuration(i.durationNs) : `${fmtCount(i.durationNs)} cycles`})`],
      ['clock', escapeMd(i.clock)],
      ['lost events', i.lostUnknown ? `${fmtCount(i.lostEvents)} + ${i.lostUnknown} unknown` : fmtCount(i.lostEvents)],
    ]),
    '',
  );
  out.push('### VM exits', '');
  if (!r.exits.available) out.push('The trace has no kvm_exit format: record `-e kvm:kvm_exit -e kvm:kvm_entry` to see exits.', '');
  else if (r.exits.total === 0) out.push('kvm_exit is in the trace but no exit was recorded.', '');
  else {
    out.push(table(['reason', 'isa', 'count', 'share'], r.exits.byReason.slice(0, 20).map((e) => [escapeMd(e.reason), e.isa, fmtCount(e.count), pct(e.count, r.exits.total)])), '');
    out.push(table(['vCPU', 'thread', 'pid', 'exits'], r.exits.byVcpu.slice(0, 64).map((v) => [v.vcpu === null ? '–' : String(v.vcpu), escapeMd(v.comm || '?'), String(v.pid), fmtCount(v.count)])), '');
  }
  out.push('### Events', '');
  out.push(table(['event', 'count'], r.events.byEvent.slice(0, 30).map((e) => [escapeMd(e.event), fmtCount(e.count)])), '');
  out.push('### Data quality', '');
  const d = r.dataQuality.diagnostics;
  if (d.length === 0) out.push('No problems found while reading the trace.');
  else out.push(table(['severity', 'problem', 'count'], d.map((e) => [e.severity, escapeMd(e.message), fmtCount(e.count)])));
  out.push('', `Reproduce: \`kvmtrace analyze ${escapeMd(i.file)}\``, '');
  return out.join('\n');
}
