// Markdown summary for a ticket comment: input facts, exit reasons, events, data quality.
// GitHub-flavoured tables; every trace string escaped.
import { escapeMd } from './escape.js';
import type { Report } from './model.js';
import { fmtCount, inputRows, pct } from './text.js';

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function toMarkdown(r: Report): string {
  const i = r.input;
  const out: string[] = [];
  out.push(`## kvmtrace report: ${escapeMd(i.file)}`, '');
  out.push(table(['input', 'value'], inputRows(i).map(([k, v]) => [k, escapeMd(v)])), '');
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
