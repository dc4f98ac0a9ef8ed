// The report's charts: Vega-Lite specs typed in code (chart-*.ts build them from the report model).
// svg.ts compiles and renders them (in a worker thread during `analyze`: svg-worker.ts), so this
// module loads no Vega code.
import type { TopLevelSpec } from 'vega-lite';
import { analysisCharts } from './chart-analyses.js';
import { exitCharts } from './chart-exits.js';
import { timelineCharts } from './chart-timeline.js';
import type { Report } from './model.js';

export interface Chart {
  id: string;
  title: string;
  /** One sentence under the title: how to read the chart. */
  note?: string;
  spec: TopLevelSpec;
}

export interface ChartOptions {
  /** Add zoom (interval selections bound to the scales) to time and log axes. */
  interactive?: boolean;
}

export const SCHEMA_URL = 'https://vega.github.io/schema/vega-lite/v6.json';
export const BLUE = '#4c78a8';

/** A horizontal bar per label. */
export function horizontalBars(values: Array<{ label: string; count: number }>, labelTitle: string, countTitle: string): TopLevelSpec {
  return {
    $schema: SCHEMA_URL,
    width: 520,
    data: { values },
    mark: { type: 'bar', color: BLUE },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: '-x', title: labelTitle },
      x: { field: 'count', type: 'quantitative', title: countTitle },
      tooltip: [{ field: 'label', type: 'nominal', title: labelTitle }, { field: 'count', type: 'quantitative', title: countTitle, format: ',' }],
    },
  };
}

/** `vm-3000 vCPU 2`, or the thread when the vCPU is not known. Trace strings: escaped where rendered. */
export function vcpuLabel(r: Report, x: { vm: number | null; vcpu: number | null; tid: number | null }): string {
  if (x.vm === null || x.vcpu === null) return `tid ${x.tid ?? '?'}`;
  return `${r.vms[x.vm]?.name ?? `vm${x.vm}`} vCPU ${x.vcpu}`;
}

/** Time axis unit for a span: ms below 10 s, else s. */
export function timeUnit(spanNs: number): { div: number; unit: string } {
  return spanNs < 10e9 ? { div: 1e6, unit: 'ms' } : { div: 1e9, unit: 's' };
}

/** The zoom parameter (drag or wheel along x), added to a unit spec's `params` in interactive mode. */
export function zoomParams(o: ChartOptions): { params?: Array<{ name: string; select: { type: 'interval'; encodings: ['x'] }; bind: 'scales' }> } {
  return o.interactive ? { params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }] } : {};
}

export function reportCharts(r: Report, o: ChartOptions = {}): Chart[] {
  const charts = [...exitCharts(r, o), ...timelineCharts(r, o), ...analysisCharts(r, o)];
  if (r.events.byEvent.length > 0) {
    charts.push({
      id: 'events',
      title: 'Events by tracepoint',
      spec: horizontalBars(r.events.byEvent.slice(0, 25).map((e) => ({ label: e.event, count: e.count })), 'event', 'events'),
    });
  }
  return charts;
}
