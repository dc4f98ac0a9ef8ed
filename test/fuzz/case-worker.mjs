// Fuzz case runner (a worker thread): writes one input to a file and drives it through the same path
// as `kvmtrace analyze` — openInput → analyzeSource → buildReport → JSON and Markdown (and, when
// asked, HTML). Plain JS over the built dist/ (the test runs `tsc` first) so a worker can load it
// without a TypeScript loader. Answers {kind: 'report' | 'error' | 'crash'} plus memory figures;
// the pool (pool.ts) owns the watchdog that terminates a case that hangs.
import { writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

// FUZZ_DIST: another build's src/ directory (a private `tsc --outDir` while others rebuild dist/).
const dist = process.env.FUZZ_DIST ? new URL(`file://${process.env.FUZZ_DIST.replace(/\/?$/, '/')}`) : new URL('../../dist/src/', import.meta.url);
const load = (p) => import(new URL(p, dist).href);
const [{ openInput }, { analyzeSource }, { buildReport }, { toJson }, { toMarkdown }, { toHtml }, { InputError }] = await Promise.all([
  load('ingest/index.js'), load('analyze/run.js'), load('report/model.js'), load('report/json.js'),
  load('report/markdown.js'), load('report/html.js'), load('diag/errors.js'),
]);

const file = workerData.file;

async function runCase(bytes, html) {
  writeFileSync(file, bytes);
  let src;
  try {
    src = openInput(file);
    const report = buildReport(file, src, analyzeSource(src), 'fuzz');
    toJson(report);
    toMarkdown(report);
    if (html) await toHtml(report);
    const warnings = report.dataQuality.diagnostics.map((d) => `${d.code}:${d.count}`);
    const messages = report.dataQuality.diagnostics.map((d) => d.message);
    return { kind: 'report', events: report.input.events, warnings, messages };
  } catch (e) {
    if (e instanceof InputError) {
      const line = e.withFile(file).describe();
      if (line.includes('\n')) return { kind: 'crash', name: 'InputError', message: `multi-line error: ${JSON.stringify(line)}` };
      return { kind: 'error', message: line };
    }
    const err = e instanceof Error ? e : new Error(String(e));
    return { kind: 'crash', name: err.name, message: err.message, stack: err.stack?.split('\n').slice(0, 8).join('\n') };
  } finally {
    try {
      src?.close();
    } catch (e) {
      // a close that throws is a bug as well, but the outcome above already says what happened
      void e;
    }
  }
}

parentPort.on('message', async (msg) => {
  const before = process.resourceUsage().maxRSS;
  const outcome = await runCase(msg.bytes, msg.html);
  const after = process.resourceUsage().maxRSS;
  const mem = process.memoryUsage();
  parentPort.postMessage({ id: msg.id, outcome, peakGrowthKb: after - before, heapMb: mem.heapUsed / 2 ** 20, arrayBuffersMb: mem.arrayBuffers / 2 ** 20 });
});
parentPort.postMessage({ ready: true });
