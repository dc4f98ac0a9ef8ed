// Vega-Lite specs of the per-vCPU analyses: the distribution of kvm_wait_lapic_expire deltas (late
// and early, log scale, guest TSC cycles), halt-poll outcomes per vCPU, and IPIs sent and received
// per vCPU.
import { SCHEMA_URL, vcpuLabel, type Chart, type ChartOptions } from './charts.js';
import type { Report } from './model.js';

export function analysisCharts(r: Report, _o: ChartOptions): Chart[] {
  const charts: Chart[] = [];
  const le = r.timers.lapicExpire;
  const h = le.histogram;
  const lat = [
    ...h.late.map((b) => ({ side: 'late', lo: b.lo, hi: b.hi, count: b.count })),
    ...h.early.map((b) => ({ side: 'early', lo: b.lo, hi: b.hi, count: b.count })),
  ];
  if (le.available && lat.length) {
    charts.push({
      id: 'timer-lateness',
      title: 'Guest timer lateness: kvm_wait_lapic_expire deltas',
      note: 'How far the guest TSC was past (late) or before (early) the programmed deadline when KVM injected the timer, in guest TSC cycles (log scale).',
      spec: {
        $schema: SCHEMA_URL,
        width: 560,
        height: 90,
        data: { values: lat },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          row: { field: 'side', type: 'nominal', title: null, sort: ['late', 'early'] },
          x: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: '|delta| (guest TSC cycles, log scale)' },
          x2: { field: 'hi' },
          y: { field: 'count', type: 'quantitative', title: 'timers' },
          color: { field: 'side', type: 'nominal', legend: null, scale: { domain: ['late', 'early'], range: ['#e45756', '#72b7b2'] } },
          tooltip: [{ field: 'side', type: 'nominal' }, { field: 'lo', type: 'quantitative', title: 'from (cycles)', format: ',' }, { field: 'hi', type: 'quantitative', title: 'to (cycles)', format: ',' }, { field: 'count', type: 'quantitative', format: ',' }],
        },
      },
    });
  }

  const hp = r.haltPoll;
  const outcomes = hp.byVcpu.slice(0, 48).flatMap((x) => [
    { vcpu: vcpuLabel(r, x), outcome: 'polled: wakeup caught', n: x.polled },
    { vcpu: vcpuLabel(r, x), outcome: 'waited, just after the window', n: x.waitedJustAfterWindow },
    { vcpu: vcpuLabel(r, x), outcome: 'waited', n: Math.max(0, x.waited - x.waitedJustAfterWindow) },
  ]);
  if (hp.available && hp.wakeups > 0) {
    charts.push({
      id: 'halt-poll',
      title: 'Halt-polling outcomes per vCPU',
      note: 'Each kvm_vcpu_wakeup after a halt: caught by polling, or the vCPU went to sleep (some within twice the poll window, which a longer window would have caught).',
      spec: {
        $schema: SCHEMA_URL,
        width: 520,
        data: { values: outcomes },
        mark: 'bar',
        encoding: {
          y: { field: 'vcpu', type: 'nominal', title: null, sort: null },
          x: { field: 'n', type: 'quantitative', title: 'wakeups', stack: 'zero' },
          color: { field: 'outcome', type: 'nominal', title: 'outcome', sort: ['polled: wakeup caught', 'waited, just after the window', 'waited'], scale: { range: ['#54a24b', '#eeca3b', '#e45756'] } },
          tooltip: [{ field: 'vcpu', type: 'nominal' }, { field: 'outcome', type: 'nominal' }, { field: 'n', type: 'quantitative', title: 'wakeups', format: ',' }],
        },
      },
    });
  }

  const ipi = r.ipis;
  if (ipi.available && ipi.total > 0 && ipi.byVcpu.length) {
    charts.push({
      id: 'ipis',
      title: 'IPIs sent and received per vCPU',
      spec: {
        $schema: SCHEMA_URL,
        width: 520,
        data: { values: ipi.byVcpu.slice(0, 48).flatMap((x) => [{ vcpu: vcpuLabel(r, x), dir: 'sent', n: x.sent }, { vcpu: vcpuLabel(r, x), dir: 'received', n: x.received }]) },
        mark: 'bar',
        encoding: {
          y: { field: 'vcpu', type: 'nominal', title: null, sort: null },
          yOffset: { field: 'dir', type: 'nominal', sort: ['sent', 'received'] },
          x: { field: 'n', type: 'quantitative', title: 'IPIs' },
          color: { field: 'dir', type: 'nominal', title: null, sort: ['sent', 'received'], scale: { range: ['#4c78a8', '#f58518'] } },
          tooltip: [{ field: 'vcpu', type: 'nominal' }, { field: 'dir', type: 'nominal' }, { field: 'n', type: 'quantitative', title: 'IPIs', format: ',' }],
        },
      },
    });
  }
  return charts;
}
