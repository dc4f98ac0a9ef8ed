// The analyses alone: a trace is decoded once into memory, then every analysis (analyzeSource) runs
// over the stored batches several times in this process, timed by CPU time, so changes to
// src/analyze can be compared without the decoder's cost or the machine's other load in the figure.
// Usage: node dist/bench/analyses-bench.js FILE [passes]   (default bench/data/kvm-load-300mb-v6.dat, 3)
import { openInput } from '../src/ingest/index.js';
import { analyzeSource } from '../src/analyze/run.js';
import { EventBatch } from '../src/model/event-batch.js';
import type { TraceSource } from '../src/model/trace-source.js';

function copyBatch(b: EventBatch): EventBatch {
  const c = new EventBatch(b.length, b.little);
  c.length = b.length;
  c.ts.set(b.ts.subarray(0, b.length));
  c.cpu.set(b.cpu.subarray(0, b.length));
  c.pid.set(b.pid.subarray(0, b.length));
  c.fmt.set(b.fmt.subarray(0, b.length));
  c.type.set(b.type.subarray(0, b.length));
  c.off.set(b.off.subarray(0, b.length));
  c.len.set(b.len.subarray(0, b.length));
  c.reserve(b.dataUsed);
  c.data.set(b.data.subarray(0, b.dataUsed));
  c.dataUsed = b.dataUsed;
  return c;
}

/** A source that replays stored batches (same metadata, fresh diagnostics each pass). */
function replay(src: TraceSource, batches: EventBatch[]): TraceSource {
  return { ...src, lost: [...src.lost], read: (cb) => { for (const b of batches) if (cb(b) === false) return; }, close() {} };
}

const file = process.argv[2] ?? 'bench/data/kvm-load-300mb-v6.dat';
const passes = Number(process.argv[3] ?? 3);
process.env.KVMTRACE_WORKERS = '0';
const src = openInput(file);
const batches: EventBatch[] = [];
let events = 0;
src.read((b) => {
  batches.push(copyBatch(b));
  events += b.length;
});
src.close();
console.log(`${file}: ${events.toLocaleString('en-US')} events in ${batches.length} batches`);
for (let p = 0; p < passes; p++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = analyzeSource(replay(src, batches));
  const cpu = process.cpuUsage(c0);
  const s = (cpu.user + cpu.system) / 1e6;
  console.log(`pass ${p + 1}: ${s.toFixed(2)} s CPU (${((performance.now() - t0) / 1000).toFixed(2)} s wall), ${(events / s / 1e6).toFixed(2)} M events/s; exits ${r.exits.total ?? ''}`);
}
