// Vega-Lite specs compiled to Vega and rendered to SVG in Node with vega's headless view (renderer
// 'none' + toSVG), so the HTML shows the charts with JavaScript off and no network. The compiled Vega
// specs are also what the --interactive page hands to the inlined vega runtime (tooltips, zoom).
// Loading vega and vega-lite costs about a quarter of a second: only the HTML writers import this.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

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
