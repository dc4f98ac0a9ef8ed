// The --interactive variant of the HTML report: the vega runtime (node_modules/vega/build/vega.min.js,
// read at report time) and each chart's compiled Vega spec are inlined, and a few lines of script
// replace every static SVG with a live vega view (tooltips on hover, zoom on time axes). Nothing is
// fetched: the Content-Security-Policy allows inline script and vega's expression compiler
// ('unsafe-eval') but no connection, frame, image or font from anywhere. If the script fails the
// static SVGs stay. Vega-Lite is compiled in Node, so its runtime is not needed in the page.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { compileSpec } from './svg.js';

let runtime: string | undefined;

/** vega.min.js from the installed vega package (its exports map hides build/, so go via the module entry). */
export function vegaRuntime(): string {
  if (runtime === undefined) {
    const entry = createRequire(import.meta.url).resolve('vega');
    const text = readFileSync(join(dirname(entry), 'vega.min.js'), 'utf8');
    // Inside <script>, only "</script" and "<!--" could end or derail the element.
    if (/<\/script|<!--/i.test(text)) throw new Error('vega.min.js cannot be inlined: it contains "</script" or "<!--"');
    runtime = text;
  }
  return runtime;
}

/** JSON safe inside a <script> element: no '<', '>' or '&' (so no "</script>" from a trace string), no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function specJson(spec: TopLevelSpec): string {
  return scriptJson(compileSpec(spec));
}

export function interactiveHead(): string {
  return `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline' 'unsafe-eval'">`;
}

const BOOT = `(function(){
  if (typeof vega === 'undefined') return;
  document.querySelectorAll('figure[data-chart]').forEach(function(fig){
    var el = document.getElementById('vega-spec-' + fig.getAttribute('data-chart'));
    var box = fig.querySelector('.chart');
    if (!el || !box) return;
    var live = document.createElement('div');
    box.appendChild(live);
    try {
      var view = new vega.View(vega.parse(JSON.parse(el.textContent)), { renderer: 'svg', container: live, hover: true });
      view.runAsync().then(function(){
        var still = box.querySelector(':scope > svg');
        if (still) still.remove();
        fig.setAttribute('data-live', '1');
      }, function(e){ live.remove(); console.warn('chart ' + fig.id + ': ' + e); });
    } catch (e) { live.remove(); console.warn('chart ' + fig.id + ': ' + e); }
  });
})();`;

/** The runtime, the specs and the bootstrap, placed at the end of <body>. */
export function interactiveScript(specs: Array<{ id: string; spec: string }>): string {
  const parts = [`<script>${vegaRuntime()}</script>`];
  for (const s of specs) parts.push(`<script type="application/json" id="vega-spec-${s.id}">${s.spec}</script>`);
  parts.push(`<script>${BOOT}</script>`);
  return parts.join('\n');
}
