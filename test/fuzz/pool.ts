// Runs fuzz cases in a worker thread under a watchdog. A case that takes longer than its time limit
// is a hang: the worker is terminated (which stops even a tight loop), the case is reported with its
// seed, and a fresh worker carries on. A worker that dies (heap limit reached) marks its case the
// same way. Peak RSS growth per case catches allocations sized from the file rather than its size.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export type Outcome =
  | { kind: 'report'; events: number; warnings: string[]; messages: string[] }
  | { kind: 'error'; message: string }
  | { kind: 'crash'; name: string; message: string; stack?: string }
  | { kind: 'hang'; ms: number }
  | { kind: 'worker-died'; message: string }
  | { kind: 'memory'; growthMb: number };

export interface CaseResult { outcome: Outcome; ms: number; /** Growth of the process's peak RSS during the case. */ growthMb: number }

/** Per-case peak RSS growth that counts as unbounded for inputs of a few MiB at most. */
export const MAX_GROWTH_MB = 768;
const HEAP_LIMIT_MB = 1024;

interface Reply { id: number; outcome: Outcome; peakGrowthKb: number }

export class FuzzPool {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'kvmtrace-fuzz-'));
  private n = 0;
  private nextId = 0;

  constructor(private readonly limitMs: number) {}

  private start(): Promise<void> {
    const file = join(this.dir, `case-${this.n++}`);
    const w = new Worker(new URL('./case-worker.mjs', import.meta.url), {
      workerData: { file },
      resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB },
      stdout: true,
      stderr: true,
    });
    w.unref();
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: { ready?: boolean }) => {
        if (m.ready) {
          w.off('message', onMsg);
          w.off('error', reject);
          resolve();
        }
      };
      w.on('message', onMsg);
      w.once('error', reject);
    });
    return this.ready;
  }

  /** Runs one input (HTML rendering too when `html`). */
  async run(bytes: Uint8Array, html = false): Promise<CaseResult> {
    if (!this.worker) await this.start();
    else await this.ready;
    const w = this.worker!;
    const id = this.nextId++;
    const t0 = performance.now();
    const limit = html ? this.limitMs * 4 : this.limitMs;
    return new Promise<CaseResult>((resolve) => {
      let settled = false;
      let growthMb = 0;
      const done = (outcome: Outcome, kill: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        w.off('message', onMsg);
        w.off('error', onErr);
        w.off('exit', onExit);
        if (kill) {
          void w.terminate();
          this.worker = null;
        }
        resolve({ outcome, ms: performance.now() - t0, growthMb });
      };
      const onMsg = (m: Reply) => {
        if (m.id !== id) return;
        growthMb = Math.round(m.peakGrowthKb / 1024);
        if (m.peakGrowthKb / 1024 > MAX_GROWTH_MB) done({ kind: 'memory', growthMb: Math.round(m.peakGrowthKb / 1024) }, true);
        else done(m.outcome, false);
      };
      const onErr = (e: Error) => done({ kind: 'worker-died', message: e.message }, true);
      const onExit = (code: number) => done({ kind: 'worker-died', message: `worker exited with ${code}` }, true);
      const timer = setTimeout(() => done({ kind: 'hang', ms: limit }, true), limit);
      w.on('message', onMsg);
      w.on('error', onErr);
      w.on('exit', onExit);
      w.postMessage({ id, bytes, html });
    });
  }

  async close(): Promise<void> {
    if (this.worker) await this.worker.terminate();
    this.worker = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** True for the outcomes the suite accepts: a report, or the project's one-line InputError. */
export function acceptable(o: Outcome): boolean {
  return o.kind === 'report' || o.kind === 'error';
}
