// Renders the report's charts to SVG in a worker thread. `kvmtrace analyze` starts it before reading
// the trace, so loading vega (≈ 0.25 s) happens on the other core while the trace is read, and the
// rendering overlaps writing the JSON and Markdown. The SVGs are those svg.ts renders in-process
// (the same function runs here); any failure of the worker makes toHtml render in-process instead.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { builtScript } from '../util/worker-script.js';

interface Request { id: number; specs: TopLevelSpec[] }
interface Reply { id: number; svgs?: string[]; error?: string }

export interface SvgRenderer {
  /** The SVG of each spec, in order; rejects when the worker failed (render in-process then). */
  render(specs: TopLevelSpec[]): Promise<string[]>;
  close(): void;
}

/** Starts the worker (it begins loading vega at once); null when no built script is found. */
export function startSvgWorker(): SvgRenderer | null {
  const script = builtScript('svg-worker.js', import.meta.url);
  if (!script) return null;
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: { kvmtraceSvg: true } });
  } catch {
    return null;
  }
  worker.unref();
  let failed: Error | null = null;
  const pending = new Map<number, { resolve: (s: string[]) => void; reject: (e: Error) => void }>();
  const fail = (e: Error): void => {
    failed = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`svg worker exited (${code})`)));
  worker.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.svgs) p.resolve(m.svgs);
    else p.reject(new Error(m.error ?? 'svg worker failed'));
  });
  let next = 0;
  return {
    render(specs) {
      if (failed) return Promise.reject(failed);
      const id = next++;
      return new Promise<string[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref(); // keep the process alive while an answer is due
        worker.postMessage({ id, specs } satisfies Request);
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      });
    },
    close() {
      void worker.terminate();
    },
  };
}

if (!isMainThread && parentPort && (workerData as { kvmtraceSvg?: boolean } | null)?.kvmtraceSvg === true) {
  const port = parentPort;
  const svg = import('./svg.js'); // start loading vega now, before the first request
  port.on('message', (m: Request) => {
    void svg.then(async ({ renderSvg }) => {
      const svgs: string[] = [];
      for (const s of m.specs) svgs.push(await renderSvg(s));
      port.postMessage({ id: m.id, svgs } satisfies Reply);
    }).catch((e: unknown) => port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies Reply));
  });
}
