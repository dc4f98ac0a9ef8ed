// VM exits on a hand-made timeline whose every nanosecond is known: pairing, reason names from the
// trace's own format (VMX and SVM), the four-way split of exit time, the longest exits, unpaired
// exits, and VM grouping by the fork tree.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeSource, type AnalysisResults } from '../../src/analyze/run.js';
import { openInput } from '../../src/ingest/index.js';
import { buildFormatSet, loadFormatSet, type FormatSet } from '../../src/sim/format-set.js';
import { TraceDatWriter, type SimEvent } from '../../src/sim/tracedat-writer.js';

const F = 'fixtures/formats/linux-6.18';
const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-exits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FS = loadFormatSet(F, { systems: ['kvm', 'sched'] });
const T = 1001; // CPU 0/KVM
const X = 2000; // another thread on the same CPU
const B = 1_000_000_000n;

function analyze(events: Array<Omit<SimEvent, 'cpu'> & { cpu?: number }>, fs: FormatSet = FS): AnalysisResults {
  const path = join(dir, `t${Math.random().toString(36).slice(2)}.dat`);
  const w = new TraceDatWriter(fs, { version: 7, cpus: 2, cmdlines: [[T, 'CPU 0/KVM'], [X, 'worker'], [1000, 'qemu-system-x86']] });
  for (const e of events) w.add({ cpu: 0, ...e, ts: B + e.ts });
  w.finishSync(path);
  const src = openInput(path);
  try {
    return analyzeSource(src);
  } finally {
    src.close();
  }
}

const sw = (ts: bigint, prev: number, state: number, next: number): Omit<SimEvent, 'cpu'> => ({
  ts, event: 'sched_switch', pid: prev, values: { prev_pid: prev, prev_state: state, next_pid: next, prev_comm: prev === T ? 'CPU 0/KVM' : 'worker', next_comm: next === T ? 'CPU 0/KVM' : 'worker', prev_prio: 120, next_prio: 120 },
});
const exit = (ts: bigint, reason: number, isa = 1): Omit<SimEvent, 'cpu'> => ({ ts, event: 'kvm_exit', pid: T, values: { exit_reason: reason, isa, vcpu_id: 0 } });
const entry = (ts: bigint): Omit<SimEvent, 'cpu'> => ({ ts, event: 'kvm_entry', pid: T, values: { vcpu_id: 0 } });

const timeline = [
  { ts: 500n, event: 'sched_process_fork', pid: 1000, values: { parent_comm: 'qemu-system-x86', parent_pid: 1000, child_comm: 'qemu-system-x86', child_pid: T } },
  sw(1000n, X, 1, T),
  entry(1100n),
  exit(2000n, 12), // HLT
  sw(2300n, T, 1, X), // T sleeps: handling 300
  { ts: 5300n, event: 'sched_wakeup', pid: X, values: { comm: 'CPU 0/KVM', pid: T, prio: 120, target_cpu: 0 } }, // halted 3000
  sw(5500n, X, 1, T), // runnable 200
  entry(5600n), // handling 100 → 3600 = 400 + 3000 + 200
  exit(6000n, 30), // IO_INSTRUCTION
  { ts: 6100n, event: 'kvm_userspace_exit', pid: T, values: { reason: 2, errno: 0 } }, // handling 100
  sw(6400n, T, 0, X), // preempted: user space 300
  sw(6900n, X, 1, T), // scheduled out 500
  entry(7000n), // user space 100 → 1000 = 100 + 400 + 500
  exit(8000n, 48), // EPT_VIOLATION
  entry(8050n), // 50
  exit(9000n, 12), // never entered: unpaired
];

describe('exits on a known timeline', () => {
  const r = analyze(timeline);

  it('pairs exits with entries and names reasons from the format', () => {
    expect(r.exits.total).toBe(4);
    expect(r.exits.unpaired).toBe(1);
    expect(r.exits.byReason.map((x) => [x.reason, x.isa, x.count, x.totalNs, x.p50Ns, x.maxNs])).toEqual([
      ['HLT', 'vmx', 2, 3600, 3600, 3600],
      ['IO_INSTRUCTION', 'vmx', 1, 1000, 1000, 1000],
      ['EPT_VIOLATION', 'vmx', 1, 50, 50, 50],
    ]);
  });

  it('splits exit time into handling, scheduled out, user space and halted', () => {
    expect(r.exits.byThread.get(T)).toEqual({ count: 4, totalNs: 4650, handlingNs: 550, scheduledOutNs: 700, userspaceNs: 400, haltedNs: 3000 });
  });

  it('ranks the longest exits by the time not halted', () => {
    // Timestamps count from the first event (the fork at 500).
    expect(r.counts.firstTs).toBe(0);
    expect(r.exits.longest.map((l) => [l.reason, l.ts + 500, l.durationNs, l.handlingNs, l.scheduledOutNs, l.userspaceNs, l.haltedNs, l.ranInstead])).toEqual([
      ['IO_INSTRUCTION', 6000, 1000, 100, 500, 400, 0, [X]],
      ['HLT', 2000, 3600, 400, 200, 0, 3000, [X]],
      ['EPT_VIOLATION', 8000, 50, 50, 0, 0, 0, []],
    ]);
  });

  it('groups the vCPU thread into its VM by the fork tree', () => {
    expect(r.vms).toEqual([{ id: 0, name: 'vm-1000', pid: 1000, grouping: 'fork', vcpus: [{ vcpu: 0, tid: T, comm: 'CPU 0/KVM' }], threads: [] }]);
  });
});

describe('exit reasons from the trace, not from kvmtrace', () => {
  const real = readFileSync(join(F, 'events/kvm/kvm_exit/format'), 'utf8');
  const withExit = (text: string) => {
    const read = (p: string) => readFileSync(join(F, p), 'utf8');
    return buildFormatSet(read('header_page'), read('header_event'), [
      { system: 'kvm', name: 'kvm_exit', text },
      { system: 'kvm', name: 'kvm_entry', text: read('events/kvm/kvm_entry/format') },
    ]);
  };

  it('uses the SVM table when isa is 2 and the VMX one when it is 1', () => {
    const r = analyze([exit(1n, 0x078, 2), entry(2n), exit(3n, 0x400, 2), entry(4n), exit(5n, 12, 1), entry(6n), exit(7n, 0x80000021, 1), entry(8n), exit(9n, 999, 1)], withExit(real));
    expect(r.exits.byReason.map((x) => `${x.isa}:${x.reason}`).sort()).toEqual(['svm:hlt', 'svm:npf', 'vmx:HLT', 'vmx:INVALID_STATE', 'vmx:reason 999']);
  });

  it('follows a kernel that names a reason differently', () => {
    const renamed = real.replace('{ 12, "HLT" }', '{ 12, "HALT_AS_THIS_KERNEL_CALLS_IT" }').replace('{ 0x078, "hlt" }', '{ 0x078, "svm_hlt_renamed" }');
    const r = analyze([exit(1n, 12, 1), entry(2n), exit(3n, 0x78, 2), entry(4n)], withExit(renamed));
    expect(r.exits.byReason.map((x) => x.reason).sort()).toEqual(['HALT_AS_THIS_KERNEL_CALLS_IT', 'svm_hlt_renamed']);
  });
});
