// HTML of the timeline section: the per-vCPU exit heatmap, the per-host-CPU timeline of vCPU
// threads, and the worst windows (most exit time, latest timers) with the `--window` command that
// re-runs the analysis zoomed into each.
import { escapeHtml as h } from './escape.js';
import { table, type FigureFn } from './html.js';
import type { Report } from './model.js';
import { fmtCount, fmtDuration, fmtSeconds, reproduceCommand } from './text.js';

const KIND: Record<string, string> = { 'exit-time': 'most vCPU time in exits (not halted)', 'timer-lateness': 'latest guest timer' };

export function timelineHtml(r: Report, figure: FigureFn): string {
  const t = r.timeline;
  const out: string[] = ['<h2 id="timeline">Timeline and worst windows</h2>'];
  if (!t.available) return out.concat('<p class="muted">The trace has no events.</p>').join('\n');
  out.push(`<p>${fmtCount(t.buckets)} buckets of ${fmtDuration(t.bucketNs)} from ${fmtSeconds(t.startNs)} s.`
    + `${t.omittedVcpus ? ` ${fmtCount(t.omittedVcpus)} vCPUs with less exit time are left out.` : ''}${t.omittedCpus ? ` ${fmtCount(t.omittedCpus)} CPUs with less vCPU time are left out.` : ''}</p>`);
  const heat = figure('vcpu-heatmap');
  const cpus = figure('cpu-timeline');
  if (!heat && !cpus) out.push('<p class="muted">No vCPU activity over time to draw (no kvm_exit and no vCPU thread scheduled).</p>');
  out.push(heat, cpus);
  const vm = (id: number | null) => (id === null ? '–' : h(r.vms[id]?.name ?? String(id)));
  const w = t.worstWindows;
  out.push('<h3 id="worst-windows">Worst windows</h3>');
  if (!w.length) out.push('<p class="muted">No bucket stood out (no exit time, no late timer).</p>');
  else {
    out.push('<p>The buckets where the most went wrong. Re-run the analysis on one of them to see it in detail.</p>');
    out.push(table(['what', 'from (s)', 'to (s)', 'amount', 'worst vCPU', 're-run zoomed in'], w.map((x) => [
      h(KIND[x.kind] ?? x.kind), fmtSeconds(x.startNs), fmtSeconds(x.endNs),
      { n: x.unit === 'ns' ? fmtDuration(Math.round(x.value)) : `${fmtCount(x.value)} cycles` },
      x.vcpu === null ? (x.tid === null ? '–' : `tid ${x.tid}`) : `${vm(x.vm)} vCPU ${x.vcpu}`,
      x.window ? `<code class="cmd">${h(reproduceCommand(r.input.file, x.window, r))}</code>` : '–',
    ])));
  }
  return out.join('\n');
}
