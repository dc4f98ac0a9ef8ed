// The scenario simulator: every scenario is self-consistent (checkInvariants), small, deterministic,
// read back completely by trace-cmd in v6 and v7, and its truth holds the hand-computed values the
// scenario was built for.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { simulate } from '../../../src/cli/commands/simulate.js';
import { SCENARIOS, buildScenario, checkInvariants, percentile, writeScenario } from '../../../src/sim/scenarios/index.js';
import type { ScenarioEvent, ScenarioTruth } from '../../../src/sim/scenarios/index.js';
import { hasTraceCmd, traceCmdRawReport } from '../../helpers/tracecmd.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-scen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 5_000_000_000_000;
const names = [...SCENARIOS.keys()];

describe('percentile (nearest rank)', () => {
  it('takes the value at rank ceil(p/100 * n)', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([4, 1, 3, 2], 51)).toBe(3);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90)).toBe(90);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 99)).toBe(100);
    expect(percentile([5, 1], 0)).toBe(1);
  });
});

describe('checkInvariants catches broken timelines', () => {
  const b = buildScenario('one-long-exit');
  const base = (): ScenarioEvent[] => b.events.map((e) => ({ ...e, values: { ...e.values } }));
  it('accepts the scenario as built', () => expect(checkInvariants(base(), b.check)).toEqual([]));
  it('wrong common_pid', () => {
    const evs = base();
    const i = evs.findIndex((e) => e.event === 'kvm_entry' && e.ts > T0 + 1_000_000);
    evs[i].pid = 2111;
    expect(checkInvariants(evs, b.check).join('\n')).toMatch(/common_pid 2111 but 2110 is running/);
  });
  it('switch-in of a sleeping thread', () => {
    const evs = base();
    const i = evs.findIndex((e) => e.event === 'sched_wakeup' && e.values.pid === 150);
    evs.splice(i - 2, 3); // waking, wakeup (and the local_timer_exit between them is kept out too)
    expect(checkInvariants(evs, b.check).join('\n')).toMatch(/switch-in of 150 in state sleep/);
  });
  it('timestamps out of order', () => {
    const evs = base();
    [evs[100], evs[101]] = [evs[101], evs[100]];
    expect(checkInvariants(evs, b.check).join('\n')).toMatch(/not after/);
  });
  it('a vCPU switched out in guest mode', () => {
    const evs = base();
    const i = evs.findIndex((e) => e.event === 'sched_switch' && e.values.prev_pid === 2110 && e.values.prev_state === 0x100);
    const j = evs.findLastIndex((e, k) => k < i && e.event === 'kvm_exit' && e.pid === 2110);
    evs.splice(j + 1, 0, { ...evs[j], ts: evs[j].ts + 1, event: 'kvm_entry', values: { vcpu_id: 0 } });
    expect(checkInvariants(evs, b.check).join('\n')).toMatch(/switched out in guest mode/);
  });
});

describe.each(names)('scenario %s', (name) => {
  const b = buildScenario(name);
  const t = b.truth;

  it('is a consistent host timeline', () => {
    expect(checkInvariants(b.events, b.check)).toEqual([]);
    expect(b.events.length).toBeGreaterThan(300);
    expect(b.events.length).toBeLessThan(10_000);
  });

  it('has a truth whose parts add up', () => {
    expect(t.vms.length).toBe(1);
    for (const r of t.exits.byVcpu) {
      expect(r.handlingNs + r.scheduledOutNs + r.userspaceNs + r.haltedNs).toBe(r.totalNs);
    }
    expect(t.exits.byReason.reduce((a, r) => a + r.count, 0)).toBe(t.exits.total);
    expect(t.exits.byVcpu.reduce((a, r) => a + r.count, 0)).toBe(t.exits.total);
    expect(t.exits.byReason.reduce((a, r) => a + r.totalNs, 0)).toBe(t.exits.byVcpu.reduce((a, r) => a + r.totalNs, 0));
    expect(t.haltPoll.polled + t.haltPoll.waited).toBe(t.haltPoll.wakeups);
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });

  it('is deterministic for a seed', () => {
    const a = join(dir, `${name}-a.dat`);
    const c = join(dir, `${name}-c.dat`);
    expect(writeScenario(name, a, { version: 7, seed: 5 })).toEqual(writeScenario(name, c, { version: 7, seed: 5 }));
    expect(readFileSync(a).equals(readFileSync(c))).toBe(true);
  });

  it.skipIf(!hasTraceCmd())('is read back by trace-cmd, v6 and v7, event for event', () => {
    for (const version of [6, 7] as const) {
      const p = join(dir, `${name}-v${version}.dat`);
      const truth: ScenarioTruth = writeScenario(name, p, { version });
      expect(truth).toEqual(t);
      expect(statSync(p).size).toBeLessThan(1 << 20);
      const rep = traceCmdRawReport(p);
      expect(rep.cpus).toBe(b.writerOptions.cpus);
      expect(rep.lost).toEqual([]);
      expect(rep.records.length).toBe(b.events.length);
      const got = rep.records.map((r) => `${r.ts} ${r.cpu} ${r.pid} ${r.event}`);
      const want = b.events.map((e) => `${e.ts} ${e.cpu} ${e.pid} ${e.event}`);
      expect(got).toEqual(want);
    }
  });
});

describe('truth values computed by hand', () => {
  it('one-long-exit: the long exit, its split and the ranking by duration − halted', () => {
    const t = buildScenario('one-long-exit').truth;
    expect(t.vms).toEqual([{
      id: 'vm-2100', name: 'qemu-system-x86', pid: 2100,
      vcpus: [{ vcpu: 0, tid: 2110, comm: 'CPU 0/KVM' }, { vcpu: 1, tid: 2111, comm: 'CPU 1/KVM' }],
    }]);
    // exit at 20.071 ms: +50 µs preempted (R+) by kworker/1:1 for 2 ms, back at +2.05 ms,
    // kvm_userspace_exit at +2.08 ms, kvm_entry at +2.58 ms.
    expect(t.exits.longest[0]).toEqual({
      tsNs: T0 + 20_071_000, cpu: 1, vm: 'vm-2100', vcpu: 0, reason: 'IO_INSTRUCTION', durationNs: 2_580_000,
      handlingNs: 80_000, scheduledOutNs: 2_000_000, userspaceNs: 500_000, haltedNs: 0,
    });
    // HLT at 25.106137 ms: polls 2 µs, sleeps at +3 µs, apic_timer_fn at +5.003 ms wakes it
    // (sched_waking at +5.0033 ms), switched in at +5.006 ms, kvm_entry at +5.0078 ms.
    expect(t.exits.longest[1]).toEqual({
      tsNs: T0 + 25_106_137, cpu: 2, vm: 'vm-2100', vcpu: 1, reason: 'HLT', durationNs: 5_007_800,
      handlingNs: 4_800, scheduledOutNs: 2_700, userspaceNs: 0, haltedNs: 5_000_300,
    });
    expect(t.exits.longest[2]).toMatchObject({ reason: 'EXTERNAL_INTERRUPT', durationNs: 2000 });
    const reason = Object.fromEntries(t.exits.byReason.map((r) => [r.reason, r]));
    expect(reason.IO_INSTRUCTION).toEqual({ reason: 'IO_INSTRUCTION', isa: 1, count: 1, totalNs: 2_580_000, p50Ns: 2_580_000, p90Ns: 2_580_000, p99Ns: 2_580_000, maxNs: 2_580_000 });
    expect(reason.EXTERNAL_INTERRUPT).toMatchObject({ count: 72, totalNs: 144_000, p50Ns: 2000, maxNs: 2000 });
    expect(reason.MSR_WRITE).toMatchObject({ count: 71, totalNs: 71_000, p99Ns: 1000 });
    expect(t.exits.total).toBe(145);
    expect(t.exits.withoutDuration).toBe(0);
    // vCPU 0: 74 short exits (37 × 2 µs + 37 × 1 µs = 111 µs) + the long one.
    expect(t.exits.byVcpu[0]).toEqual({
      vm: 'vm-2100', vcpu: 0, count: 75, totalNs: 111_000 + 2_580_000,
      handlingNs: 111_000 + 80_000, scheduledOutNs: 2_000_000, userspaceNs: 500_000, haltedNs: 0,
    });
    // The apic_timer_fn woke CPU 1/KVM: injection = kvm_entry − hrtimer_expire_entry = 4.8 µs.
    expect(t.timers.injection).toEqual({ count: 1, p50Ns: 4800, p99Ns: 4800, maxNs: 4800 });
    expect(t.haltPoll).toMatchObject({ wakeups: 1, polled: 0, waited: 1, pollNs: 0 });
    // Runqueue waits of vCPU 0: wakeup_new → first switch-in (5 µs) and the 2 ms preemption.
    expect(t.scheduling.byVcpu[0]).toMatchObject({ wakeups: 1, migrations: 0, affineWakeups: 0, runqueueWaitP50Ns: 5000, runqueueWaitP99Ns: 2_000_000, stackedNs: 0 });
    expect(t.expectedVerdicts).toEqual(['long-exits']);
  });

  it('stacked-spinning: affine wakeups, migrations, stacking and lock-holder preemption', () => {
    const t = buildScenario('stacked-spinning').truth;
    expect(t.vms[0].vcpus.map((v) => v.tid)).toEqual([3010, 3011, 3012, 3013]);
    for (const r of t.scheduling.byVcpu) expect(r).toMatchObject({ wakeups: 2, migrations: 1, affineWakeups: 1 });
    const st = t.scheduling.byVcpu.map((r) => r.stackedNs);
    // vCPU i lands on CPU 0 (sched_migrate_task) 10 µs after vCPU i−1; stacking of vCPUs 0 and 1
    // starts together, then each later one 10 µs later; all stay runnable on CPU 0 to the end.
    expect(st[0]).toBe(st[1]);
    expect(st[1] - st[2]).toBe(10_000);
    expect(st[2] - st[3]).toBe(10_000);
    expect(st[0]).toBeGreaterThan(27_000_000);
    // Every spin happens while the three siblings wait runnable on CPU 0.
    expect(t.spin.onSpinEvents).toBe(t.spin.pauseExits);
    expect(t.spin.lockHolderPreemptions).toBe(t.spin.onSpinEvents);
    expect(t.spin.onSpinEvents).toBeGreaterThan(500);
    // The trace ends on a sched_switch: all four vCPUs are inside an exit (the one just switched
    // in has not re-entered yet), so four kvm_exits have no duration.
    expect(t.exits.withoutDuration).toBe(4);
    expect(t.expectedVerdicts).toEqual(['vcpu-stacking', 'wake-affine-migrations', 'pause-loop-spinning']);
  });

  it('the other scenarios show what they were built for', () => {
    const h = buildScenario('healthy-pinned').truth;
    expect(h.expectedVerdicts).toEqual([]);
    expect(h.scheduling.byVcpu.every((r) => r.migrations === 0 && r.stackedNs === 0 && r.affineWakeups === 0)).toBe(true);
    expect(h.haltPoll.polled).toBeGreaterThan(h.haltPoll.waited);

    const m = buildScenario('migrations').truth;
    for (const r of m.scheduling.byVcpu) {
      expect(r.affineWakeups).toBeGreaterThan(10);
      expect(r.migrations).toBe(2 * r.affineWakeups);
      expect(r.stackedNs).toBe(0);
    }

    const l = buildScenario('late-lapic-timers').truth;
    expect(l.timers.lapicExpire.late).toBeGreaterThan(3 * l.timers.lapicExpire.early);
    expect(l.timers.lapicExpire.early).toBeGreaterThan(0);
    expect(l.timers.injection.count).toBe(l.haltPoll.waited);

    const hp = buildScenario('halt-poll-wasted').truth;
    expect(hp.haltPoll.waited).toBeGreaterThan(4 * hp.haltPoll.polled);
    expect(hp.haltPoll.grows).toBeGreaterThan(0);
    expect(hp.haltPoll.shrinks).toBeGreaterThan(0);

    const ipi = buildScenario('ipi-storm').truth;
    expect(ipi.ipis.total).toBe(ipi.ipis.icrWrites);
    expect(ipi.ipis.unmapped).toBe(0);
    expect(ipi.ipis.byVcpu.reduce((a, r) => a + r.received, 0)).toBe(ipi.ipis.total);

    const ept = buildScenario('ept-violations').truth;
    expect(ept.exits.byReason[0].reason).toBe('EPT_VIOLATION');

    const amd = buildScenario('amd-host').truth;
    expect(amd.exits.byReason.map((r) => r.reason).sort()).toEqual(['hlt', 'interrupt', 'msr', 'npf', 'pause']);
    expect(amd.exits.byReason.every((r) => r.isa === 2)).toBe(true);
    expect(amd.spin.onSpinEvents).toBe(amd.spin.pauseExits);
    expect(amd.spin.lockHolderPreemptions).toBe(0);
  });
});

describe('kvmtrace simulate', () => {
  it('lists the scenarios and writes a file plus its truth', () => {
    let text = '';
    const out = new Writable({ write(c, _e, cb) { text += String(c); cb(); } });
    simulate(undefined, { list: true }, out);
    for (const n of names) expect(text).toContain(n);
    const p = join(dir, 'cli.dat');
    const tj = join(dir, 'cli.json');
    simulate('one-long-exit', { out: p, version: '6', truth: tj }, out);
    expect(readFileSync(p).subarray(0, 10).toString('latin1')).toContain('tracing');
    expect(JSON.parse(readFileSync(tj, 'utf8'))).toEqual(buildScenario('one-long-exit').truth);
    expect(() => simulate('nope', { out: p }, out)).toThrow(/unknown scenario/);
    expect(() => simulate('one-long-exit', { out: p, version: '5' }, out)).toThrow(/6 or 7/);
  });
});
