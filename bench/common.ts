// Shared by the benchmarks: timing a shell command, and one full kvmtrace decode pass that touches
// every event's columns (so nothing is optimised away).
import { spawnSync } from 'node:child_process';
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
