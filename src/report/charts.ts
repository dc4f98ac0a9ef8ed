// The report's charts: Vega-Lite specs typed in code (chart-*.ts build them from the report model),
// compiled to Vega and rendered to SVG in Node with vega's headless view (renderer 'none' + toSVG),
// so the HTML shows them with JavaScript off and no network. The compiled Vega specs are also what
// the --interactive page hands to the inlined vega runtime (tooltips, zoom).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
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

/**
 * U+2028/U+2029 in a trace string (a comm, a VM or exit-reason name) make vega's expression parser
 * throw when vega-lite puts the string into an expression (custom sort orders): found by the fuzzer
 * (test/report/escape-fuzz.test.ts). Spaces instead, in the whole spec, so data and sorts stay equal.
 */
function noLineSeparators<T>(v: T): T {
  if (typeof v === 'string') return (/[\u2028\u2029]/.test(v) ? v.replace(/[\u2028\u2029]/g, ' ') : v) as T;
  if (Array.isArray(v)) return v.map(noLineSeparators) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, noLineSeparators(x)])) as T;
  return v;
}

/** The Vega spec a Vega-Lite spec compiles to. */
export function compileSpec(spec: TopLevelSpec): vega.Spec {
  // Legends show whole labels (vega-lite cuts them at 160 px).
  return compile(noLineSeparators({ ...spec, config: { ...spec.config, legend: { labelLimit: 280, titleLimit: 280, ...spec.config?.legend } } }) as TopLevelSpec).spec;
}

/** Geometry attributes whose numbers are shortened to 2 decimals (sub-pixel digits add only bytes). */
const GEOMETRY = /\b(d|transform|opacity|fill-opacity|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g;

/**
 * The static SVG: no ARIA descriptions (Vega-Lite writes one per mark, most of the bytes of a
 * heatmap) and geometry rounded to 0.01 px, so a chart of thousands of cells stays small.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compileSpec({ ...spec, config: { ...spec.config, aria: false } } as TopLevelSpec)), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // vega escapes < and & in text; quotes too here, so no text from a trace reads like an attribute.
    return svg.replace(GEOMETRY, (_m, k: string, v: string) => `${k}="${v.replace(/(\.\d\d)\d+/g, '$1')}"`)
      .replace(/>([^<]*)</g, (_m, t: string) => `>${t.replace(/"/g, '&quot;').replace(/'/g, '&#39;')}<`);
  } finally {
    view.finalize();
  }
}
