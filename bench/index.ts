// `npm run bench`: every benchmark, each against the C tool on the same input in the same run.
import { runDecodeBench } from './decode-bench.js';
import { runPerfBench } from './perf-bench.js';
import { runTextBench } from './text-bench.js';

console.log('## trace.dat decode vs trace-cmd report\n');
await runDecodeBench();
console.log('\n## perf.data decode vs perf script\n');
runPerfBench();
console.log('\n## perf script text ingest vs perf script\n');
await runTextBench();
