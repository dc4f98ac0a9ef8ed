// Vega-Lite specs of the VM exit section: exits by reason (count and time), exit durations on a log
// scale per reason, where each vCPU's exit time went (handling / scheduled out / user space /
// halted), and the exit rate over time.
import type { TopLevelSpec } from 'vega-lite';
import { BLUE, SCHEMA_URL, timeUnit, vcpuLabel, zoomParams, type Chart, type ChartOptions } from './charts.js';
import type { Report } from './model.js';

const SPLIT = [
  ['handlingNs', 'handling'],
  ['scheduledOutNs', 'scheduled out'],
  ['userspaceNs', 'user space'],
  ['haltedNs', 'halted'],
] as const;

/** Points drawn at most in the exit-rate chart. */
const RATE_POINTS = 600;

export function exitCharts(r: Report, o: ChartOptions): Chart[] {
  const charts: Chart[] = [];
  const e = r.exits;
  if (e.total === 0) return charts;
  const reasons = e.byReason.slice(0, 20);
  const values = reasons.map((x) => ({ reason: x.reason, count: x.count, ms: x.totalNs / 1e6, p50: x.p50Ns === null ? null : x.p50Ns / 1e3, p99: x.p99Ns === null ? null : x.p99Ns / 1e3 }));
  const bar = (field: string, title: string, color: string) => ({
    width: 300,
    mark: { type: 'bar' as const, color },
    encoding: {
      y: { field: 'reason', type: 'nominal' as const, sort: { field: 'count', order: 'descending' as const }, title: 'exit reason' },
      x: { field, type: 'quantitative' as const, title },
      tooltip: [{ field: 'reason', type: 'nominal' as const }, { field: 'count', type: 'quantitative' as const, format: ',' },
        { field: 'ms', type: 'quantitative' as const, title: 'time (ms)', format: ',.3f' }, { field: 'p50', type: 'quantitative' as const, title: 'p50 (µs)', format: ',.1f' },
        { field: 'p99', type: 'quantitative' as const, title: 'p99 (µs)', format: ',.1f' }],
    },
  });
  charts.push({
    id: 'exit-reasons',
    title: 'VM exits by reason: how many, and how long in all',
    note: 'Time is from each kvm_exit to its kvm_entry, halted time included (see the split below).',
    spec: { $schema: SCHEMA_URL, data: { values }, hconcat: [bar('count', 'exits', BLUE), bar('ms', 'time in exits (ms)', '#f58518')] },
  });

  const hist = e.durationHistogram.slice(0, 8).flatMap((h) => h.bins.map((b) => ({ reason: h.reason, lo: b.loNs / 1e3, hi: b.hiNs / 1e3, count: b.count })));
  if (hist.length) {
    const spec: TopLevelSpec = {
      $schema: SCHEMA_URL,
      data: { values: hist },
      facet: { row: { field: 'reason', type: 'nominal', title: null, sort: null, header: { labelAngle: 0, labelAlign: 'left' } } },
      spec: {
        width: 560,
        height: 70,
        mark: { type: 'rect', color: BLUE, stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: 'exit duration (µs, log scale)' },
          x2: { field: 'hi' },
          y: { field: 'count', type: 'quantitative', title: 'exits', scale: { type: 'symlog' } },
          tooltip: [{ field: 'reason', type: 'nominal' }, { field: 'lo', title: 'from (µs)', type: 'quantitative' }, { field: 'hi', title: 'to (µs)', type: 'quantitative' }, { field: 'count', type: 'quantitative', format: ',' }],
        },
      },
      resolve: { scale: { y: 'independent' } },
    };
    charts.push({ id: 'exit-durations', title: 'Exit durations by reason (log scale)', note: 'Quarter-decade bins, counts on a symmetric log scale so rare slow exits show; exits that reached their kvm_entry; the 8 most frequent reasons.', spec });
  }

  const split = e.byVcpu.slice(0, 48).flatMap((v) => SPLIT.map(([k, label], o) => ({ vcpu: vcpuLabel(r, v), part: label, o, ms: Math.round(v[k] / 1e3) / 1e3 })));
  if (split.some((x) => x.ms > 0)) {
    charts.push({
      id: 'exit-split',
      title: 'Where exit time went, per vCPU',
      note: 'Handling and scheduled-out time is time the guest could not run; halted time is the guest idling.',
      spec: {
        $schema: SCHEMA_URL,
        width: 520,
        data: { values: split },
        mark: 'bar',
        encoding: {
          y: { field: 'vcpu', type: 'nominal', title: null, sort: null },
          x: { field: 'ms', type: 'quantitative', title: 'time in exits (ms)', stack: 'zero' },
          color: { field: 'part', type: 'nominal', title: 'exit time', sort: SPLIT.map((s) => s[1]), scale: { range: ['#4c78a8', '#e45756', '#f58518', '#bab0ac'] } },
          order: { field: 'o', type: 'quantitative', sort: 'ascending' },
          tooltip: [{ field: 'vcpu', type: 'nominal' }, { field: 'part', type: 'nominal' }, { field: 'ms', type: 'quantitative', format: ',.3f', title: 'ms' }],
        },
      },
    });
  }

  if (e.rate.counts.length > 1) {
    // exits.rate keeps 10 ms bins for the whole span: draw at most RATE_POINTS, summing groups of bins.
    const f = Math.ceil(e.rate.counts.length / RATE_POINTS);
    const counts = f === 1 ? e.rate.counts : Array.from({ length: Math.ceil(e.rate.counts.length / f) }, (_, j) => e.rate.counts.slice(j * f, (j + 1) * f).reduce((a, b) => a + b, 0));
    const binNs = e.rate.binNs * f;
    const binMs = binNs / 1e6;
    const u = timeUnit(counts.length * binNs);
    charts.push({
      id: 'exit-rate',
      title: `VM exits per second over time (${binMs} ms bins)`,
      spec: {
        $schema: SCHEMA_URL,
        width: 620,
        height: 160,
        ...zoomParams(o),
        data: { values: counts.map((c, i) => ({ t: (i * binNs) / u.div, rate: Math.round((c * 1000) / binMs) })) },
        mark: { type: 'line', interpolate: 'step-after', color: BLUE },
        encoding: {
          x: { field: 't', type: 'quantitative', title: `${u.unit} from the first exit` },
          y: { field: 'rate', type: 'quantitative', title: 'exits/s' },
          tooltip: [{ field: 't', type: 'quantitative', title: u.unit }, { field: 'rate', type: 'quantitative', format: ',.0f', title: 'exits/s' }],
        },
      },
    });
  }
  return charts;
}
