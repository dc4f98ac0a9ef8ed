// Progress on long runs: one line on stderr, redrawn at most every 100 ms, with the bytes of the
// input read, events per second and the time left. Only when stderr is a terminal and --quiet is
// off; stdout is never touched. The analysis runs synchronously, so the line is redrawn from the
// batch callback (a timer would never fire), and the bytes come from the source's file
// (`TraceSource.input`, counted by FileSource).
import type { ProgressHook } from '../analyze/select.js';
import type { EventBatch } from '../model/event-batch.js';
import type { TraceSource } from '../model/trace-source.js';

export interface ProgressOutput {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

const MiB = 1 << 20;
const BAR = 24;

export function formatBytes(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : `${(n / MiB).toFixed(1)} MiB`;
}

function formatRate(evPerSec: number): string {
  return evPerSec >= 1e6 ? `${(evPerSec / 1e6).toFixed(1)}M ev/s` : `${Math.round(evPerSec / 1e3)}k ev/s`;
}

function formatEta(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--';
  const s = Math.ceil(sec);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The progress line for a state (exported for tests). */
export function progressLine(label: string, read: number, total: number, events: number, elapsedMs: number): string {
  const frac = total > 0 ? Math.min(1, read / total) : 0;
  const fill = Math.round(frac * BAR);
  const secs = elapsedMs / 1000;
  const rate = secs > 0 ? events / secs : 0;
  const eta = frac > 0 && secs > 0 ? (secs * (1 - frac)) / frac : NaN;
  return `${label} [${'#'.repeat(fill)}${'-'.repeat(BAR - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${formatBytes(read)}/${formatBytes(total)} ${formatRate(rate)} ETA ${formatEta(eta)}`;
}

/**
 * A progress hook factory for analyzeInput, or undefined when no progress should show
 * (stderr not a terminal, or quiet).
 */
export function progressFor(out: ProgressOutput, quiet: boolean, file: string, now: () => number = () => performance.now(), intervalMs = 100) {
  if (quiet || !out.isTTY) return undefined;
  return (pass: string, source: TraceSource): ProgressHook | undefined => {
    const input = source.input;
    if (!input) return undefined;
    const start = now();
    const startBytes = input.bytesRead;
    let events = 0;
    let last = start;
    let drawn = false;
    const name = file.length > 30 ? `…${file.slice(-29)}` : file;
    return {
      batch(b: EventBatch) {
        events += b.length;
        const t = now();
        if (t - last < intervalMs) return;
        last = t;
        const line = progressLine(`${name}: ${pass}`, input.bytesRead - startBytes, input.size, events, t - start);
        const width = (out.columns ?? 100) - 1;
        out.write(`\r${line.slice(0, width)}\x1b[K`);
        drawn = true;
      },
      done() {
        if (drawn) out.write('\r\x1b[K');
      },
    };
  };
}
