// One read of a text input by a fresh process, JIT warm-up included — what a one-shot `kvmtrace
// analyze` of that text pays for ingest. Prints {lines, events, seconds, cpu} as JSON (text-bench.ts
// runs it on the bench text six times over). Usage: node dist/bench/text-pass.js FILE
import { ingest } from './text-bench.js';

console.log(JSON.stringify(ingest(process.argv[2])));
