// Markdown summary for a ticket comment: verdicts first, then input facts, exit reasons, events, data quality.
// GitHub-flavoured tables; every trace string escaped.
import { escapeMd } from './escape.js';
import type { Report } from './model.js';
import { fmtCount, fmtDuration, inputRows, pct } from './text.js';
import { verdictsMarkdown } from '../verdicts/render.js';

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function toMarkdown(r: Report): string {
  const i = r.input;
  const out: string[] = [];
  out.push(`## kvmtrace report: ${escapeMd(i.file)}`, '');
  out.push(verdictsMarkdown(r.verdicts));
  out.push(table(['input', 'value'], inputRows(i).map(([k, v]) => [k, escapeMd(v)])), '');
  out.push('### VMs', '');
  if (r.vms.length === 0) out.push('No vCPU thread found.', '');
  for (const vm of r.vms) out.push(`- ${escapeMd(vm.name)} (pid ${vm.pid ?? 'unknown'}, by ${vm.grouping}): ${vm.vcpus.map((v) => `vCPU ${v.vcpu} = ${escapeMd(v.comm || '?')} (${v.tid})`).join(', ')}`);
  out.push('', '### VM exits', '');
  if (!r.exits.available) out.push('The trace has no kvm_exit format: record `-e kvm:kvm_exit -e kvm:kvm_entry` to see exits.', '');
  else if (r.exits.total === 0) out.push('kvm_exit is in the trace but no exit was recorded.', '');
  else {
    const ns = (v: number | null) => (v === null ? '–' : fmtDuration(v));
    out.push(table(['reason', 'isa', 'count', 'share', 'p50', 'p99', 'max'], r.exits.byReason.slice(0, 20).map((e) => [
      escapeMd(e.reason), e.isa, fmtCount(e.count), pct(e.count, r.exits.total), ns(e.p50Ns), ns(e.p99Ns), ns(e.maxNs),
    ])), '');
    out.push(table(['VM', 'vCPU', 'thread', 'tid', 'exits', 'total', 'halted', 'scheduled out'], r.exits.byVcpu.slice(0, 64).map((v) => [
      v.vm === null ? '–' : escapeMd(r.vms[v.vm]?.name ?? String(v.vm)), v.vcpu === null ? '–' : String(v.vcpu), escapeMd(v.comm || '?'), String(v.tid),
      fmtCount(v.count), ns(v.totalNs), ns(v.haltedNs), ns(v.scheduledOutNs),
    ])), '');
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
