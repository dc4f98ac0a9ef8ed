// pause-loop-spinning: PAUSE/pause exits and kvm_vcpu_on_spin calls per vCPU second; whether
// siblings were waiting runnable at the spins (lock-holder preemption) picks the remedy: less
// contention under overcommit, PLE off on dedicated CPUs.
import { CONFIDENCE_TEXT, EVIDENCE, PAUSE_TITLES, REMEDIATION } from '../messages.js';
import { REASONS, derived, ratePerVcpu, reasons, ref, share, vcpuCount, vcpuNs, vcpuNsFormula } from '../context.js';
import type { EvidenceValue, Rule } from '../types.js';
import { uniq, vcpuRef } from './common.js';

export const pauseLoopSpinning: Rule = {
  id: 'pause-loop-spinning',
  evaluate({ report: r, t }) {
    if (!r.spin.available || r.input.durationNs <= 0) return null;
    const n = vcpuCount(r);
    const rows = r.spin.byVcpu.map((x, i) => ({ x, i, spins: Math.max(x.pauseExits, x.onSpinEvents) }));
    const spins = rows.reduce((a, s) => a + s.spins, 0);
    const rate = ratePerVcpu(spins, r, n);
    const spinsFormula = 'Σ max(spin.byVcpu[*].pauseExits, spin.byVcpu[*].onSpinEvents)';
    const values: EvidenceValue[] = [
      ref('pauseExits', r.spin.pauseExits, 'count', 'spin.pauseExits'), ref('onSpinEvents', r.spin.onSpinEvents, 'count', 'spin.onSpinEvents'),
      derived('spins', spins, 'count', spinsFormula), derived('spinsPerVcpuSecond', rate, 'per-vcpu-second', `${spinsFormula} / (${n} × input.durationNs / 1e9)`),
    ];
    if (!(spins >= t.minCount && rate >= t.minRatePerVcpu)) {
      return { severity: 'ok', impact: 0, impactFormula: 'none', summary: EVIDENCE.pauseOk({ spins, rate }), values, remediation: [] };
    }
    const onSpin = r.spin.onSpinEvents;
    const lhp = r.spin.lockHolderPreempted;
    const lhpShare = share(lhp, onSpin);
    values.push(ref('lockHolderPreempted', lhp, 'count', 'spin.lockHolderPreempted'));
    if (onSpin > 0) values.push(derived('lockHolderPreemptedShare', lhpShare, 'ratio', 'spin.lockHolderPreempted / spin.onSpinEvents'));
    const grows = rows.reduce((a, s) => a + s.x.pleGrow, 0);
    values.push(derived('pleGrow', grows, 'count', 'Σ spin.byVcpu[*].pleGrow'));
    // Stacked siblings also mean overcommit even when kvm_vcpu_on_spin was not traced.
    const stacked = r.scheduling.available && r.scheduling.byVcpu.some((x) => x.stackedNs > 0);
    const overcommitted = onSpin > 0 ? lhpShare >= t.overcommitLhpShare : stacked;
    const pause = reasons(r, REASONS.pause);
    const costNs = pause.reduce((a, { e }) => a + e.count * (e.p50Ns ?? 0), 0);
    const impactFormula = pause.length ? `(${pause.map(({ i }) => `exits.byReason[${i}].count × exits.byReason[${i}].p50Ns`).join(' + ')}) / ${vcpuNsFormula(n)}` : 'no PAUSE exit durations: 0';
    const impact = share(costNs, vcpuNs(r, n));
    values.push(derived('impact', impact, 'ratio', impactFormula));
    const hit = rows.filter((s) => s.spins > 0);
    const vcpus = hit.map((s) => ({ vm: s.x.vm, vcpu: s.x.vcpu, tid: s.x.tid }));
    const isa = pause[0]?.e.isa === 'svm' || r.exits.byReason[0]?.isa === 'svm' ? 'svm' : 'vmx';
    return {
      severity: 'warning', impact, impactFormula,
      title: overcommitted ? PAUSE_TITLES.overcommitted : PAUSE_TITLES.pinned,
      summary: EVIDENCE.pause({ spins, rate, lhp, onSpin, grows, costNs, overcommitted }),
      values, vms: uniq(vcpus.map((v) => v.vm).filter((v): v is number => v !== null)), vcpus,
      remediation: overcommitted ? REMEDIATION.pauseOvercommitted({ vcpus: vcpus.map((v) => vcpuRef(r, v)) }) : REMEDIATION.pausePinned({ isa }),
      confidence: onSpin === 0 ? [{ factor: 0.8, reason: CONFIDENCE_TEXT.noSpinFn }] : [],
    };
  },
};
