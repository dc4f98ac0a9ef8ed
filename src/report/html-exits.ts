// HTML of the VM exit section: reasons (count, time, p50/p99/max), duration histograms, the time
// split per vCPU, the longest exits with the command that zooms into each, the exit rate and what
// the exits touched (MSRs, ports, MMIO, guest RIPs).
import { escapeHtml as h } from './escape.js';
import { table, type FigureFn } from './html.js';
import type { Report } from './model.js';
import { windowSeconds } from './timeline-section.js';
import { fmtCount, fmtDuration, fmtSeconds, pct, reproduceCommand } from './text.js';

const ns = (v: number | null) => (v === null ? '–' : fmtDuration(v));
const n = (v: number) => ({ n: fmtCount(v) });

/** A window around [start, start + dur] padded by half the duration (at least 1 ms) on each side. */
function around(tsNs: bigint, durNs: number): string {
  const pad = BigInt(Math.max(1_000_000, Math.round(durNs / 2)));
  return `${windowSeconds(tsNs - pad)}..${windowSeconds(tsNs + BigInt(Math.round(durNs)) + pad)}`;
}

export function exitsHtml(r: Report, figure: FigureFn): string {
  const out: string[] = ['<h2 id="exits">VM exits</h2>'];
  const e = r.exits;
  const vmName = (id: number | null) => (id === null ? '–' : h(r.vms[id]?.name ?? String(id)));
  if (!e.available) return out.concat('<p>The trace has no kvm_exit format: record <code>-e kvm:kvm_exit -e kvm:kvm_entry</code> to see exits.</p>').join('\n');
  if (e.total === 0) return out.concat('<p>kvm_exit is in the trace but no exit was recorded.</p>').join('\n');
  const totalNs = e.byReason.reduce((s, x) => s + x.totalNs, 0);
  out.push(`<p>${fmtCount(e.total)} exits, ${ns(totalNs)} from exit to entry in all.</p>`);
  out.push(figure('exit-reasons'));
  out.push(table(['reason', 'isa', 'code', 'count', 'share', 'total time', 'p50', 'p90', 'p99', 'max'], e.byReason.map((x) => [
    h(x.reason), h(x.isa), { n: String(x.code) }, n(x.count), { n: pct(x.count, e.total) }, { n: ns(x.totalNs) }, { n: ns(x.p50Ns) }, { n: ns(x.p90Ns) }, { n: ns(x.p99Ns) }, { n: ns(x.maxNs) },
  ])));
  if (e.byReason.some((x) => !x.exact)) out.push('<p class="muted">Percentiles marked over 100,000 exits come from a histogram with 1 % wide buckets.</p>');
  out.push(figure('exit-durations'));
  out.push('<h3>Where exit time went, per vCPU</h3>', figure('exit-split'));
  out.push(table(['VM', 'vCPU', 'thread', 'exits', 'total', 'handling', 'scheduled out', 'user space', 'halted'], e.byVcpu.map((v) => [
    vmName(v.vm), v.vcpu === null ? '–' : String(v.vcpu), h(v.comm || String(v.tid)), n(v.count), { n: ns(v.totalNs) },
    { n: ns(v.handlingNs) }, { n: ns(v.scheduledOutNs) }, { n: ns(v.userspaceNs) }, { n: ns(v.haltedNs) },
  ])));
  out.push('<h3 id="longest-exits">Longest exits (by time not halted)</h3>');
  if (e.longest.length) {
    const zoom = r.input.clockIsNs;
    out.push(table(['time (s)', 'CPU', 'VM', 'vCPU', 'reason', 'duration', 'handling', 'scheduled out', 'user space', 'halted', 'ran instead', ...(zoom ? ['zoom in'] : [])], e.longest.slice(0, 10).map((l) => [
      fmtSeconds(l.tsNs), String(l.cpu), vmName(l.vm), l.vcpu === null ? '–' : String(l.vcpu), h(l.reason), { n: ns(l.durationNs) },
      { n: ns(l.handlingNs) }, { n: ns(l.scheduledOutNs) }, { n: ns(l.userspaceNs) }, { n: ns(l.haltedNs) }, h(l.ranInstead.join(', ')),
      ...(zoom ? [`<code class="cmd">${h(reproduceCommand(r.input.file, around(l.tsNs, l.durationNs), r))}</code>`] : []),
    ])));
  } else out.push('<p class="muted">No exit reached its kvm_entry.</p>');
  out.push(figure('exit-rate'));
  out.push(exitTargetsHtml(r));
  if (e.unpaired) out.push(`<p class="muted">${fmtCount(e.unpaired)} exits had no matching kvm_entry (no duration).</p>`);
  return out.join('\n');
}

/** What the exits touched: MSRs, I/O ports, MMIO addresses, guest RIP hot spots. */
function exitTargetsHtml(r: Report): string {
  const out: string[] = [];
  const e = r.exits;
  if (e.msrs.length) out.push('<h3>MSRs accessed (kvm_msr)</h3>', table(['MSR', 'name', 'reads', 'writes'], e.msrs.map((m) => [m.msr, m.name ?? '–', n(m.reads), n(m.writes)])));
  if (e.ioPorts.length) out.push('<h3>I/O ports (kvm_pio)</h3>', table(['port', 'reads', 'writes'], e.ioPorts.map((p) => [p.port, n(p.reads), n(p.writes)])));
  if (e.mmio.length) out.push('<h3>MMIO addresses (kvm_mmio)</h3>', table(['guest physical address', 'reads', 'writes'], e.mmio.map((m) => [m.gpa, n(m.reads), n(m.writes)])));
  const rips = e.hotRips.filter((x) => x.rips.length).slice(0, 6);
  if (rips.length) {
    out.push('<h3>Guest RIP hot spots</h3>');
    out.push(table(['reason', 'guest RIP', 'exits'], rips.flatMap((x) => x.rips.slice(0, 5).map((p) => [h(x.reason), p.rip, n(p.count)]))));
  }
  return out.join('\n');
}
