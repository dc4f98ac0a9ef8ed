// Test helper: compares a kvmtrace report with a scenario's truth, key by key, and returns the
// differences as readable lines (empty = identical). VMs are matched by pid; rows by (pid, vcpu).
import type { Report } from '../../src/report/model.js';
import type { ScenarioTruth } from '../../src/sim/scenarios/types.js';

export function compareWithTruth(r: Report, t: ScenarioTruth): string[] {
  const d: string[] = [];
  const eq = (what: string, ours: unknown, theirs: unknown) => {
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) d.push(`${what}: ours ${JSON.stringify(ours)} truth ${JSON.stringify(theirs)}`);
  };
  const pidOf = (vm: number | null) => (vm === null ? null : r.vms[vm]?.pid ?? null);
  const truthPid = (id: string) => Number(id.replace(/^vm-/, ''));
  const key = (pid: number | null, vcpu: number | null) => `${pid}/${vcpu}`;

  eq('vms', r.vms.map((v) => ({ pid: v.pid, vcpus: v.vcpus })).sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0)),
    t.vms.map((v) => ({ pid: v.pid, vcpus: v.vcpus })).sort((a, b) => a.pid - b.pid));

  eq('exits.total', r.exits.total, t.exits.total);
  eq('exits.unpaired', r.exits.unpaired, t.exits.withoutDuration);
  const reasons = (rows: Array<{ reason: string; count: number; totalNs: number; p50Ns: number | null; p90Ns: number | null; p99Ns: number | null; maxNs: number | null }>) =>
    rows.map(({ reason, count, totalNs, p50Ns, p90Ns, p99Ns, maxNs }) => ({ reason, count, totalNs, p50Ns, p90Ns, p99Ns, maxNs })).sort((a, b) => a.reason.localeCompare(b.reason));
  eq('exits.byReason', reasons(r.exits.byReason), reasons(t.exits.byReason));
  const split = (x: { count: number; totalNs: number; handlingNs: number; scheduledOutNs: number; userspaceNs: number; haltedNs: number }) =>
    ({ count: x.count, totalNs: x.totalNs, handlingNs: x.handlingNs, scheduledOutNs: x.scheduledOutNs, userspaceNs: x.userspaceNs, haltedNs: x.haltedNs });
  eq('exits.byVcpu', Object.fromEntries(r.exits.byVcpu.map((x) => [key(pidOf(x.vm), x.vcpu), split(x)])),
    Object.fromEntries(t.exits.byVcpu.map((x) => [key(truthPid(x.vm), x.vcpu), split(x)])));
  const longN = Math.min(r.exits.longest.length, t.exits.longest.length, 10);
  eq('exits.longest', r.exits.longest.slice(0, longN).map((l) => ({ tsNs: Number(l.tsNs), cpu: l.cpu, vcpu: l.vcpu, reason: l.reason, durationNs: l.durationNs, haltedNs: l.haltedNs })),
    t.exits.longest.slice(0, longN).map((l) => ({ tsNs: l.tsNs, cpu: l.cpu, vcpu: l.vcpu, reason: l.reason, durationNs: l.durationNs, haltedNs: l.haltedNs })));

  eq('spin', { on: r.spin.onSpinEvents, pause: r.spin.pauseExits, lhp: r.spin.lockHolderPreempted },
    { on: t.spin.onSpinEvents, pause: t.spin.pauseExits, lhp: t.spin.lockHolderPreemptions });
  const nz = <T extends object>(rows: T[], f: (x: T) => number) => rows.filter((x) => f(x) > 0);
  eq('spin.byVcpu', Object.fromEntries(nz(r.spin.byVcpu, (x) => x.onSpinEvents + x.pauseExits).map((x) => [key(pidOf(x.vm), x.vcpu), [x.onSpinEvents, x.pauseExits, x.lockHolderPreempted]])),
    Object.fromEntries(nz(t.spin.byVcpu, (x) => x.onSpinEvents + x.pauseExits).map((x) => [key(truthPid(x.vm), x.vcpu), [x.onSpinEvents, x.pauseExits, x.lockHolderPreemptions]])));

  const le = r.timers.lapicExpire;
  eq('timers.lapicExpire', { count: le.count, late: le.late, early: le.early, p50Ns: le.p50Ns, p99Ns: le.p99Ns, maxLateNs: le.maxLateNs ?? 0 }, t.timers.lapicExpire);
  const inj = r.timers.injection;
  eq('timers.injection', { count: inj.count, p50Ns: inj.p50Ns, p99Ns: inj.p99Ns, maxNs: inj.maxNs }, t.timers.injection);

  const hp = r.haltPoll;
  eq('haltPoll', { wakeups: hp.wakeups, polled: hp.polled, waited: hp.waited, invalid: hp.invalid, pollNs: hp.pollNs },
    { wakeups: t.haltPoll.wakeups, polled: t.haltPoll.polled, waited: t.haltPoll.waited, invalid: t.haltPoll.invalid, pollNs: t.haltPoll.pollNs });
  eq('haltPoll.growShrink', [hp.byVcpu.reduce((s, x) => s + x.grow, 0), hp.byVcpu.reduce((s, x) => s + x.shrink, 0)], [t.haltPoll.grows, t.haltPoll.shrinks]);

  const sched = (x: { wakeups: number; migrations: number; affineWakeups: number; runqueueWaitP50Ns: number | null; runqueueWaitP99Ns: number | null; stackedNs: number }) =>
    ({ wakeups: x.wakeups, migrations: x.migrations, affineWakeups: x.affineWakeups, p50: x.runqueueWaitP50Ns, p99: x.runqueueWaitP99Ns, stackedNs: x.stackedNs });
  eq('scheduling.byVcpu', Object.fromEntries(r.scheduling.byVcpu.map((x) => [key(pidOf(x.vm), x.vcpu), sched(x)])),
    Object.fromEntries(t.scheduling.byVcpu.map((x) => [key(truthPid(x.vm), x.vcpu), sched(x)])));

  eq('ipis', { total: r.ipis.total, icr: r.ipis.icrMsrWrites }, { total: t.ipis.total, icr: t.ipis.icrWrites });
  eq('ipis.byVcpu', Object.fromEntries(nz(r.ipis.byVcpu, (x) => x.sent + x.received).map((x) => [key(pidOf(x.vm), x.vcpu), [x.sent, x.received]])),
    Object.fromEntries(nz(t.ipis.byVcpu, (x) => x.sent + x.received).map((x) => [key(truthPid(x.vm), x.vcpu), [x.sent, x.received]])));
  return d;
}
