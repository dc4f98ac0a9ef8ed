// Text ingest benchmark: lines/s of kvmtrace reading a large `perf script` text end to end into
// EventBatches (scan + payload decode + encode), next to `perf script > /dev/null` producing that
// text from its perf.data, in the same run, as a ratio (absolute times on these machines are noisy).
// Inputs are generated, never committed (bench/data/ is git-ignored): a perf.data recorded here
// (`perf record -a -e sched:*,timer:* -- perf bench sched messaging`, KVMTRACE_TEXT_BENCH_LOOPS
// loops) and its `perf script` text. Without perf record rights, the text is synthesized from the
// fixture's perf script output (timestamps shifted) and perf script runs on the fixture scaled.
// The same for `trace-cmd report` text (trace-cmd's plugin payload shapes) of a synthetic KVM-host
// trace.dat (src/sim/generate-kvm-load.ts, KVMTRACE_TEXT_BENCH_TC_MB) next to `trace-cmd report >
// /dev/null` on that file.
// Target (issue "Every input users actually attach"): ≥ 1,000,000 lines/s on one core.
import { spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openInput } from '../src/ingest/index.js';
import { generateKvmLoad } from '../src/sim/generate-kvm-load.js';
import { sh } from './common.js';

const DIR = process.env.KVMTRACE_BENCH_DIR ?? 'bench/data';
const LOOPS = Number(process.env.KVMTRACE_TEXT_BENCH_LOOPS ?? 1500);
const DATA = join(DIR, `perf-text-bench-${LOOPS}.data`);
const TEXT = join(DIR, `perf-text-bench-${LOOPS}.txt`);
/** Size of the synthetic trace.dat whose `trace-cmd report` text is timed (20 MB ≈ 480,000 lines). */
const TC_MB = Number(process.env.KVMTRACE_TEXT_BENCH_TC_MB ?? 20);
const EVENTS = 'sched:sched_switch,sched:sched_wakeup,sched:sched_waking,sched:sched_migrate_task,timer:hrtimer_start,timer:hrtimer_expire_entry,timer:hrtimer_expire_exit';

function prepare(): { perfData: string | null } {
  mkdirSync(DIR, { recursive: true });
  if (!existsSync(DATA)) {
    const rec = sh(`perf record -q -a -m 1024 -e ${EVENTS} -o ${DATA} -- perf bench sched messaging -l ${LOOPS} >/dev/null`);
    if (!rec.ok) console.log(`perf record failed (${rec.err.trim()}); synthesizing the text`);
  }
  if (existsSync(DATA) && !existsSync(TEXT)) {
    const r = sh(`perf script -f -i ${DATA} > ${TEXT}`);
    if (!r.ok) throw new Error(`perf script failed: ${r.err}`);
  }
  if (existsSync(DATA)) return { perfData: DATA };
  // Fallback: the fixture's text repeated with shifted timestamps.
  const fixture = 'fixtures/tracedat/kvm-pinned/perf.data';
  const base = spawnSync('perf', ['script', '-f', '-i', fixture], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  const out = createWriteStream(TEXT);
  for (let k = 0; k < 130; k++) out.write(base.replace(/ (\d+)\.(\d{6}):/g, (_m, s: string, f: string) => ` ${Number(s) + 3 * k}.${f}:`));
  out.end();
  writeFileSync(`${TEXT}.fallback`, '');
  return { perfData: null };
}

export function ingest(path: string): { lines: number; events: number; seconds: number; cpu: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const src = openInput(path);
  let events = 0;
  let check = 0;
  src.read((b) => {
    events += b.length;
    for (let i = 0; i < b.length; i++) check += b.fmt[i] + b.len[i];
  });
  src.close();
  if (check < 0) console.log('');
  const c = process.cpuUsage(c0);
  const lines = Number(src.meta.details.find(([k]) => k === 'lines')?.[1] ?? events);
  return { lines, events, seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

/** Best of `runs` kvmtrace ingests of `text` against best of `runs` runs of the tool's `cmd`. */
function compare(label: string, text: string, tool: string, cmd: string | null, runs: number, big?: string): void {
  const size = statSync(text).size;
  let best = { lines: 0, events: 0, seconds: Infinity, cpu: Infinity };
  let first = 0;
  for (let i = 0; i < runs; i++) {
    const r = ingest(text);
    if (i === 0) first = r.seconds;
    if (r.seconds < best.seconds) best = { ...r, cpu: Math.min(r.cpu, best.cpu) };
    else best.cpu = Math.min(best.cpu, r.cpu);
  }
  const lps = best.lines / best.seconds;
  console.log(`text ingest (${label}, ${(size / 1e6).toFixed(0)} MB, ${best.lines} lines, ${best.events} events):`);
  console.log(`  kvmtrace            ${best.seconds.toFixed(2)} s  ${(lps / 1e6).toFixed(2)} M lines/s  (CPU ${best.cpu.toFixed(2)} s: ${(best.lines / best.cpu / 1e6).toFixed(2)} M lines/s; target ≥ 1.00)`);
  // The JIT keeps improving the hot loops over the first passes: a one-shot CLI run is the first pass.
  console.log(`  kvmtrace, first pass of the process ${first.toFixed(2)} s  ${(best.lines / first / 1e6).toFixed(2)} M lines/s`);
  if (big) {
    // A one-shot run over a big text: a fresh process, one pass, JIT warm-up included.
    const r = spawnSync(process.execPath, [join(import.meta.dirname ?? 'dist/bench', 'text-pass.js'), big], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status === 0) {
      const p = JSON.parse(r.stdout) as { lines: number; seconds: number; cpu: number };
      console.log(`  kvmtrace, one fresh process over ${(statSync(big).size / 1e6).toFixed(0)} MB (the text 6 times, ${p.lines} lines): ${p.seconds.toFixed(2)} s  ${(p.lines / p.seconds / 1e6).toFixed(2)} M lines/s  (CPU ${p.cpu.toFixed(2)} s: ${(p.lines / p.cpu / 1e6).toFixed(2)} M lines/s)`);
    } else console.log(`  one-pass run over the big text failed: ${String(r.stderr).slice(0, 200)}`);
  }
  if (!cmd) {
    console.log(`  ${tool} comparison skipped (no input could be recorded)`);
    return;
  }
  let ps = Infinity;
  let psCpu = Infinity;
  for (let i = 0; i < runs; i++) {
    const r = shCpu(cmd);
    if (!r.ok) throw new Error(`${tool} failed: ${r.err}`);
    ps = Math.min(ps, r.seconds);
    psCpu = Math.min(psCpu, r.cpu);
  }
  console.log(`  ${`${tool} > null`.padEnd(18)}  ${ps.toFixed(2)} s  ${(best.lines / ps / 1e6).toFixed(2)} M lines/s  (CPU ${psCpu.toFixed(2)} s)`);
  console.log(`  ratio (${tool} time / kvmtrace time): ${(ps / best.seconds).toFixed(2)}× wall, ${(psCpu / best.cpu).toFixed(2)}× CPU`);
}

/** sh() that also returns the command's CPU time (user + sys of the shell's children, from `times`). */
function shCpu(cmd: string): { seconds: number; cpu: number; ok: boolean; err: string } {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `${cmd}; st=$?; times; exit $st`], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  const lines = String(r.stdout ?? '').trim().split('\n');
  const times = (lines[lines.length - 1] ?? '').match(/(\d+)m([\d.]+)s/g) ?? [];
  const cpu = times.reduce((sum, t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t)!;
    return sum + Number(m[1]) * 60 + Number(m[2]);
  }, 0);
  return { seconds, cpu, ok: r.status === 0, err: String(r.stderr ?? '').slice(0, 300) };
}

/** `text` six times over, each copy's `secs.usecs:` stamps moved past the previous copy's (kept in time order). */
function sixTimes(text: string): string {
  const big = text.replace(/\.txt$/, '-x6.txt');
  if (existsSync(big)) return big;
  const base = readFileSync(text, 'latin1');
  const stamps = [...base.matchAll(/ (\d+)\.\d{6}:/g)].map((m) => Number(m[1]));
  const span = stamps.length ? Math.max(...stamps.slice(-1000)) - Math.min(...stamps.slice(0, 1000)) + 1 : 0;
  const out = openSync(`${big}.tmp`, 'w');
  for (let k = 0; k < 6; k++) writeSync(out, k === 0 ? base : base.replace(/ (\d+)\.(\d{6}):/g, (_m, sec: string, us: string) => ` ${Number(sec) + k * span}.${us}:`), null, 'latin1');
  closeSync(out);
  renameSync(`${big}.tmp`, big);
  return big;
}

/** A synthetic KVM-host trace.dat (src/sim) and its `trace-cmd report` text (plugin payload shapes). */
async function prepareTraceCmd(): Promise<{ dat: string; text: string } | null> {
  if (spawnSync('trace-cmd', ['--version']).error) return null;
  const dat = join(DIR, `text-bench-kvm-${TC_MB}mb.dat`);
  const text = join(DIR, `text-bench-kvm-${TC_MB}mb.txt`);
  if (!existsSync(dat)) await generateKvmLoad({ path: dat, targetBytes: TC_MB * 1024 * 1024, cpus: 8, vcpus: 8, seed: 7, writer: { version: 6 } });
  if (!existsSync(text)) {
    const r = sh(`trace-cmd report -i ${dat} > ${text}`);
    if (!r.ok) throw new Error(`trace-cmd report failed: ${r.err}`);
  }
  return { dat, text };
}

export async function runTextBench(): Promise<void> {
  const runs = Number(process.env.KVMTRACE_BENCH_RUNS ?? 5);
  console.log(`(${new Date().toISOString()}, node ${process.version}; best of ${runs}; wall times — CPU time also shown, the machine may be shared)`);
  const { perfData } = prepare();
  compare('perf script text', TEXT, 'perf script', perfData ? `perf script -f -i ${perfData} > /dev/null` : null, runs, sixTimes(TEXT));
  const tc = await prepareTraceCmd();
  if (tc) compare('trace-cmd report text', tc.text, 'trace-cmd report', `trace-cmd report -i ${tc.dat} > /dev/null`, runs);
  else console.log('trace-cmd report text: skipped (trace-cmd not installed)');
}

if (import.meta.url === `file://${process.argv[1]}`) await runTextBench();
