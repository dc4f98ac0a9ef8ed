// End to end: the whole `kvmtrace analyze FILE` (decode, every analysis, verdicts, HTML + JSON +
// Markdown written) in its own process, against the C tool printing the same input
// (`trace-cmd report > /dev/null`, `perf script > /dev/null`), in the same run, as ratios.
// Target (issue 7): ≥ 5× faster than trace-cmd report on a v7-zstd trace.dat and than perf script
// on a perf.data, on a 2-core machine. Times of the C tool come from the decode benches of the same
// run when given, else are measured here.
import { statSync } from 'node:fs';
import { analyzeRun, bestOf, sh } from './common.js';

export interface E2eInput {
  file: string;
  /** 'trace-cmd report' or 'perf script'. */
  tool: string;
  /** The tool's time on this file from the same run, when already measured. */
  toolSeconds?: number;
  /** Also time kvmtrace with the decode worker off (KVMTRACE_WORKERS=0). */
  singleThreaded?: boolean;
}

export interface E2eRow extends E2eInput { mb: number; ours: number; cpu: number | null; rssMb: number | null; single?: number; theirs: number; ratio: number }

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
    if (i.singleThreaded) {
      const s = analyzeRun(i.file, { ...process.env, KVMTRACE_WORKERS: '0' });
      if (s.ok) single = s.seconds;
    }
    let theirs = i.toolSeconds;
    if (theirs === undefined) {
      const t = sh(toolCommand(i));
      if (!t.ok) throw new Error(`${i.tool} failed on ${i.file}: ${t.err}`);
      theirs = t.seconds;
    }
    rows.push({ ...i, mb: statSync(i.file).size / 1e6, ours: ours.seconds, cpu: ours.cpuSeconds, rssMb: ours.maxRssMb, single, theirs, ratio: theirs / ours.seconds });
  }
  console.log(`kvmtrace analyze (whole pipeline, own process, best of ${runs}) vs the C tool (${new Date().toISOString()}, node ${process.version})`);
  console.log('| input | size | kvmtrace analyze (CPU time) | peak RSS | single-threaded | other tool | ratio | target |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.file} | ${r.mb.toFixed(0)} MB | ${r.ours.toFixed(2)} s${r.cpu === null ? '' : ` (${r.cpu.toFixed(2)} s)`} | ${r.rssMb === null ? '—' : `${r.rssMb.toFixed(0)} MiB`} | ${r.single === undefined ? '—' : `${r.single.toFixed(2)} s`} | \`${r.tool}\` ${r.theirs.toFixed(2)} s | **${r.ratio.toFixed(1)}×** | ≥ 5× ${r.ratio >= 5 ? 'met' : 'NOT met'} |`);
  }
  return rows;
}
