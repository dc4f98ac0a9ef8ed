// Shared by the benchmarks: timing a shell command, one full kvmtrace decode pass that touches
// every event's columns (so nothing is optimised away), and end-to-end `kvmtrace analyze` runs in
// their own process with wall time and peak RSS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInput } from '../src/ingest/index.js';

export function sh(cmd: string): { seconds: number; ok: boolean; err: string } {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  return { seconds: (performance.now() - t0) / 1000, ok: r.status === 0, err: String(r.stderr ?? '').slice(0, 300) };
}

let sink = 0;

export function decode(path: string): { events: number; seconds: number } {
  const t0 = performance.now();
  const src = openInput(path);
  let events = 0;
  src.read((b) => {
    events += b.length;
    for (let i = 0; i < b.length; i++) sink += b.fmt[i] + b.cpu[i] + b.pid[i];
  });
  src.close();
  return { events, seconds: (performance.now() - t0) / 1000 };
}

/** Keeps `sink` observable. */
export function sinkValue(): number {
  return sink;
}

export interface ProcRun {
  seconds: number;
  /** Peak resident set of the process in MiB (from /usr/bin/time), or null when unavailable. */
  maxRssMb: number | null;
  /** User + system CPU seconds of all its threads (from /usr/bin/time): steadier than wall time on a loaded host. */
  cpuSeconds: number | null;
  ok: boolean;
  err: string;
}

const TIME_BIN = '/usr/bin/time';

/** Runs a command (no shell) with stdout discarded; wall time and, when /usr/bin/time exists, peak RSS. */
export function timeProcess(argv: string[], env: NodeJS.ProcessEnv = process.env): ProcRun {
  const withTime = existsSync(TIME_BIN);
  const rssFile = join(tmpdir(), `kvmtrace-bench-rss-${process.pid}.txt`);
  const cmd = withTime ? [TIME_BIN, '-f', '%M %U %S', '-o', rssFile, ...argv] : argv;
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26, env });
  const seconds = (performance.now() - t0) / 1000;
  let maxRssMb: number | null = null;
  let cpuSeconds: number | null = null;
  if (withTime && existsSync(rssFile)) {
    const [kb, user, sys] = (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (Number.isFinite(kb)) maxRssMb = kb / 1024;
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuSeconds = user + sys;
    rmSync(rssFile, { force: true });
  }
  return { seconds, maxRssMb, cpuSeconds, ok: r.status === 0, err: String(r.stderr ?? '').slice(0, 300) };
}

/** The built CLI (`npm run build` first). */
export const CLI = 'dist/src/cli/main.js';

/**
 * One end-to-end `kvmtrace analyze FILE` in its own process: decode, every analysis, verdicts and the
 * HTML + JSON + Markdown reports written (to a scratch directory), as a user runs it.
 */
export function analyzeRun(path: string, env?: NodeJS.ProcessEnv): ProcRun & { events?: number } {
  const out = mkdtempSync(join(tmpdir(), 'kvmtrace-bench-'));
  try {
    const r = timeProcess([process.execPath, CLI, 'analyze', path, '-o', out, '--name', 'bench', '-q'], env);
    if (r.ok && !['bench.html', 'bench.json', 'bench.md'].every((f) => existsSync(join(out, f)))) {
      return { ...r, ok: false, err: 'analyze did not write its three reports' };
    }
    // The report's own event count (input.events), so a bench can check nothing was dropped.
    const events = r.ok ? (JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as { input?: { events?: number } }).input?.events : undefined;
    return { ...r, events };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Best (lowest wall time) of `n` runs with the highest peak RSS seen; a failed run ends the series. */
export function bestOf(n: number, run: () => ProcRun): ProcRun {
  let best = run();
  let rss = best.maxRssMb;
  for (let i = 1; i < n && best.ok; i++) {
    const r = run();
    if (!r.ok) return r;
    if (r.maxRssMb !== null) rss = Math.max(rss ?? 0, r.maxRssMb);
    if (r.seconds < best.seconds) best = r;
  }
  return { ...best, maxRssMb: rss };
}
