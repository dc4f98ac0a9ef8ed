// perf.data decoding against `perf script > /dev/null` on the same files, in the same run, as
// ratios. Inputs are recorded on this host when missing (root, perf, stress-ng): a system-wide
// `perf record` of timer/sched/kvm tracepoints under a 20 kHz timer load (~100 MB, ~1 M samples),
// and the same with `-z` (zstd). Set KVMTRACE_PERF_BENCH_FILE to time an existing perf.data instead.
// Target (issue "Every input users actually attach"): ≥ 5× faster than perf script.
// A -z input is also timed with its zstd stream decompressed on the main thread
// (KVMTRACE_ZSTD_WORKER=0) next to the default worker thread pipelined with the record walk.
// Run: `node dist/bench/perf-bench.js` (or call runPerfBench()).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openInput } from '../src/ingest/index.js';
import type { PerfTraceSource } from '../src/ingest/perf/index.js';
import { decode, sh } from './common.js';

const DIR = process.env.KVMTRACE_BENCH_DIR ?? 'bench/data';
const PLAIN = join(DIR, 'perf-load.data');
const ZSTD = join(DIR, 'perf-load-z.data');
const EVENTS = [
  'timer:hrtimer_start', 'timer:hrtimer_expire_entry', 'timer:hrtimer_expire_exit', 'timer:hrtimer_cancel',
  'sched:sched_switch', 'sched:sched_wakeup', 'sched:sched_waking', 'kvm:kvm_pio', 'kvm:kvm_mmio', 'kvm:kvm_userspace_exit',
].flatMap((e) => ['-e', e]);

function record(path: string, extra: string[]): void {
  process.stderr.write(`recording ${path} (perf record -a, 4 s under stress-ng)...\n`);
  const load = spawnSync('sh', ['-c', '(timeout 6 stress-ng --cpu 2 --timer 2 --timer-freq 20000 -q >/dev/null 2>&1 &) ; sleep 0.5']);
  if (load.status !== 0) throw new Error('stress-ng failed');
  const r = spawnSync('perf', ['record', '-q', '-a', '-m', '256', ...extra, ...EVENTS, '-o', path, '--', 'sleep', '4'], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`perf record failed: ${String(r.stderr).slice(0, 300)}`);
  spawnSync('sleep', ['2']);
}

/** True when the perf.data carries PERF_RECORD_COMPRESSED (HEADER_COMPRESSED feature). */
function isCompressed(file: string): boolean {
  const src = openInput(file) as PerfTraceSource;
  src.close();
  return src.meta.format === 'perf.data' && src.meta.compression !== 'none';
}

export interface PerfBenchRow { file: string; mb: number; events: number; ours: number; theirs: number; ratio: number }

export function runPerfBench(): PerfBenchRow[] {
  if (spawnSync('perf', ['version']).status !== 0) {
    console.error('perf bench needs perf (apt-get install linux-perf)');
    return [];
  }
  const files: string[] = [];
  if (process.env.KVMTRACE_PERF_BENCH_FILE) files.push(process.env.KVMTRACE_PERF_BENCH_FILE);
  else {
    mkdirSync(DIR, { recursive: true });
    if (!existsSync(PLAIN)) record(PLAIN, []);
    if (!existsSync(ZSTD)) record(ZSTD, ['-z']);
    files.push(PLAIN, ZSTD);
  }
  const rows: PerfBenchRow[] = [];
  const best = (file: string) => {
    decode(file); // warm the page cache and the JIT
    return Math.min(...[0, 1, 2].map(() => decode(file).seconds));
  };
  for (const file of files) {
    const ours = best(file);
    const { events } = decode(file);
    const t = sh(`perf script -f -i '${file}' > /dev/null`);
    if (!t.ok) throw new Error(`perf script failed: ${t.err}`);
    const mb = statSync(file).size / 1e6;
    rows.push({ file, mb, events, ours, theirs: t.seconds, ratio: t.seconds / ours });
    if (isCompressed(file)) {
      const saved = process.env.KVMTRACE_ZSTD_WORKER;
      process.env.KVMTRACE_ZSTD_WORKER = '0';
      try {
        const single = best(file);
        rows.push({ file: `${file} (zstd on the main thread)`, mb, events, ours: single, theirs: t.seconds, ratio: t.seconds / single });
      } finally {
        if (saved === undefined) delete process.env.KVMTRACE_ZSTD_WORKER;
        else process.env.KVMTRACE_ZSTD_WORKER = saved;
      }
    }
  }
  console.log('| input | size | events | kvmtrace decode | perf script | ratio | target |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.file} | ${r.mb.toFixed(0)} MB | ${r.events.toLocaleString('en-US')} | ${r.ours.toFixed(2)} s (${(r.events / r.ours / 1e6).toFixed(2)} M events/s) | ${r.theirs.toFixed(2)} s | **${r.ratio.toFixed(1)}×** | ≥ 5× ${r.ratio >= 5 ? 'met' : 'NOT met'} |`);
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runPerfBench();
