// The self-contained HTML report: inline CSS, charts as inline SVG, no script and no request
// leaving the page. Every string from the trace goes through escapeHtml.
import { reportCharts, renderSvg } from './charts.js';
import { escapeHtml as h } from './escape.js';
import { analysesHtml, exitTargetsHtml } from './html-analyses.js';
import type { Report } from './model.js';
import { fmtCount, fmtDuration, fmtSeconds, inputRows, pct } from './text.js';
import { VERDICT_CSS, verdictsHtml } from '../verdicts/render.js';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}
.sev-data-loss{color:#b00020;font-weight:600}.sev-warning{color:#a05a00}.muted{color:#666}
figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}
${VERDICT_CSS}`;

export function table(head: string[], rows: Array<Array<string | { n: string }>>): string {
  const cell = (c: string | { n: string }) => (typeof c === 'string' ? `<td>${c}</td>` : `<td class="n">${c.n}</td>`);
  return `<table><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

export async function toHtml(r: Report): Promise<string> {
  const i = r.input;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`);
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  parts.push(`<title>kvmtrace: ${h(i.file)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>kvmtrace report: ${h(i.file)}</h1>`);
  parts.push(verdictsHtml(r.verdicts, (id) => r.vms.find((v) => v.id === id)?.name ?? String(id)));
  parts.push(table(['input', 'value'], inputRows(i).map(([k, v]) => [h(k), h(v)])));
  const charts = reportCharts(r);
  const svgs = new Map<string, string>();
  for (const c of charts) svgs.set(c.id, await renderSvg(c.spec));
  const figure = (id: string) => {
    const c = charts.find((x) => x.id === id);
    return c ? `<figure id="chart-${c.id}"><figcaption>${h(c.title)}</figcaption>${svgs.get(id)}</figure>` : '';
  };

  parts.push('<h2>VMs and vCPU threads</h2>');
  if (r.vms.length === 0) parts.push('<p>No vCPU thread found (no <code>CPU n/KVM</code> thread and no kvm_entry/kvm_exit).</p>');
  for (const vm of r.vms) {
    parts.push(`<h3>${h(vm.name)} <span class="muted">(pid ${vm.pid ?? 'unknown'}, grouped by ${vm.grouping})</span></h3>`);
    parts.push(table(['vCPU', 'thread', 'tid'], vm.vcpus.map((v) => [v.vcpu < 0 ? '?' : String(v.vcpu), h(v.comm || '?'), { n: String(v.tid) }])));
    if (vm.threads.length) parts.push(table(['other thread', 'role', 'tid'], vm.threads.map((t) => [h(t.comm), t.role, { n: String(t.tid) }])));
  }
  parts.push('<h2>VM exits</h2>');
  const ns = (v: number | null) => (v === null ? '–' : fmtDuration(v));
  const vmName = (id: number | null) => (id === null ? '–' : h(r.vms[id]?.name ?? String(id)));
  if (!r.exits.available) parts.push('<p>The trace has no kvm_exit format: record <code>-e kvm:kvm_exit -e kvm:kvm_entry</code> to see exits.</p>');
  else if (r.exits.total === 0) parts.push('<p>kvm_exit is in the trace but no exit was recorded.</p>');
  else {
    parts.push(figure('exit-reasons'));
    parts.push(table(['reason', 'isa', 'code', 'count', 'share', 'total time', 'p50', 'p99', 'max'], r.exits.byReason.map((e) => [
      h(e.reason), e.isa, { n: String(e.code) }, { n: fmtCount(e.count) }, { n: pct(e.count, r.exits.total) }, { n: ns(e.totalNs) }, { n: ns(e.p50Ns) }, { n: ns(e.p99Ns) }, { n: ns(e.maxNs) },
    ])));
    parts.push('<h3>Per vCPU: where exit time went</h3>');
    parts.push(table(['VM', 'vCPU', 'thread', 'exits', 'total', 'handling', 'scheduled out', 'user space', 'halted'], r.exits.byVcpu.map((v) => [
      vmName(v.vm), v.vcpu === null ? '–' : String(v.vcpu), h(v.comm || String(v.tid)), { n: fmtCount(v.count) }, { n: ns(v.totalNs) },
      { n: ns(v.handlingNs) }, { n: ns(v.scheduledOutNs) }, { n: ns(v.userspaceNs) }, { n: ns(v.haltedNs) },
    ])));
    parts.push('<h3>Longest exits (by time not halted)</h3>');
    parts.push(table(['time (s)', 'CPU', 'VM', 'vCPU', 'reason', 'duration', 'handling', 'scheduled out', 'user space', 'halted', 'ran instead'], r.exits.longest.slice(0, 10).map((l) => [
      fmtSeconds(l.tsNs), String(l.cpu), vmName(l.vm), l.vcpu === null ? '–' : String(l.vcpu), h(l.reason), { n: ns(l.durationNs) },
      { n: ns(l.handlingNs) }, { n: ns(l.scheduledOutNs) }, { n: ns(l.userspaceNs) }, { n: ns(l.haltedNs) }, h(l.ranInstead.join(', ')),
    ])));
    parts.push(figure('exit-rate'));
    parts.push(exitTargetsHtml(r));
    if (r.exits.unpaired) parts.push(`<p class="muted">${fmtCount(r.exits.unpaired)} exits had no matching kvm_entry (no duration).</p>`);
  }
  parts.push(analysesHtml(r));
  parts.push('<h2>Events</h2>', figure('events'));
  parts.push(table(['event', 'count'], r.events.byEvent.map((e) => [h(e.event), { n: fmtCount(e.count) }])));
  parts.push(table(['CPU', 'events'], r.events.byCpu.map((c) => [String(c.cpu), { n: fmtCount(c.count) }])));
  parts.push('<h2>Data quality</h2>');
  const d = r.dataQuality.diagnostics;
  if (d.length === 0) parts.push('<p>No problems found while reading the trace.</p>');
  else parts.push(table(['severity', 'problem', 'count'], d.map((e) => [`<span class="sev-${e.severity}">${e.severity}</span>`, h(e.message), { n: fmtCount(e.count) }])));
  parts.push(`<p class="muted">Generated by kvmtrace ${h(r.generator.version)} — schema ${r.schema}.</p></body></html>\n`);
  return parts.join('\n');
}
