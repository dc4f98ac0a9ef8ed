// `npm run bench`: every benchmark, each against the C tool on the same input in the same run, then
// the whole `kvmtrace analyze` against trace-cmd report and perf script on those inputs.
// `npm run bench -- scale` runs the memory / linear-time series instead (bench/scale-bench.ts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runDecodeBench, V7Z } from './decode-bench.js';
import { runEndToEnd, type E2eInput } from './e2e-bench.js';
import { runPerfBench } from './perf-bench.js';
import { runScaleBench } from './scale-bench.js';

if (process.argv[2] === 'scale') {
  await runScaleBench();
} else {
  console.log('## trace.dat decode vs trace-cmd report\n');
  const td = await runDecodeBench();
  console.log('\n## perf.data decode vs perf script\n');
  const pd = runPerfBench();
  console.log('\n## end to end: kvmtrace analyze vs trace-cmd report / perf script\n');
  const e2e: E2eInput[] = [];
  const v7 = td.find((r) => r.file === V7Z);
  if (v7) e2e.push({ file: v7.file, tool: 'trace-cmd report', toolSeconds: v7.theirs, singleThreaded: true });
  // perf-bench rows may be variants of one file (labels, not paths): one end-to-end run per real file.
  for (const r of pd) if (existsSync(r.file) && !e2e.some((x) => x.file === r.file)) e2e.push({ file: r.file, tool: 'perf script', toolSeconds: r.theirs });
  const rows = runEndToEnd(e2e);
  if (rows.some((r) => r.ratio < 5)) process.exitCode = 1;
  console.log('\n## text ingest (perf script, trace-cmd report texts) vs perf script / trace-cmd report\n');
  // In a process of its own: after the benches above this heap is large and the JIT's type
  // feedback is shared with them, which made the text figures 40 % worse than a run of their own.
  const t = spawnSync(process.execPath, [join(import.meta.dirname, 'text-bench.js')], { stdio: 'inherit' });
  if (t.status !== 0) process.exitCode = t.status ?? 1;
}
