// Regression guard for throughput: `kvmtrace analyze`'s in-process core (trace.dat decode, the
// per-CPU merge, every analysis) on a simulator trace of ~8 MB, timed against a baseline operation
// on the same bytes in the same run — plain JS loops hashing every byte of the file (FNV-1a) and
// counting its words in a 16 MB table, which track the machine's JIT and cache speed (and the
// contention from other processes) the way our code does. Only the ratio counts, so the test
// holds on any machine; it fails when kvmtrace gets more than twice slower relative to the
// baseline than when it was calibrated (BASELINE_RATIO, measured on the project's 2-core VM).
// The best of several back-to-back pairs filters the noise of a shared host.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeSource } from '../../src/analyze/run.js';
import { FileSource } from '../../src/ingest/io/byte-source.js';
import { openTraceDat } from '../../src/ingest/tracedat/open.js';
import { traceDatSource } from '../../src/ingest/tracedat/source.js';
import { generateKvmLoad } from '../../src/sim/generate-kvm-load.js';

/** kvmtrace time / baseline time (best pair of RUNS), measured when the guard was set. */
const BASELINE_RATIO = 0.7; // 2026-12-02: 0.54–0.95 over 5 runs (idle-ish, beside another test file, beside a busy loop)
/** Fail above this multiple of BASELINE_RATIO (throughput dropped by more than half). */
const LIMIT = 2;
const RUNS = 7;
/** Baseline passes over the file (hashing, then table counting): both sides run for a comparable time. */
const PASSES = 6;
const TABLE_PASSES = 2;
const TABLE_MASK = (1 << 22) - 1;
const table = new Uint32Array(TABLE_MASK + 1);

let dir = '';
let path = '';
let events = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kvmtrace-guard-'));
  path = join(dir, 'guard.dat');
  const r = await generateKvmLoad({ path, targetBytes: 8 << 20, cpus: 4, vcpus: 4, seed: 5, writer: { version: 6 } });
  events = r.events;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function timeKvmtrace(): number {
  const t0 = performance.now();
  const src = new FileSource(path);
  const s = traceDatSource(src, openTraceDat(src, path), { threads: 'off', readerThread: 'off' });
  const res = analyzeSource(s);
  s.close();
  const t = performance.now() - t0;
  expect(res.counts.events).toBe(events);
  return t;
}

let sink = 0;
function timeBaseline(): number {
  const t0 = performance.now();
  const bytes = readFileSync(path);
  let h = 0x811c9dc5;
  for (let pass = 0; pass < PASSES; pass++) {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  // Random-access counting over the file's words in a 16 MB table, like the analyses' hash tables:
  // the baseline then feels cache contention from other processes the way kvmtrace does.
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  for (let pass = 0; pass < TABLE_PASSES; pass++) {
    for (let i = 0; i < words.length; i++) table[(Math.imul(words[i] ^ pass ^ i, 0x9e3779b1) >>> 10) & TABLE_MASK]++;
  }
  sink ^= h ^ table[h & TABLE_MASK];
  return performance.now() - t0;
}

it('kvmtrace throughput relative to a plain JS pass over the same bytes', () => {
  // Back-to-back pairs see the same load on a shared host; the best pair is the least disturbed.
  let ratio = Infinity;
  let ours = Infinity;
  let base = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const b = timeBaseline();
    const o = timeKvmtrace();
    ratio = Math.min(ratio, o / b);
    ours = Math.min(ours, o);
    base = Math.min(base, b);
  }
  console.log(`perf guard: ${events} events, kvmtrace best ${ours.toFixed(0)} ms, baseline best ${base.toFixed(0)} ms, best pair ratio ${ratio.toFixed(2)} (calibrated ${BASELINE_RATIO}, limit ${(LIMIT * BASELINE_RATIO).toFixed(2)})${sink === 0.5 ? ' ' : ''}`);
  expect(ratio).toBeLessThan(LIMIT * BASELINE_RATIO);
}, 120_000);
