// The halt family: host halt polling that fails (halt-poll-wasted), halts that end just after the
// poll window (halt-poll-too-short), and frequent HLT exits on vCPUs that own their host CPUs
// (hlt-exits-on-dedicated-cpus).
import { CONFIDENCE_TEXT, EVIDENCE, REMEDIATION } from '../messages.js';
import { REASONS, derived, ratePerVcpu, reasons, ref, share, vcpuCount, vcpuNs, vcpuNsFormula } from '../context.js';
import type { EvidenceValue, Rule } from '../types.js';
import { uniq } from './common.js';

export const haltPollWasted: Rule = {
  id: 'halt-poll-wasted',
  evaluate({ report: r, t, all }) {
    const hp = r.haltPoll;
    if (!hp.available || r.input.durationNs <= 0) return null;
    const rows = hp.byVcpu.map((x, i) => ({ x, i })).filter((s) => s.x.wakeups > 0);
    const nHalting = rows.length;
    const success = share(hp.polled, hp.wakeups);
    const pollShare = share(hp.pollNs, nHalting * r.input.durationNs);
    const values: EvidenceValue[] = [
      ref('wakeups', hp.wakeups, 'count', 'haltPoll.wakeups'), ref('polled', hp.polled, 'count', 'haltPoll.polled'), ref('waited', hp.waited, 'count', 'haltPoll.waited'),
      ref('pollNs', hp.pollNs, 'ns', 'haltPoll.pollNs'), derived('successRatio', success, 'ratio', 'haltPoll.polled / haltPoll.wakeups'),
      derived('pollShare', pollShare, 'ratio', `haltPoll.pollNs / (${nHalting} halting vCPUs × input.durationNs)`),
    ];
    const windowsKnown = rows.some((s) => s.x.window !== null);
    // Failed polls that nearly succeeded are halt-poll-too-short's case (a longer window), not waste.
    const short = all['halt-poll-too-short'];
    const nearly = hp.waitedJustAfterWindow >= short.minCount && share(hp.waitedJustAfterWindow, hp.waited) >= short.minShare;
    if (!(hp.wakeups >= t.minWakeups && success <= t.maxSuccessRatio && pollShare >= t.minPollShare) || nearly) {
      const summary = nearly ? EVIDENCE.pollWastedDeferred({ ja: hp.waitedJustAfterWindow, waited: hp.waited }) : EVIDENCE.pollWastedOk({ wakeups: hp.wakeups, polled: hp.polled, pollShare });
      return { severity: 'ok', impact: 0, impactFormula: 'none', summary, values, remediation: [],
        confidence: windowsKnown || hp.waited === 0 ? [] : [{ factor: 0.7, reason: CONFIDENCE_TEXT.noWindow }] };
    }
    const maxWindow = rows.reduce<number | null>((a, s) => (s.x.window === null ? a : Math.max(a ?? 0, s.x.window)), null);
    for (const s of rows) if (s.x.window !== null) values.push(ref(`window[vm ${s.x.vm} vcpu ${s.x.vcpu}]`, s.x.window, 'ns', `haltPoll.byVcpu[${s.i}].window`));
    const n = vcpuCount(r);
    const impact = share(hp.pollNs, vcpuNs(r, n));
    const impactFormula = `haltPoll.pollNs / ${vcpuNsFormula(n)}`;
    values.push(derived('impact', impact, 'ratio', impactFormula));
    const vcpus = rows.map((s) => ({ vm: s.x.vm, vcpu: s.x.vcpu, tid: s.x.tid }));
    return {
      severity: pollShare >= t.warningPollShare ? 'warning' : 'info', impact, impactFormula,
      summary: EVIDENCE.pollWasted({ wakeups: hp.wakeups, polled: hp.polled, waited: hp.waited, pollNs: hp.pollNs, pollShare, vcpus: nHalting }),
      values, vms: uniq(vcpus.map((v) => v.vm).filter((v): v is number => v !== null)), vcpus,
      remediation: REMEDIATION.pollWasted({ current: maxWindow }),
      confidence: windowsKnown ? [] : [{ factor: 0.7, reason: CONFIDENCE_TEXT.noWindow }],
    };
  },
};

export const haltPollTooShort: Rule = {
  id: 'halt-poll-too-short',
  evaluate({ report: r, t }) {
    const hp = r.haltPoll;
    if (!hp.available) return null;
    const rows = hp.byVcpu.map((x, i) => ({ x, i }));
    // Without kvm_halt_poll_ns the windows are unknown and "just after the window" is not measured.
    if (!rows.some((s) => s.x.window !== null)) return null;
    const ja = hp.waitedJustAfterWindow;
    const jaShare = share(ja, hp.waited);
    const values: EvidenceValue[] = [
      ref('waitedJustAfterWindow', ja, 'count', 'haltPoll.waitedJustAfterWindow'), ref('waited', hp.waited, 'count', 'haltPoll.waited'),
      derived('justAfterShare', jaShare, 'ratio', 'haltPoll.waitedJustAfterWindow / haltPoll.waited'),
    ];
    if (!(ja >= t.minCount && jaShare >= t.minShare)) {
      return { severity: 'ok', impact: 0, impactFormula: 'none', summary: EVIDENCE.pollShortOk({ ja, waited: hp.waited }), values, remediation: [] };
    }
    const hit = rows.filter((s) => s.x.waitedJustAfterWindow > 0);
    let maxWindow = 0;
    for (const s of rows) {
      if (s.x.window === null) continue;
      maxWindow = Math.max(maxWindow, s.x.window);
      values.push(ref(`window[vm ${s.x.vm} vcpu ${s.x.vcpu}]`, s.x.window, 'ns', `haltPoll.byVcpu[${s.i}].window`));
    }
    // Twice the largest window, rounded up to 10 µs: it covers every halt counted here.
    const suggested = Math.max(10_000, Math.ceil((2 * maxWindow) / 10_000) * 10_000);
    values.push(derived('suggestedHaltPollNs', suggested, 'ns', 'ceil(2 × max haltPoll.byVcpu[*].window / 10000) × 10000'));
    // Impact: each such halt paid a sleep/wake cycle, measured as the vCPU's wake-to-run p50.
    const n = vcpuCount(r);
    let lostNs = 0;
    const parts: string[] = [];
    for (const s of hit) {
      const k = r.scheduling.byVcpu.findIndex((x) => x.tid === s.x.tid);
      const p50 = k >= 0 ? r.scheduling.byVcpu[k].runqueueWaitP50Ns : null;
      if (p50 === null) continue;
      lostNs += s.x.waitedJustAfterWindow * p50;
      parts.push(`haltPoll.byVcpu[${s.i}].waitedJustAfterWindow × scheduling.byVcpu[${k}].runqueueWaitP50Ns`);
    }
    const impact = share(lostNs, vcpuNs(r, n));
    const impactFormula = parts.length ? `(${parts.join(' + ')}) / ${vcpuNsFormula(n)}` : 'no wake-to-run latency measured: 0';
    values.push(derived('impact', impact, 'ratio', impactFormula));
    const vcpus = hit.map((s) => ({ vm: s.x.vm, vcpu: s.x.vcpu, tid: s.x.tid }));
    return {
      severity: jaShare >= t.warningShare ? 'warning' : 'info', impact, impactFormula,
      summary: EVIDENCE.pollShort({ ja, waited: hp.waited, maxWindow, suggested }),
      values, vms: uniq(vcpus.map((v) => v.vm).filter((v): v is number => v !== null)), vcpus,
      remediation: REMEDIATION.pollShort({ suggested }),
    };
  },
};

export const hltExitsOnDedicatedCpus: Rule = {
  id: 'hlt-exits-on-dedicated-cpus',
  evaluate({ report: r, t }) {
    // "Dedicated" is judged from the scheduler events: without them the rule cannot tell.
    if (!r.exits.available || r.exits.total === 0 || !r.scheduling.available || r.input.durationNs <= 0) return null;
    const n = vcpuCount(r);
    const hlt = reasons(r, REASONS.hlt);
    const count = hlt.reduce((a, { e }) => a + e.count, 0);
    const rate = ratePerVcpu(count, r, n);
    const countFormula = hlt.length ? hlt.map(({ i }) => `exits.byReason[${i}].count`).join(' + ') : '0';
    const values: EvidenceValue[] = [
      derived('hltExits', count, 'count', countFormula), derived('hltPerVcpuSecond', rate, 'per-vcpu-second', `(${countFormula}) / (${n} × input.durationNs / 1e9)`),
    ];
    // Dedicated: never migrated, never stacked with a sibling, and woken onto an idle CPU (a
    // contended CPU makes the wake-to-run p99 reach scheduler slices, milliseconds).
    const moved = r.scheduling.byVcpu.filter((x) => x.migrations > 0 || x.stackedNs > 0).length;
    const waiting = r.scheduling.byVcpu.filter((x) => (x.runqueueWaitP99Ns ?? 0) > t.maxRunqueueWaitP99Ns).length;
    const dedicated = moved === 0 && waiting === 0;
    values.push(derived('vcpusMigratedOrStacked', moved, 'count', 'scheduling.byVcpu[*] with migrations > 0 or stackedNs > 0'),
      derived('vcpusWaitingToRun', waiting, 'count', `scheduling.byVcpu[*] with runqueueWaitP99Ns > ${t.maxRunqueueWaitP99Ns}`));
    if (!(dedicated && rate >= t.minRatePerVcpu)) {
      return { severity: 'ok', impact: 0, impactFormula: 'none', summary: EVIDENCE.hltOk({ count, rate, dedicated }), values, remediation: [] };
    }
    // Impact: HLT exit time that was not halted (polling, wakeup, re-entry), from the per-vCPU split.
    const totalNs = hlt.reduce((a, { e }) => a + e.totalNs, 0);
    const haltedNs = r.exits.byVcpu.reduce((a, x) => a + x.haltedNs, 0);
    const overheadNs = Math.max(0, totalNs - haltedNs);
    const impactFormula = `max(0, ${hlt.map(({ i }) => `exits.byReason[${i}].totalNs`).join(' + ')} − Σ exits.byVcpu[*].haltedNs) / ${vcpuNsFormula(n)}`;
    const impact = share(overheadNs, vcpuNs(r, n));
    values.push(derived('impact', impact, 'ratio', impactFormula));
    const vcpus = r.exits.byVcpu.map((x) => ({ vm: x.vm, vcpu: x.vcpu, tid: x.tid }));
    return {
      severity: 'info', impact, impactFormula,
      summary: EVIDENCE.hlt({ count, rate, vcpus: n, overheadNs }),
      values, vms: uniq(vcpus.map((v) => v.vm).filter((v): v is number => v !== null)), vcpus,
      remediation: REMEDIATION.hlt(),
    };
  },
};
