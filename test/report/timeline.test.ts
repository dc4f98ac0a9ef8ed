// The timeline analysis on a hand-made 2.5 ms host trace whose buckets are worked out by hand:
// 100 buckets of 10 µs cover 1 ms, so the width doubles twice (40 µs, 63 buckets used); one HLT
// exit split into handling, halted and scheduled-out time; one EPT exit; vCPU 1 migrating onto
// CPU 1 where it is stacked with vCPU 0 for 600 µs; two late and one early lapic timer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topWindows } from '../../src/analyze/timeline-windows.js';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import type { Report } from '../../src/report/model.js';
import { capBins } from '../../src/report/timeline-section.js';
import { loadFormatSet } from '../../src/sim/format-set.js';
import { TraceDatWriter } from '../../src/sim/tracedat-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-timeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BASE = 5_000_000_000n;
const US = 1000;
const COMM: Record<number, string> = { 0: 'swapper', 101: 'CPU 0/KVM', 102: 'CPU 1/KVM', 999: 'kworker/0:1' };
let r: Report;
let long: Report;

beforeAll(() => {
  const fs = loadFormatSet('fixtures/formats/linux-6.18', { systems: ['kvm', 'sched'] });
  const w = new TraceDatWriter(fs, { version: 7, cpus: 3, cmdlines: [[101, COMM[101]], [102, COMM[102]], [999, COMM[999]]] });
  const at = (us: number) => BASE + BigInt(us * US);
  const sw = (us: number, cpu: number, prev: number, state: number, next: number) => w.add({
    cpu, ts: at(us), event: 'sched_switch', pid: prev,
    values: { prev_comm: COMM[prev], prev_pid: prev, prev_prio: 120, prev_state: state, next_comm: COMM[next], next_pid: next, next_prio: 120 },
  });
  const wake = (us: number, cpu: number, tid: number, target: number) => w.add({ cpu, ts: at(us), event: 'sched_wakeup', pid: 0, values: { comm: COMM[tid], pid: tid, prio: 120, target_cpu: target } });
  const exit = (us: number, reason: number) => w.add({ cpu: 1, ts: at(us), event: 'kvm_exit', pid: 101, values: { isa: 1, exit_reason: reason, vcpu_id: 0 } });
  const entry = (us: number) => w.add({ cpu: 1, ts: at(us), event: 'kvm_entry', pid: 101, values: { vcpu_id: 0 } });
  const lapic = (us: number, delta: number) => w.add({ cpu: 1, ts: at(us), event: 'kvm_wait_lapic_expire', pid: 101, values: { vcpu_id: 0, delta } });
  sw(0, 1, 0, 0, 101);
  exit(10, 12); // HLT
  sw(20, 1, 101, 1, 0); // halts (S)
  wake(100, 0, 101, 1);
  sw(110, 1, 0, 0, 101);
  entry(115); // exit of 105 µs: 10 handling, 80 halted, 15 runnable/running
  sw(200, 2, 0, 0, 102);
  sw(1000, 2, 102, 1, 0);
  wake(1200, 1, 102, 1); // vCPU 1 now runnable on CPU 1 beside vCPU 0: stacked from 1200
  sw(1500, 1, 101, 0, 102); // vCPU 0 preempted (R), vCPU 1 runs on CPU 1: a CPU change
  sw(1800, 1, 102, 1, 101); // vCPU 1 sleeps: stacking ends
  exit(2000, 48); // EPT_VIOLATION
  entry(2030);
  lapic(2100, 5000);
  lapic(2200, -300);
  lapic(2300, 12000);
  wake(2500, 0, 999, 0);
  const path = join(dir, 'timeline.dat');
  w.finishSync(path);
  r = analyzeFile(path);

  // 10 s with one 500 ms exit at 1 s: 10 µs × 2^14 = 163.84 ms buckets, 62 of them.
  const l = new TraceDatWriter(fs, { version: 7, cpus: 2, cmdlines: [[101, COMM[101]]] });
  const ns = (n: number) => BASE + BigInt(n);
  l.add({ cpu: 1, ts: ns(0), event: 'sched_switch', pid: 0, values: { prev_comm: COMM[0], prev_pid: 0, prev_prio: 120, prev_state: 0, next_comm: COMM[101], next_pid: 101, next_prio: 120 } });
  l.add({ cpu: 1, ts: ns(1e9), event: 'kvm_exit', pid: 101, values: { isa: 1, exit_reason: 30, vcpu_id: 0 } });
  l.add({ cpu: 1, ts: ns(1.5e9), event: 'kvm_entry', pid: 101, values: { vcpu_id: 0 } });
  l.add({ cpu: 0, ts: ns(10e9), event: 'sched_wakeup', pid: 0, values: { comm: COMM[999], pid: 999, prio: 120, target_cpu: 0 } });
  const longPath = join(dir, 'long.dat');
  l.finishSync(longPath);
  long = analyzeFile(longPath);
});

const nonZero = (a: number[]) => Object.fromEntries(a.map((v, k) => [k, v]).filter(([, v]) => v !== 0));

describe('timeline', () => {
  it('doubles the bucket width until the trace fits', () => {
    expect(r.timeline).toMatchObject({ available: true, startNs: BASE, bucketNs: 40 * US, buckets: 63 });
  });

  it('splits exit time at bucket edges into not-halted and halted time', () => {
    const v0 = r.timeline.vcpus.find((v) => v.tid === 101)!;
    expect(v0).toMatchObject({ vm: 0, vcpu: 0, comm: 'CPU 0/KVM' });
    expect(nonZero(v0.exits)).toEqual({ 0: 1, 50: 1 });
    expect(nonZero(v0.exitNs)).toEqual({ 0: 10_000, 2: 15_000, 50: 30_000 });
    expect(nonZero(v0.haltedNs)).toEqual({ 0: 20_000, 1: 40_000, 2: 20_000 });
    // The same totals as the exit analysis.
    const e = r.exits.byVcpu.find((x) => x.tid === 101)!;
    expect(e.handlingNs + e.scheduledOutNs + e.userspaceNs).toBe(55_000);
    expect(e.haltedNs).toBe(80_000);
    expect(nonZero(v0.migrations)).toEqual({});
    const v1 = r.timeline.vcpus.find((v) => v.tid === 102)!;
    expect(nonZero(v1.migrations)).toEqual({ 37: 1 });
    expect(nonZero(v1.exits)).toEqual({});
  });

  it('shows which vCPU thread ran on each CPU, and stacking', () => {
    const c1 = r.timeline.cpus.find((c) => c.cpu === 1)!;
    const c2 = r.timeline.cpus.find((c) => c.cpu === 2)!;
    expect(c1.vcpuNs.reduce((a, b) => a + b, 0)).toBe(2_410_000);
    expect(c2.vcpuNs.reduce((a, b) => a + b, 0)).toBe(800_000);
    expect(c1.vcpuNs[0]).toBe(20_000);
    expect(c1.vcpuNs[1]).toBe(0);
    expect(c1.vcpuNs[2]).toBe(10_000);
    // Bucket 37 (1480-1520 µs): 20 µs each; the tie goes to the lower tid.
    expect([c1.threads[37], c1.top[37]]).toEqual([2, 101]);
    expect([c1.threads[40], c1.top[40]]).toEqual([1, 102]);
    expect(nonZero(c1.stackedNs)).toEqual(Object.fromEntries([...Array(15).keys()].map((k) => [30 + k, 40_000])));
    expect(c2.stackedNs.every((x) => x === 0)).toBe(true);
    expect(r.timeline.cpus.map((c) => c.cpu)).toEqual([1, 2]);
  });

  it('counts late timers per bucket and ranks the worst windows', () => {
    expect(nonZero(r.timeline.lapicLate)).toEqual({ 52: 1, 57: 1 });
    expect(nonZero(r.timeline.lapicMaxLate)).toEqual({ 52: 5000, 57: 12000 });
    const s = (us: number) => BASE + BigInt(us * US);
    expect(r.timeline.worstWindows).toEqual([
      { kind: 'exit-time', startNs: s(2000), endNs: s(2040), value: 30_000, unit: 'ns', vm: 0, vcpu: 0, tid: 101, window: '5.002000000..5.002040000' },
      { kind: 'exit-time', startNs: s(80), endNs: s(120), value: 15_000, unit: 'ns', vm: 0, vcpu: 0, tid: 101, window: '5.000080000..5.000120000' },
      { kind: 'exit-time', startNs: s(0), endNs: s(40), value: 10_000, unit: 'ns', vm: 0, vcpu: 0, tid: 101, window: '5.000000000..5.000040000' },
      { kind: 'timer-lateness', startNs: s(2280), endNs: s(2320), value: 12000, unit: 'guest-tsc-cycles', vm: 0, vcpu: 0, tid: 101, window: '5.002280000..5.002320000' },
      { kind: 'timer-lateness', startNs: s(2080), endNs: s(2120), value: 5000, unit: 'guest-tsc-cycles', vm: 0, vcpu: 0, tid: 101, window: '5.002080000..5.002120000' },
    ]);
  });

  it('builds the log-scale histograms', () => {
    expect(r.exits.durationHistogram).toEqual([
      { reason: 'HLT', isa: 'vmx', count: 1, zeroNs: 0, bins: [{ loNs: 100_000, hiNs: 178_000, count: 1 }] },
      { reason: 'EPT_VIOLATION', isa: 'vmx', count: 1, zeroNs: 0, bins: [{ loNs: 17_800, hiNs: 31_600, count: 1 }] },
    ].sort((a, b) => b.count - a.count));
    expect(r.timers.lapicExpire.histogram).toEqual({
      late: [{ lo: 3160, hi: 5620, count: 1 }, { lo: 10_000, hi: 17_800, count: 1 }],
      early: [{ lo: 178, hi: 316, count: 1 }],
      onTime: 0,
    });
  });

  it('keeps 100 buckets at most on a long trace and makes a long exit one window', () => {
    expect(long.timeline).toMatchObject({ bucketNs: 163_840_000, buckets: 62 });
    const v = long.timeline.vcpus[0];
    expect(nonZero(v.exitNs)).toEqual({ 6: 146_880_000, 7: 163_840_000, 8: 163_840_000, 9: 25_440_000 });
    expect(long.timeline.worstWindows).toEqual([{
      kind: 'exit-time', startNs: BASE + 983_040_000n, endNs: BASE + 1_638_400_000n, value: 500_000_000, unit: 'ns', vm: 0, vcpu: 0, tid: 101, window: '5.983040000..6.638400000',
    }]);
  });

  it('merges adjacent top buckets into windows and ranks them', () => {
    const score = [0, 5, 6, 0, 9, 1, 0, 7, 7, 7];
    expect(topWindows(score.length, (k) => score[k], (a, b) => a + b, 2)).toEqual([{ first: 7, last: 9, value: 21 }, { first: 1, last: 2, value: 11 }]);
    expect(topWindows(score.length, (k) => score[k], Math.max, 5)).toEqual([
      { first: 4, last: 5, value: 9 }, { first: 7, last: 9, value: 7 }, { first: 1, last: 2, value: 6 },
    ]);
    // Only the limit × 3 highest buckets are considered: with limit 1, buckets 4, 7 and 8 (ties: earlier).
    expect(topWindows(score.length, (k) => score[k], (a, b) => a + b, 1)).toEqual([{ first: 7, last: 8, value: 14 }]);
  });

  it('caps the exit-rate bins by a whole factor', () => {
    expect(capBins([1, 2, 3, 4, 5], 10, 5)).toEqual({ binNs: 10, counts: [1, 2, 3, 4, 5] });
    expect(capBins([1, 2, 3, 4, 5], 10, 2)).toEqual({ binNs: 30, counts: [6, 9] });
    expect(capBins(Array(2500).fill(1), 10_000_000, 1000)).toEqual({ binNs: 30_000_000, counts: [...Array(833).fill(3), 1] });
  });
});
