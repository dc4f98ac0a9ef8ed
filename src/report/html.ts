// The self-contained HTML report: inline CSS, charts as inline SVG rendered at report time, no
// request leaving the page (a Content-Security-Policy forbids any). Verdicts first, then one section
// per analysis, then data quality. `interactive` also inlines the vega runtime and the compiled
// specs (tooltips, zoom), still without any request. Every string from the trace goes through escapeHtml.
import { reportCharts, type Chart } from './charts.js';
import { escapeHtml as h } from './escape.js';
import { analysesHtml } from './html-analyses.js';
import { exitsHtml } from './html-exits.js';
import type { SvgRenderer } from './svg-worker.js';
import { timelineHtml } from './html-timeline.js';
import type { Report } from './model.js';
import { fmtCount, fmtDuration, fmtSeconds, inputRows, reproduceCommand } from './text.js';
import { VERDICT_CSS, verdictsHtml } from '../verdicts/render.js';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}
.sev-data-loss{color:#b00020;font-weight:600}.sev-warning{color:#a05a00}.muted{color:#666}
figure{margin:1.2em 0}figcaption{font-weight:600;margin-bottom:.3em}figcaption .muted{font-weight:400;display:block}
.chart{overflow-x:auto}.chart svg{max-width:100%;height:auto}
pre.cmd,code.cmd{background:#272822;color:#f8f8f2;padding:.3em .6em;user-select:all;white-space:pre-wrap;word-break:break-all}
pre.cmd{padding:.6em}nav ul{columns:3;padding-left:1.2em}.lead{font-size:1.05em}
${VERDICT_CSS}`;

/** Rows a table shows at most (hosts with hundreds of vCPUs): the rest are in the JSON report. */
export const MAX_TABLE_ROWS = 64;

export function table(head: string[], rows: Array<Array<string | { n: string }>>): string {
  const cell = (c: string | { n: string }) => (typeof c === 'string' ? `<td>${c}</td>` : `<td class="n">${c.n}</td>`);
  const more = rows.length > MAX_TABLE_ROWS ? `<tr><td colspan="${head.length}" class="muted">…and ${fmtCount(rows.length - MAX_TABLE_ROWS)} more rows: see the JSON report</td></tr>` : '';
  return `<table><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.slice(0, MAX_TABLE_ROWS).map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}${more}</tbody></table>`;
}

/** Renders a chart by id into a figure ('' when the report has no such chart). */
export type FigureFn = (id: string) => string;

export interface HtmlOptions {
  /** Inline the vega runtime and the chart specs: tooltips and zoom in the browser, no network. */
  interactive?: boolean;
  /** Render the charts in this worker (svg-worker.ts) instead of loading vega here. */
  svg?: SvgRenderer | null;
}

function header(r: Report): string {
  const i = r.input;
  const vms = r.vms.length === 0 ? 'no VM found' : `${r.vms.length} VM${r.vms.length > 1 ? 's' : ''}: ${r.vms.map((v) => `${h(v.name)} (${v.vcpus.length} vCPU${v.vcpus.length === 1 ? '' : 's'})`).join(', ')}`;
  const span = i.clockIsNs ? fmtDuration(i.durationNs) : `${fmtCount(i.durationNs)} clock units`;
  const out = [`<h1>kvmtrace report: ${h(i.file)}</h1>`];
  out.push(`<p class="lead">Host <b>${h(i.host ?? 'unknown')}</b> · ${i.cpus} CPUs · ${span} traced · ${fmtCount(i.events)} events · ${vms}</p>`);
  if (r.window) out.push(`<p>Narrowed to <code>--window ${h(r.window.spec)}</code>.</p>`);
  out.push(`<p class="muted">Re-run: <code class="cmd">${h(reproduceCommand(i.file, r.window?.spec, r))}</code></p>`);
  return out.join('\n');
}

function dataQualityHtml(r: Report): string {
  const i = r.input;
  const out = ['<h2 id="data-quality">Data quality</h2>'];
  const lost = r.dataQuality.lost;
  out.push(`<p>${i.lostEvents || i.lostUnknown ? `<span class="sev-data-loss">${fmtCount(i.lostEvents)} events lost</span>${i.lostUnknown ? ` (+ ${fmtCount(i.lostUnknown)} losses of unknown size)` : ''}: the recorder's buffers overflowed; counts and times near the losses are lower bounds.` : 'No events were lost.'}`
    + ` ${i.unparsedLines ? `${fmtCount(i.unparsedLines)} input lines could not be read as events.` : ''}</p>`);
  if (lost.length) out.push(table(['CPU', 'lost', 'before (s)'], lost.slice(0, 20).map((l) => [String(l.cpu), { n: l.count < 0 ? 'unknown' : fmtCount(l.count) }, fmtSeconds(l.atNs)])));
  const d = r.dataQuality.diagnostics;
  if (d.length === 0) out.push('<p>No problems found while reading the trace.</p>');
  else out.push(table(['severity', 'problem', 'count'], d.map((e) => [`<span class="sev-${e.severity}">${e.severity}</span>`, h(e.message), { n: fmtCount(e.count) }])));
  if (r.missing.length) {
    out.push('<h3>Not measured: events missing from the trace</h3>');
    for (const m of r.missing) {
      out.push(`<p><b>${h(m.analysis)}</b> needs ${m.events.map((e) => `<code>${h(e)}</code>`).join(', ')}. Record with:</p><pre class="cmd">${h(m.traceCmd)}\n${h(m.perf)}</pre>`);
    }
  }
  return out.join('\n');
}

const TOC: Array<[string, string]> = [['verdicts', 'Verdicts'], ['vms', 'VMs and vCPU threads'], ['exits', 'VM exits'], ['timeline', 'Timeline and worst windows'],
  ['spin', 'Spinning'], ['timers', 'Timers'], ['halt-poll', 'Halt polling'], ['scheduling', 'Scheduling'], ['ipis', 'IPIs'], ['events', 'Events'], ['data-quality', 'Data quality']];

/** Every chart's SVG: from the worker when one is given and works, otherwise rendered here. */
async function renderAll(charts: Chart[], worker?: SvgRenderer | null): Promise<string[]> {
  if (worker) {
    try {
      return await worker.render(charts.map((c) => c.spec));
    } catch {
      // the worker failed: the same SVGs from this thread
    }
  }
  const { renderSvg } = await import('./svg.js');
  const out: string[] = [];
  for (const c of charts) out.push(await renderSvg(c.spec));
  return out;
}

export async function toHtml(r: Report, o: HtmlOptions = {}): Promise<string> {
  const charts = reportCharts(r, { interactive: o.interactive });
  const rendered = await renderAll(charts, o.svg);
  const svgs = new Map(charts.map((c, k) => [c.id, rendered[k]]));
  const inter = o.interactive ? await import('./html-interactive.js') : null;
  const figure: FigureFn = (id) => {
    const c: Chart | undefined = charts.find((x) => x.id === id);
    if (!c) return '';
    const data = o.interactive ? ` data-chart="${c.id}"` : '';
    return `<figure id="chart-${c.id}" class="figure"${data}><figcaption>${h(c.title)}${c.note ? `<span class="muted">${h(c.note)}</span>` : ''}</figcaption><div class="chart">${svgs.get(id)}</div></figure>`;
  };
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`);
  parts.push(inter ? inter.interactiveHead() : `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  parts.push(`<title>kvmtrace: ${h(r.input.file)}</title><style>${CSS}</style></head><body>`);
  parts.push(header(r));
  parts.push(verdictsHtml(r.verdicts, (id) => r.vms.find((v) => v.id === id)?.name ?? String(id)));
  parts.push(`<nav><ul>${TOC.map(([id, t]) => `<li><a href="#${id}">${t}</a></li>`).join('')}</ul></nav>`);
  parts.push('<h2 id="input">Input</h2>', table(['input', 'value'], inputRows(r.input).map(([k, v]) => [h(k), h(v)])));
  parts.push('<h2 id="vms">VMs and vCPU threads</h2>');
  if (r.vms.length === 0) parts.push('<p>No vCPU thread found (no <code>CPU n/KVM</code> thread and no kvm_entry/kvm_exit).</p>');
  for (const vm of r.vms) {
    parts.push(`<h3>${h(vm.name)} <span class="muted">(pid ${vm.pid ?? 'unknown'}, grouped by ${vm.grouping})</span></h3>`);
    parts.push(table(['vCPU', 'thread', 'tid'], vm.vcpus.map((v) => [v.vcpu < 0 ? '?' : String(v.vcpu), h(v.comm || '?'), { n: String(v.tid) }])));
    if (vm.threads.length) parts.push(table(['other thread', 'role', 'tid'], vm.threads.map((t) => [h(t.comm), t.role, { n: String(t.tid) }])));
  }
  parts.push(exitsHtml(r, figure));
  parts.push(timelineHtml(r, figure));
  parts.push(analysesHtml(r, figure));
  parts.push('<h2 id="events">Events</h2>', figure('events'));
  parts.push(table(['event', 'count'], r.events.byEvent.map((e) => [h(e.event), { n: fmtCount(e.count) }])));
  parts.push(table(['CPU', 'events'], r.events.byCpu.map((c) => [String(c.cpu), { n: fmtCount(c.count) }])));
  parts.push(dataQualityHtml(r));
  parts.push(`<p class="muted">Generated by kvmtrace ${h(r.generator.version)} — schema ${r.schema}.</p>`);
  if (inter) parts.push(inter.interactiveScript(charts.map((c) => ({ id: c.id, spec: inter.specJson(c.spec) }))));
  parts.push('</body></html>\n');
  return parts.join('\n');
}
