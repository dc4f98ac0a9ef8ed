// Lost and inconsistent data is counted, shown in the report's data-quality section, and the
// analyses stay exact on the rest: missed-events pages (known and unknown counts), time going
// backwards on a CPU, kvm_exit without kvm_entry and the reverse, an exit/entry pair in the wrong
// time order, a thread named only after its first events and one never named (simulated trace.dat
// with known answers), and PERF_RECORD_LOST (real perf.data, checked against an independent walk of
// its LOST records).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/analyze/run.js';
import { openInput } from '../../src/ingest/index.js';
import { buildReport, type Report } from '../../src/report/model.js';
import { write, type Step } from '../helpers/sim-scenario.js';
import { perfLayout } from './layout-perf.js';

let lastComms = new Map<number, string>();
function report(path: string): Report {
  const src = openInput(path);
  try {
    const res = analyzeSource(src);
    lastComms = res.comms;
    return buildReport(path, src, res, 'test');
  } finally {
    src.close();
  }
}
const diag = (r: Report) => Object.fromEntries(r.dataQuality.diagnostics.map((d) => [d.code, d.count]));

const VCPU = 2001;
const LATE = 3001;
const T0 = 1_000_000_000n;
const exit = (ts: bigint): Step => ({ ev: { cpu: 0, ts, event: 'kvm_exit', pid: VCPU, values: { exit_reason: 30, isa: 1, vcpu_id: 0, guest_rip: 0x1000n } } });
const entry = (ts: bigint): Step => ({ ev: { cpu: 0, ts, event: 'kvm_entry', pid: VCPU, values: { vcpu_id: 0, rip: 0x1000n } } });

const STEP = 1_000n;
const BACK_AT = T0 + 100_000n * 11n + 200_000n;

/** The writer only moves forward: rewrite the absolute stamp (type_len 31, trace-formats.md §3.3) to 5 µs before the exit. */
function stepBack(path: string): void {
  const b = readFileSync(path);
  const enc = (ts: bigint) => {
    const x = Buffer.alloc(8);
    x.writeUInt32LE(Number(((ts & 0x7ffffffn) << 5n) | 31n), 0);
    x.writeUInt32LE(Number(ts >> 27n), 4);
    return x;
  };
  const at = b.indexOf(enc(BACK_AT + STEP));
  expect(at).toBeGreaterThan(0);
  expect(b.indexOf(enc(BACK_AT + STEP), at + 1)).toBe(-1);
  enc(BACK_AT - 5_000n).copy(b, at);
  writeFileSync(path, b);
}

/** The scenario, with what it must give. */
function scenario(): Step[] {
  const s: Step[] = [entry(T0)]; // an entry without an exit: the vCPU was in the guest when tracing began
  let t = T0 + 100_000n;
  for (let i = 0; i < 10; i++) {
    if (i === 5) s.push({ drop: 42, cpu: 0 });
    if (i === 7) s.push({ drop: 'unknown', cpu: 0 });
    s.push(exit(t), entry(t + BigInt((i + 1) * 1000)));
    t += 100_000n;
  }
  s.push(exit(t), exit(t + 50_000n), entry(t + 52_000n)); // the first exit never reaches an entry
  t += 200_000n;
  s.push(exit(t), { abs: t + STEP, cpu: 0 }, entry(t + STEP + 500n)); // stepBack() moves this stamp 5 µs before the exit
  s.push(exit(t + 10_000n)); // the trace ends inside this exit
  // CPU 1: thread 3001 has events before any sched_switch names it.
  s.push({ ev: { cpu: 1, ts: T0 + 10n, event: 'sched_waking', pid: LATE, values: { comm: 'x', pid: 1, prio: 120, target_cpu: 1 } } });
  s.push({ ev: { cpu: 1, ts: T0 + 500_000n, event: 'sched_switch', pid: 0, values: {
    prev_comm: 'swapper/1', prev_pid: 0, prev_prio: 120, prev_state: 0, next_comm: 'late-name', next_pid: LATE, next_prio: 120 } } });
  s.push({ ev: { cpu: 1, ts: T0 + 900_000n, event: 'sched_switch', pid: LATE, values: {
    prev_comm: 'late-name', prev_pid: LATE, prev_prio: 120, prev_state: 1, next_comm: 'swapper/1', next_pid: 0, next_prio: 120 } } });
  return s;
}

describe('lost and inconsistent data in a trace.dat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-lost-'));
  for (const version of [6, 7] as const) {
    it(`v${version}: each problem counted, the rest analysed exactly`, () => {
      const path = join(dir, `lost-v${version}.dat`);
      write(path, { version, cpus: 2 }, scenario());
      stepBack(path);
      const r = report(path);
      expect(r.input.lostEvents).toBe(42);
      expect(r.input.lostUnknown).toBe(1);
      expect(r.dataQuality.lost.map((l) => [l.cpu, l.count])).toEqual([[0, 42], [0, -1]]);
      expect(diag(r)).toEqual({
        'lost-events': 42,
        'lost-events-unknown': 1,
        'time-backwards': 1,
        'exit-without-entry': 2,
        'entry-without-exit': 1,
        'exit-entry-backwards': 1,
        'thread-without-comm': 1,
      });
      // 14 exits; 11 whole pairs took 1..10 µs and 2 µs, and nothing else leaks into the times.
      expect(r.exits.total).toBe(14);
      expect(r.exits.unpaired).toBe(2);
      const io = r.exits.byReason.find((x) => x.reason === 'IO_INSTRUCTION')!;
      expect(io).toMatchObject({ count: 14, totalNs: 57_000, maxNs: 10_000, p50Ns: 5_000, exact: true });
      expect(r.exits.byVcpu.map((v) => [v.tid, v.comm, v.count, v.totalNs])).toEqual([[VCPU, '', 14, 57_000]]);
      // Thread 3001 had an event before a sched_switch named it: the name still applies to it.
      expect(lastComms.get(LATE)).toBe('late-name');
    });
  }
});

describe('PERF_RECORD_LOST', () => {
  it('the report counts exactly what the LOST records of lost.data say', () => {
    const file = 'fixtures/perf/lost.data';
    const bytes = new Uint8Array(readFileSync(file));
    // Independent count: walk the data section's records and add up each LOST record's u64 lost.
    const dv = new DataView(bytes.buffer);
    let lost = 0;
    let records = 0;
    for (const rec of perfLayout(bytes).records) {
      if (rec.what !== 'record 2') continue;
      records++;
      lost += Number(dv.getBigUint64(rec.start + 16, true));
    }
    expect(records).toBeGreaterThan(0);
    const r = report(file);
    expect(r.input.lostEvents).toBe(lost);
    expect(diag(r)['lost-events']).toBe(lost);
    expect(r.dataQuality.lost.filter((l) => l.count >= 0)).toHaveLength(records);
  });
});
