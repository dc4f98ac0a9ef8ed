// End to end: the whole `kvmtrace analyze FILE` (decode, every analysis, verdicts, HTML + JSON +
// Markdown written) in its own process, against the C tool printing the same input
// (`trace-cmd report > /dev/null`, `perf script > /dev/null`), in the same run, as ratios.
// Target (issue 7): ≥ 5× faster than trace-cmd report on a v7-zstd trace.dat and than perf script
// on a perf.data, on a 2-core machine. Times of the C tool come from the decode benches of the same
// run when given, else are measured here, CPU time (its whole process tree) included: CPU time is
// the steadier measure on a shared machine. Standalone: `node dist/bench/e2e-bench.js FILE...`
// (KVMTRACE_BENCH_RUNS runs of each side, best kept; .data files against perf script).
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { analyzeRun, bestOf, timeProcess } from './common.js';

export interface E2eInput {
  file: string;
  /** 'trace-cmd report' or 'perf script'. */
  tool: string;
  /** The tool's time on this file from the same run, when already measured. */
  toolSeconds?: number;
  /** Also time kvmtrace with the decode worker off (KVMTRACE_WORKERS=0). */
  singleThreaded?: boolean;
}

export interface E2eRow extends E2eInput {
  mb: number; ours: number; cpu: number | null; rssMb: number | null; single?: number; singleCpu?: number | null; theirs: number; ratio: number;
  /** The C tool's CPU time, when measured here; CPU ratio = theirsCpu / cpu. */
  theirsCpu: number | null; cpuRatio: number | null;
}

function toolCommand(i: E2eInput): string {
  return i.tool === 'perf script' ? `perf script -f -i '${i.file}' > /dev/null` : `trace-cmd report '${i.file}' > /dev/null`;
}

export function runEndToEnd(inputs: E2eInput[]): E2eRow[] {
  const runs = Number(process.env.KVMTRACE_BENCH_RUNS ?? 2);
  const rows: E2eRow[] = [];
  for (const i of inputs) {
    const ours = bestOf(runs, () => analyzeRun(i.file));
    if (!ours.ok) throw new Error(`kvmtrace analyze failed on ${i.file}: ${ours.err}`);
    let single: number | undefined;
    let singleCpu: number | null | undefined;
    if (i.singleThreaded) {
      const s = analyzeRun(i.file, { ...process.env, KVMTRACE_WORKERS: '0' });
      if (s.ok) [single, singleCpu] = [s.seconds, s.cpuSeconds];
    }
    let theirs = i.toolSeconds;
    let theirsCpu: number | null = null;
    if (theirs === undefined) {
      const t = bestOf(runs, () => timeProcess(['sh', '-c', toolCommand(i)]));
      if (!t.ok) throw new Error(`${i.tool} failed on ${i.file}: ${t.err}`);
      [theirs, theirsCpu] = [t.seconds, t.cpuSeconds];
    }
    const cpuRatio = theirsCpu !== null && ours.cpuSeconds ? theirsCpu / ours.cpuSeconds : null;
    rows.push({ ...i, mb: statSync(i.file).size / 1e6, ours: ours.seconds, cpu: ours.cpuSeconds, rssMb: ours.maxRssMb, single, singleCpu, theirs, ratio: theirs / ours.seconds, theirsCpu, cpuRatio });
  }
  console.log(`kvmtrace analyze (whole pipeline, own process, best of ${runs}) vs the C tool (${new Date().toISOString()}, node ${process.version})`);
  console.log('| input | size | kvmtrace analyze (CPU time) | peak RSS | single-threaded (CPU) | other tool (CPU) | ratio | target | CPU ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.file} | ${r.mb.toFixed(0)} MB | ${r.ours.toFixed(2)} s${r.cpu === null ? '' : ` (${r.cpu.toFixed(2)} s)`} | ${r.rssMb === null ? '—' : `${r.rssMb.toFixed(0)} MiB`} | ${r.single === undefined ? '—' : `${r.single.toFixed(2)} s${cpuOf(r.singleCpu)}`} | \`${r.tool}\` ${r.theirs.toFixed(2)} s${cpuOf(r.theirsCpu)} | **${r.ratio.toFixed(1)}×** | ≥ 5× ${r.ratio >= 5 ? 'met' : 'NOT met'} | ${r.cpuRatio === null ? '—' : `${r.cpuRatio.toFixed(1)}×`} |`);
  }
  return rows;
}

const cpuOf = (c: number | null | undefined) => (c === null || c === undefined ? '' : ` (${c.toFixed(2)} s)`);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node dist/bench/e2e-bench.js FILE...');
    process.exit(2);
  }
  const rows = runEndToEnd(files.map((file) => ({ file, tool: file.endsWith('.data') ? 'perf script' : 'trace-cmd report', singleThreaded: true })));
  if (rows.some((r) => r.ratio < 5)) process.exitCode = 1;
}
