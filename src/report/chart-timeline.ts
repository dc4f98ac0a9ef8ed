// Vega-Lite specs drawn from the report's `timeline` buckets: a per-vCPU heatmap of exit time over
// time, a per-host-CPU timeline of which vCPU thread ran there (stacking and migrations visible),
// and spin rate against stacking. Rows are capped so the SVG stays small for any host.
import type { TopLevelSpec } from 'vega-lite';
import { SCHEMA_URL, timeUnit, vcpuLabel, zoomParams, type Chart, type ChartOptions } from './charts.js';
import type { Report } from './model.js';

/** Rows drawn (the report's timeline keeps up to 64 of each). */
export const CHART_ROWS = 24;
/** Beyond this many vCPU threads the timeline's colours repeat: no legend (tooltips and tables name them). */
const LEGEND_MAX = 20;
/** Data values rounded for the page (the JSON report keeps them exact). */
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function timelineCharts(r: Report, o: ChartOptions): Chart[] {
  const t = r.timeline;
  const charts: Chart[] = [];
  if (!t.available || t.buckets < 2) return charts;
  const u = timeUnit(t.buckets * t.bucketNs);
  const at = (k: number) => (k * t.bucketNs) / u.div;
  const xTitle = `${u.unit} from the first event (buckets of ${t.bucketNs >= 1e6 ? `${t.bucketNs / 1e6} ms` : `${t.bucketNs / 1e3} µs`})`;
  // Short field names and t1 computed in the spec: the --interactive page carries these values per cell.
  const x = { field: 't0', type: 'quantitative' as const, title: xTitle, scale: { domain: [0, at(t.buckets)] } };
  const x2 = { field: 't1' };
  const t1 = { calculate: `datum.t0 + ${at(1)}`, as: 't1' };

  // Rows in the report's vm/vCPU order, drawn in data order (sort: null): a sort array would put trace
  // strings into a vega expression.
  const top = [...t.vcpus].sort((a, b) => b.exitNs.reduce((s, v) => s + v, 0) - a.exitNs.reduce((s, v) => s + v, 0)).slice(0, CHART_ROWS);
  const vcpus = t.vcpus.filter((v) => top.includes(v));
  const cells = vcpus.flatMap((v) => v.exitNs.map((ns, k) => ({
    v: vcpuLabel(r, v), t0: at(k), s: r1((100 * ns) / t.bucketNs), e: v.exits[k], h: r1((100 * v.haltedNs[k]) / t.bucketNs), m: v.migrations[k],
  })).filter((c) => c.e > 0 || c.s > 0));
  if (cells.length) {
    charts.push({
      id: 'vcpu-heatmap',
      title: 'Per-vCPU exit time over time',
      note: 'Colour: share of each bucket the vCPU spent in exits, not halted (handling, scheduled out, user space). Empty: no exit.',
      spec: {
        $schema: SCHEMA_URL,
        width: 620,
        ...zoomParams(o),
        data: { values: cells },
        transform: [t1],
        mark: 'rect',
        encoding: {
          x, x2,
          y: { field: 'v', type: 'nominal', title: null, sort: null },
          color: { field: 's', type: 'quantitative', title: '% in exits', scale: { scheme: 'orangered', domain: [0, 100] } },
          tooltip: [{ field: 'v', type: 'nominal', title: 'vCPU' }, { field: 't0', type: 'quantitative', title: `from (${u.unit})` }, { field: 'e', type: 'quantitative', title: 'exits', format: ',' },
            { field: 's', type: 'quantitative', title: '% in exits (not halted)', format: '.1f' }, { field: 'h', type: 'quantitative', title: '% halted', format: '.1f' },
            { field: 'm', type: 'quantitative', title: 'CPU changes' }],
        },
      },
    });
  }

  const label = (tid: number) => {
    const v = t.vcpus.find((x) => x.tid === tid) ?? r.exits.byVcpu.find((x) => x.tid === tid);
    if (v) return vcpuLabel(r, v);
    for (const vm of r.vms) for (const c of vm.vcpus) if (c.tid === tid) return vcpuLabel(r, { vm: vm.id, vcpu: c.vcpu, tid });
    return `tid ${tid}`;
  };
  const cpus = [...t.cpus].sort((a, b) => b.vcpuNs.reduce((s, v) => s + v, 0) - a.vcpuNs.reduce((s, v) => s + v, 0)).slice(0, CHART_ROWS).sort((a, b) => a.cpu - b.cpu);
  /** ▼ when two or more vCPU threads were runnable on the CPU for over 5 % of the bucket. */
  const stackedMs = r3((0.05 * t.bucketNs) / 1e6);
  const runs = cpus.flatMap((c) => c.top.map((tid, k) => ({
    c: `CPU ${c.cpu}`, t0: at(k), v: tid < 0 ? '' : label(tid), b: r1(Math.min(100, (100 * c.vcpuNs[k]) / t.bucketNs)), n: c.threads[k],
    sm: r3(c.stackedNs[k] / 1e6),
  })).filter((x) => x.v !== '' || x.sm > stackedMs));
  if (runs.length) {
    const cpuOrder = cpus.map((c) => `CPU ${c.cpu}`);
    const manyVcpus = new Set(runs.map((x) => x.v)).size > LEGEND_MAX;
    const spec: TopLevelSpec = {
      $schema: SCHEMA_URL,
      width: 620,
      data: { values: runs },
      transform: [t1],
      encoding: { x, y: { field: 'c', type: 'nominal', title: null, sort: cpuOrder } },
      layer: [
        {
          ...zoomParams(o),
          transform: [{ filter: "datum.v !== ''" }],
          mark: 'rect',
          encoding: {
            x2,
            color: { field: 'v', type: 'nominal', title: 'ran most', scale: { scheme: 'tableau20' }, ...(manyVcpus ? { legend: null } : {}) },
            opacity: { field: 'b', type: 'quantitative', title: '% busy', scale: { domain: [0, 100], range: [0.25, 1] } },
            tooltip: [{ field: 'c', type: 'nominal', title: 'CPU' }, { field: 't0', type: 'quantitative', title: `from (${u.unit})` }, { field: 'v', type: 'nominal', title: 'ran most' },
              { field: 'n', type: 'quantitative', title: 'vCPU threads that ran' }, { field: 'b', type: 'quantitative', title: '% running vCPUs', format: '.1f' },
              { field: 'sm', type: 'quantitative', title: 'stacked (ms)', format: '.3f' }],
          },
        },
        {
          transform: [{ filter: `datum.sm > ${stackedMs}` }],
          mark: { type: 'point', shape: 'triangle-down', filled: true, color: '#b00020', size: 30, yOffset: -6 },
          encoding: { tooltip: [{ field: 'c', type: 'nominal', title: 'CPU' }, { field: 't0', type: 'quantitative', title: `from (${u.unit})` }, { field: 'sm', type: 'quantitative', title: 'stacked (ms)', format: '.3f' }] },
        },
      ],
    };
    charts.push({
      id: 'cpu-timeline',
      title: 'Which vCPU thread ran on each host CPU',
      note: 'Colour: the vCPU thread that ran most in the bucket (fainter: the CPU ran vCPUs for less of it); a colour moving between rows is a migration; ▼ two or more vCPU threads were runnable on that CPU at once (stacking).',
      spec,
    });
  }

  const spins = t.onSpin.some((v) => v > 0) ? t.onSpin : t.pauseExits;
  const stacked = t.cpus.length ? t.cpus[0].stackedNs.map((_, k) => t.cpus.reduce((s, c) => s + c.stackedNs[k], 0)) : [];
  if (spins.some((v) => v > 0)) {
    const sec = t.bucketNs / 1e9;
    const values = spins.map((n, k) => ({ t0: at(k), t1: at(k + 1), rate: Math.round(n / sec), stacked: r3((stacked[k] ?? 0) / t.bucketNs) }));
    charts.push({
      id: 'spin-stacking',
      title: 'Spin rate against vCPU stacking over time',
      note: `Bars: ${t.onSpin.some((v) => v > 0) ? 'kvm_vcpu_on_spin calls' : 'PAUSE exits'} per second; line: host CPUs' worth of stacked vCPU threads (time with two or more vCPU threads runnable on one CPU, summed over CPUs, per unit of time).`,
      spec: {
        $schema: SCHEMA_URL,
        width: 620,
        height: 180,
        data: { values },
        encoding: { x: { ...x, field: 't0' } },
        layer: [
          { ...zoomParams(o), mark: { type: 'rect', color: '#e45756', opacity: 0.7 }, encoding: { x2, y: { field: 'rate', type: 'quantitative', title: 'spins/s', axis: { titleColor: '#e45756' } }, tooltip: [{ field: 't0', type: 'quantitative', title: u.unit }, { field: 'rate', type: 'quantitative', title: 'spins/s', format: ',.0f' }, { field: 'stacked', type: 'quantitative', title: 'stacked CPUs', format: '.2f' }] } },
          { mark: { type: 'line', interpolate: 'step-after', color: '#4c78a8' }, encoding: { y: { field: 'stacked', type: 'quantitative', title: 'stacked vCPU CPUs', axis: { titleColor: '#4c78a8' } } } },
        ],
        resolve: { scale: { y: 'independent' } },
      },
    });
  }
  return charts;
}
