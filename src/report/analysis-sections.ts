// The report sections of the per-vCPU analyses (spin, timers, halt polling, scheduling, IPIs) and
// the list of analyses that could not run, built from the analysis results with vCPU threads
// resolved to (vm, vcpu). Keys follow the kvmtrace/1 contract (docs/report-schema.md).
import { missingAnalyses } from '../analyze/requirements.js';
import type { AnalysisResults } from '../analyze/run.js';

type Where = (tid: number) => { vm: number | null; vcpu: number | null };
const q = (v: number | null | undefined) => (v === undefined || v === null || Number.isNaN(v) ? null : v);

export function analysisSections(res: AnalysisResults, where: Where, isVcpu: (tid: number) => boolean, baseNs: bigint) {
  const abs = (rel: number) => baseNs + BigInt(rel);
  const perVcpu = <T>(m: Map<number, T>) => [...m].filter(([tid]) => isVcpu(tid)).map(([tid, v]) => ({ ...where(tid), tid, v }))
    .sort((a, b) => (a.vm ?? -1) - (b.vm ?? -1) || (a.vcpu ?? -1) - (b.vcpu ?? -1) || a.tid - b.tid);

  const s = res.spin;
  const spinRows = perVcpu(s.byThread).map(({ vm, vcpu, tid, v }) => {
    // Lock-holder preemption: a spin while another vCPU of the same VM waited runnable.
    let lhp = 0;
    for (const [key, n] of v.waitingSets) if (key.split(',').some((t) => where(Number(t)).vm === vm && vm !== null)) lhp += n;
    return { vm, vcpu, tid, onSpinEvents: v.onSpinEvents, pauseExits: v.pauseExits, lockHolderPreempted: lhp, pleGrow: v.pleGrow, pleShrink: v.pleShrink };
  });
  const sum = <T>(rows: T[], f: (r: T) => number) => rows.reduce((a, r) => a + f(r), 0);

  const t = res.timers;
  const lapicRows = perVcpu(t.lapicByThread).map(({ vm, vcpu, tid, v }) => ({
    vm, vcpu, tid, count: v.count, late: v.pos.count, early: v.neg.count, p50Ns: q(v.quantile(0.5)), p99Ns: q(v.quantile(0.99)), maxLateNs: v.pos.count ? v.pos.max : null,
  }));
  const injRows = perVcpu(t.injectionByThread).map(({ vm, vcpu, tid, v }) => ({ vm, vcpu, tid, count: v.count, p50Ns: q(v.quantile(0.5)), p99Ns: q(v.quantile(0.99)), maxNs: v.max }));

  const hpRows = perVcpu(res.haltPoll).map(({ vm, vcpu, tid, v }) => ({ vm, vcpu, tid, ...v }));
  const schedRows = perVcpu(res.scheduling).map(({ vm, vcpu, tid, v }) => {
    let stackedNs = 0;
    for (const [key, ns] of v.stacked) if (vm !== null && key.split(',').some((x) => where(Number(x)).vm === vm)) stackedNs += ns;
    return {
      vm, vcpu, tid, wakeups: v.wakeups, migrations: v.migrations, affineWakeups: v.affineWakeups,
      runqueueWaitP50Ns: q(v.runqueueWait.count ? v.runqueueWait.quantile(0.5) : null), runqueueWaitP99Ns: q(v.runqueueWait.count ? v.runqueueWait.quantile(0.99) : null),
      runqueueWaitMaxNs: v.runqueueWait.count ? v.runqueueWait.max : null, stackedNs,
    };
  });

  const ip = res.ipis;
  const apicToTid = new Map<number, number>();
  for (const vm of res.vms) for (const c of vm.vcpus) if (c.vcpu >= 0 && !apicToTid.has(c.vcpu)) apicToTid.set(c.vcpu, c.tid);
  const ipiTids = new Set([...ip.sentByThread.keys(), ...ip.icrWritesByThread.keys(), ...[...ip.receivedByApicId.keys()].map((a) => apicToTid.get(a) ?? -1)].filter((x) => x > 0));
  const ipiRows = [...ipiTids].filter(isVcpu).map((tid) => {
    const w = where(tid);
    const received = w.vcpu !== null ? ip.receivedByApicId.get(w.vcpu) ?? 0 : 0;
    return { ...w, tid, sent: ip.sentByThread.get(tid) ?? 0, received, icrMsrWrites: ip.icrWritesByThread.get(tid) ?? 0 };
  }).sort((a, b) => (a.vm ?? -1) - (b.vm ?? -1) || (a.vcpu ?? -1) - (b.vcpu ?? -1));

  const counts = new Map(res.counts.byEvent.map((e) => [e.event, e.count]));
  const missing = missingAnalyses(counts);
  const measured = (a: string) => !missing.some((m) => m.analysis === a);
  return {
    spin: {
      available: measured('spin') || spinRows.some((r) => r.onSpinEvents > 0),
      onSpinEvents: sum(spinRows, (r) => r.onSpinEvents), pauseExits: sum(spinRows, (r) => r.pauseExits),
      lockHolderPreempted: sum(spinRows, (r) => r.lockHolderPreempted), byVcpu: spinRows,
    },
    timers: {
      lapicExpire: {
        /** kvm_wait_lapic_expire's delta is guest TSC cycles (guest TSC minus the programmed deadline), kept as recorded. */
        deltaUnit: 'guest-tsc-cycles' as const,
        available: measured('timers'), count: t.lapic.count, late: t.lapic.pos.count, early: t.lapic.neg.count,
        p50Ns: q(t.lapic.quantile(0.5)), p99Ns: q(t.lapic.quantile(0.99)), maxLateNs: t.maxLate?.ns ?? null,
        worstLate: t.maxLate ? { tsNs: abs(t.maxLate.ts), ...where(t.maxLate.tid), tid: t.maxLate.tid, ns: t.maxLate.ns } : null, byVcpu: lapicRows,
      },
      injection: {
        available: t.injectionAvailable && (counts.get('timer:hrtimer_expire_entry') ?? 0) > 0 && (counts.get('kvm:kvm_entry') ?? 0) > 0, count: t.injection.count, p50Ns: q(t.injection.count ? t.injection.quantile(0.5) : null),
        p99Ns: q(t.injection.count ? t.injection.quantile(0.99) : null), maxNs: t.injection.count ? t.injection.max : null,
        worst: t.worstInjection ? { tsNs: abs(t.worstInjection.ts), cpu: t.worstInjection.cpu, ...where(t.worstInjection.tid), tid: t.worstInjection.tid, ns: t.worstInjection.ns } : null,
        byVcpu: injRows,
      },
    },
    haltPoll: {
      available: measured('haltPoll'),
      wakeups: sum(hpRows, (r) => r.wakeups), polled: sum(hpRows, (r) => r.polled), waited: sum(hpRows, (r) => r.waited),
      invalid: sum(hpRows, (r) => r.invalid), pollNs: sum(hpRows, (r) => r.pollNs), waitedJustAfterWindow: sum(hpRows, (r) => r.waitedJustAfterWindow),
      byVcpu: hpRows,
    },
    scheduling: { available: measured('scheduling'), byVcpu: schedRows },
    ipis: { available: measured('ipis'), total: ip.total, icrMsrWrites: ip.icrMsrWrites, byVcpu: ipiRows },
    missing: missing.filter((m) => m.analysis !== 'spin' || !spinRows.some((r) => r.onSpinEvents > 0)).map((m) => ({ analysis: m.analysis, events: m.absent, traceCmd: m.traceCmd, perf: m.perf })),
  };
}

export type AnalysisSections = ReturnType<typeof analysisSections>;
