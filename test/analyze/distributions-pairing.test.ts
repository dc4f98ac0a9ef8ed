// Distributions (src/analyze/distributions.ts) takes its exit durations from the Exits pairing when
// given one; pairing kvm_exit and kvm_entry itself must give the same histograms.
import { expect, it } from 'vitest';
import { Dispatcher } from '../../src/analyze/dispatch.js';
import { Distributions } from '../../src/analyze/distributions.js';
import { ExitReasons } from '../../src/analyze/exit-reasons.js';
import { Exits } from '../../src/analyze/exits.js';
import { SchedTracker } from '../../src/analyze/sched-state.js';
import { Threads } from '../../src/analyze/threads.js';
import { openInput } from '../../src/ingest/index.js';

it('exit durations: the Exits pairing and its own pairing agree (simulated trace)', () => {
  const src = openInput('fixtures/fuzz/seeds/sim-v7-zstd.dat');
  const d = new Dispatcher(src.formats);
  const sched = new SchedTracker(d);
  const threads = new Threads(d, src);
  const reasons = new ExitReasons();
  const exits = new Exits(d, sched, threads, reasons);
  const shared = new Distributions(d, reasons, exits);
  const own = new Distributions(d, reasons);
  src.read((b) => d.run(b));
  src.close();
  const a = shared.finish();
  expect(a.exitDurations.reduce((n, x) => n + x.count, 0)).toBe(exits.finish().total - exits.finish().unpaired);
  expect(a.exitDurations.length).toBeGreaterThan(3);
  expect(own.finish()).toEqual(a);
});
