// timer-late: kvm_wait_lapic_expire deltas mostly late with a large median, or a long late tail;
// or the host-side injection latency (apic_timer_fn → kvm_entry) has a long tail.
import { CONFIDENCE_TEXT, EVIDENCE, REMEDIATION } from '../messages.js';
import { derived, ref, share, vcpuCount, vcpuNs, vcpuNsFormula } from '../context.js';
import type { EvidenceValue, EvidenceWindow, Rule } from '../types.js';
import { uniq, vcpuRef } from './common.js';

export const timerLate: Rule = {
  id: 'timer-late',
  evaluate({ report: r, t }) {
    const le = r.timers.lapicExpire;
    const inj = r.timers.injection;
    const injMeasured = inj.available && inj.count > 0;
    if (!le.available && !injMeasured) return null;
    const values: EvidenceValue[] = [];
    if (le.available) {
      values.push(ref('lapicCount', le.count, 'count', 'timers.lapicExpire.count'), ref('late', le.late, 'count', 'timers.lapicExpire.late'),
        ref('p50', le.p50Ns, 'ns', 'timers.lapicExpire.p50Ns'), ref('p99', le.p99Ns, 'ns', 'timers.lapicExpire.p99Ns'), ref('maxLate', le.maxLateNs, 'ns', 'timers.lapicExpire.maxLateNs'));
    }
    if (injMeasured) {
      values.push(ref('injectionCount', inj.count, 'count', 'timers.injection.count'), ref('injectionP50', inj.p50Ns, 'ns', 'timers.injection.p50Ns'), ref('injectionP99', inj.p99Ns, 'ns', 'timers.injection.p99Ns'));
    }
    const lateShare = share(le.late, le.count);
    const lapicFires = le.available && le.count >= t.minCount
      && ((lateShare >= t.minLateShare && (le.p50Ns ?? 0) >= t.p50LateNs) || (le.p99Ns ?? 0) >= t.p99LateNs);
    const injFires = injMeasured && inj.count >= t.minCount && (inj.p99Ns ?? 0) >= t.injectionP99Ns;
    if (!lapicFires && !injFires) {
      return { severity: 'ok', impact: 0, impactFormula: 'none', values, remediation: [],
        summary: EVIDENCE.timerOk({ count: le.count, p50: le.p50Ns, p99: le.p99Ns, injCount: inj.count, injP99: inj.p99Ns }) };
    }
    if (le.available) values.push(derived('lateShare', lateShare, 'ratio', 'timers.lapicExpire.late / timers.lapicExpire.count'));
    const worstTail = Math.max(lapicFires ? le.p99Ns ?? 0 : 0, injFires ? inj.p99Ns ?? 0 : 0);
    const n = vcpuCount(r);
    // Impact: the lateness of the late expirations at the median, else the injection latency.
    const useLapic = le.available && le.count > 0;
    const lostNs = useLapic ? le.late * Math.max(0, le.p50Ns ?? 0) : inj.count * (inj.p50Ns ?? 0);
    const impactFormula = useLapic ? `timers.lapicExpire.late × timers.lapicExpire.p50Ns / ${vcpuNsFormula(n)}` : `timers.injection.count × timers.injection.p50Ns / ${vcpuNsFormula(n)}`;
    const impact = share(lostNs, vcpuNs(r, n));
    values.push(derived('impact', impact, 'ratio', impactFormula));
    const windows: EvidenceWindow[] = [];
    const vcpus: Array<{ vm: number | null; vcpu: number | null; tid: number }> = [];
    if (le.worstLate) {
      windows.push({ startNs: le.worstLate.tsNs, endNs: le.worstLate.tsNs, cpu: null, vm: le.worstLate.vm, vcpu: le.worstLate.vcpu, tid: le.worstLate.tid, ref: 'timers.lapicExpire.worstLate' });
      vcpus.push({ vm: le.worstLate.vm, vcpu: le.worstLate.vcpu, tid: le.worstLate.tid });
    }
    if (inj.worst) {
      windows.push({ startNs: inj.worst.tsNs, endNs: inj.worst.tsNs + BigInt(Math.round(inj.worst.ns)), cpu: inj.worst.cpu, vm: inj.worst.vm, vcpu: inj.worst.vcpu, tid: inj.worst.tid, ref: 'timers.injection.worst' });
      if (!vcpus.some((v) => v.tid === inj.worst!.tid)) vcpus.push({ vm: inj.worst.vm, vcpu: inj.worst.vcpu, tid: inj.worst.tid });
    }
    for (const x of le.byVcpu) if (x.late > 0 && !vcpus.some((v) => v.tid === x.tid)) vcpus.push({ vm: x.vm, vcpu: x.vcpu, tid: x.tid });
    const conf = [];
    if (!injMeasured) conf.push({ factor: 0.9, reason: CONFIDENCE_TEXT.noInjection });
    if (Math.max(le.count, inj.count) < 2 * t.minCount) conf.push({ factor: 0.85, reason: CONFIDENCE_TEXT.fewSamples(Math.max(le.count, inj.count), 'timer expirations') });
    return {
      severity: worstTail >= t.criticalP99Ns ? 'critical' : 'warning', impact, impactFormula,
      summary: EVIDENCE.timer({ count: le.count, late: le.late, p50: le.p50Ns, p99: le.p99Ns, maxLate: le.maxLateNs, injCount: inj.count, injP50: inj.p50Ns, injP99: inj.p99Ns,
        worst: le.worstLate ? vcpuRef(r, le.worstLate) : null }),
      values, vms: uniq(vcpus.map((v) => v.vm).filter((v): v is number => v !== null)), vcpus, windows,
      remediation: REMEDIATION.timer(), confidence: conf,
    };
  },
};
