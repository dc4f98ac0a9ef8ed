// Vega-Lite specs for the report, typed in code, rendered to SVG in Node with vega's headless view
// (renderer 'none' + toSVG) so the HTML shows them with JavaScript off and no network.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Report } from './model.js';

export interface Chart {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

function horizontalBars(values: Array<{ label: string; count: number }>, labelTitle: string, countTitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 520,
    data: { values },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: '-x', title: labelTitle },
      x: { field: 'count', type: 'quantitative', title: countTitle },
      tooltip: [{ field: 'label', type: 'nominal' }, { field: 'count', type: 'quantitative' }],
    },
  };
}

export function reportCharts(r: Report): Chart[] {
  const charts: Chart[] = [];
  if (r.exits.total > 0) {
    charts.push({
      id: 'exit-reasons',
      title: 'VM exits by reason',
      spec: horizontalBars(r.exits.byReason.slice(0, 20).map((e) => ({ label: e.reason, count: e.count })), 'exit reason', 'exits'),
    });
  }
  if (r.exits.rate.counts.length > 1) {
    const binMs = r.exits.rate.binNs / 1e6;
    charts.push({
      id: 'exit-rate',
      title: `VM exits per second over time (${binMs} ms bins)`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 620,
        height: 160,
        data: { values: r.exits.rate.counts.map((c, i) => ({ t: (i * binMs) / 1000, rate: (c * 1000) / binMs })) },
        mark: { type: 'line', interpolate: 'step-after', color: '#4c78a8' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'seconds from the first exit' },
          y: { field: 'rate', type: 'quantitative', title: 'exits/s' },
        },
      },
    });
  }
  if (r.events.byEvent.length > 0) {
    charts.push({
      id: 'events',
      title: 'Events by tracepoint',
      spec: horizontalBars(r.events.byEvent.slice(0, 25).map((e) => ({ label: e.event, count: e.count })), 'event', 'events'),
    });
  }
  return charts;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
