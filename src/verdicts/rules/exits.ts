// Exit-cost verdicts from the exit reasons and the longest exits: emulated IPIs (ipi-exits), EPT/NPT
// violations (ept-violations) and single exits that stall a vCPU (long-exits).
import { CONFIDENCE_TEXT, EVIDENCE, REMEDIATION } from '../messages.js';
import { REASONS, derived, exitWindow, isMissing, ratePerVcpu, reasons, ref, share, threadKind, vcpuCount, vcpuNs, vcpuNsFormula } from '../context.js';
import type { EvidenceValue, Rule } from '../types.js';
import { ladder, uniq, vcpuRef } from './common.js';

export const ipiExits: Rule = {
  id: 'ipi-exits',
  evaluate({ report: r, t }) {
    const ip = r.ipis;
    if (!ip.available || r.input.durationNs <= 0) return null;
    const n = vcpuCount(r);
    const count = Math.max(ip.total, ip.icrMsrWrites);
    const rate = ratePerVcpu(count, r, n);
    const values: EvidenceValue[] = [
      ref('ipis', ip.total, 'count', 'ipis.total'), ref('icrMsrWrites', ip.icrMsrWrites, 'count', 'ipis.icrMsrWrites'),
      derived('ipisPerVcpuSecond', rate, 'per-vcpu-second', `max(ipis.total, ipis.icrMsrWrites) / (${n} × input.durationNs / 1e9)`),
    ];
    if (!(count >= t.minCount && rate >= t.minRatePerVcpu)) {
      return { severity: 'ok', impact: 0, impactFormula: 'none', summary: EVIDENCE.ipiOk({ count, rate }), values, remediation: [] };
    }
    // Cost: the IPIs at the median of the exit that sends them (the ICR write).
    const w = reasons(r, REASONS.ipiWrite).find(({ e }) => e.count > 0 && e.p50Ns !== null);
    const costNs = w ? count * (w.e.p50Ns ?? 0) : 0;
    const impactFormula = w ? `max(ipis.total, ipis.icrMsrWrites) × exits.byReason[${w.i}].p50Ns / ${vcpuNsFormula(n)}` : 'no ICR-write exit durations: 0';
    const impact = share(costNs, vcpuNs(r, n));
    if (w) values.push(ref('writeExitP50', w.e.p50Ns, 'ns', `exits.byReason[${w.i}].p50Ns`));
    values.push(derived('impact', impact, 'ratio', impactFormula));
    const rows = ip.byVcpu.map((x, i) => ({ x, i })).filter((s) => s.x.sent > 0 || s.x.icrMsrWrites > 0);
    for (const s of rows) values.push(ref(`sent[vm ${s.x.vm} vcpu ${s.x.vcpu}]`, s.x.sent, 'count', `ipis.byVcpu[${s.i}].sent`));
    const vcpus = rows.map((s) => ({ vm: s.x.vm, vcpu: s.x.vcpu, tid: s.x.tid }));
    const isa = (w?.e.isa ?? r.exits.byReason[0]?.isa) === 'svm' ? 'svm' : 'vmx';
    return {
      severity: impact >= t.warningShare ? 'warning' : 'info', impact, impactFormula,
      summary: EVIDENCE.ipi({ count, icr: ip.icrMsrWrites, rate, costNs, costShare: impact, reason: w?.e.reason ?? null }),
      values, vms: uniq(vcpus.map((v) => v.vm).filter((v): v is number => v !== null)), vcpus,
      remediation: REMEDIATION.ipi({ isa }),
    };
  },
};

export const eptViolations: Rule = {
  id: 'ept-violations',
  evaluate({ report: r, t }) {
    if (!r.exits.available || r.exits.total === 0 || r.input.durationNs <= 0) return null;
    const n = vcpuCount(r);
    const ept = reasons(r, REASONS.ept);
    const count = ept.reduce((a, { e }) => a + e.count, 0);
    const totalNs = ept.reduce((a, { e }) => a + e.totalNs, 0);
    const rate = ratePerVcpu(count, r, n);
    const sh = share(totalNs, vcpuNs(r, n));
    const cf = ept.length ? ept.map(({ i }) => `exits.byReason[${i}].count`).join(' + ') : '0';
    const tf = ept.length ? ept.map(({ i }) => `exits.byReason[${i}].totalNs`).join(' + ') : '0';
    const values: EvidenceValue[] = [
      derived('count', count, 'count', cf), derived('totalNs', totalNs, 'ns', tf),
      derived('perVcpuSecond', rate, 'per-vcpu-second', `(${cf}) / (${n} × input.durationNs / 1e9)`),
      derived('share', sh, 'ratio', `(${tf}) / ${vcpuNsFormula(n)}`),
    ];
    const severity = rate >= t.minRatePerVcpu ? ladder(sh, { warning: t.warningShare, critical: t.criticalShare }) : 'ok';
    if (severity === 'ok') return { severity, impact: 0, impactFormula: 'none', summary: EVIDENCE.eptOk({ count, rate, share: sh }), values, remediation: [] };
    const main = ept.reduce((a, b) => (b.e.totalNs > a.e.totalNs ? b : a));
    values.push(ref('p99', main.e.p99Ns, 'ns', `exits.byReason[${main.i}].p99Ns`), ref('max', main.e.maxNs, 'ns', `exits.byReason[${main.i}].maxNs`));
    const windows = r.exits.longest.map((l, i) => ({ l, i })).filter(({ l }) => REASONS.ept.includes(l.reason as never)).slice(0, 5).map(({ i }) => exitWindow(r, i));
    const vcpus = r.exits.byVcpu.map((x) => ({ vm: x.vm, vcpu: x.vcpu, tid: x.tid }));
    return {
      severity, impact: sh, impactFormula: `(${tf}) / ${vcpuNsFormula(n)}`,
      summary: EVIDENCE.ept({ reason: main.e.reason, count, rate, totalNs, share: sh, p99: main.e.p99Ns, max: main.e.maxNs }),
      values, vms: uniq(vcpus.map((v) => v.vm).filter((v): v is number => v !== null)), vcpus, windows,
      remediation: REMEDIATION.ept(),
    };
  },
};

export const longExits: Rule = {
  id: 'long-exits',
  evaluate({ report: r, t, all }) {
    if (!r.exits.available || r.exits.total === 0 || r.exits.longest.length === 0) return null;
    // Time that stalled the vCPU: not halted; for HLT exits not the on-CPU part either (polling).
    // Exits that mostly waited runnable belong elsewhere when the wait is explained: a sibling vCPU
    // or the VM's own emulator thread ran instead (vcpu-stacking / emulator-thread-placement), or
    // nobody was switched in for it (it was woken onto a busy CPU) and the vCPU was stacked with a
    // sibling for at least vcpu-stacking.infoShare of the trace.
    const stacked = new Set(r.scheduling.available
      ? r.scheduling.byVcpu.filter((x) => share(x.stackedNs, r.input.durationNs) >= all['vcpu-stacking'].infoShare).map((x) => x.tid) : []);
    const rows = r.exits.longest.map((l, i) => {
      const hlt = REASONS.hlt.includes(l.reason as never);
      const eff = l.durationNs - l.haltedNs - (hlt ? l.handlingNs : 0);
      const kinds = l.ranInstead.map((c) => threadKind(r, l.vm, c));
      const explained = kinds.some((k) => k !== null) || (l.ranInstead.length === 0 && stacked.has(l.tid));
      return { l, i, hlt, eff, elsewhere: 2 * l.scheduledOutNs >= eff && explained };
    }).filter((x) => !x.elsewhere);
    const effFormula = (i: number, hlt: boolean) => `exits.longest[${i}].durationNs − exits.longest[${i}].haltedNs${hlt ? ` − exits.longest[${i}].handlingNs` : ''}`;
    const worst = rows.reduce<(typeof rows)[number] | null>((a, b) => (!a || b.eff > a.eff ? b : a), null);
    const severity = worst ? ladder(worst.eff, { warning: t.warningNs, critical: t.criticalNs }) : 'ok';
    if (!worst || severity === 'ok') {
      return { severity: 'ok', impact: 0, impactFormula: 'none', summary: EVIDENCE.longExitsOk({ worstNs: worst?.eff ?? 0 }), remediation: [],
        values: worst ? [derived('worstStallNs', worst.eff, 'ns', effFormula(worst.i, worst.hlt))] : [] };
    }
    const hits = rows.filter((x) => x.eff >= t.warningNs);
    const values: EvidenceValue[] = [];
    for (const h of hits) {
      values.push(derived(`stallNs[longest ${h.i}]`, h.eff, 'ns', effFormula(h.i, h.hlt)),
        ref(`handlingNs[longest ${h.i}]`, h.l.handlingNs, 'ns', `exits.longest[${h.i}].handlingNs`),
        ref(`scheduledOutNs[longest ${h.i}]`, h.l.scheduledOutNs, 'ns', `exits.longest[${h.i}].scheduledOutNs`),
        ref(`userspaceNs[longest ${h.i}]`, h.l.userspaceNs, 'ns', `exits.longest[${h.i}].userspaceNs`));
    }
    const n = vcpuCount(r);
    const totalNs = hits.reduce((a, h) => a + h.eff, 0);
    const impactFormula = `(${hits.map((h) => (hits.length > 1 ? `(${effFormula(h.i, h.hlt)})` : effFormula(h.i, h.hlt))).join(' + ')}) / ${vcpuNsFormula(n)}`;
    const impact = share(totalNs, vcpuNs(r, n));
    values.push(derived('impact', impact, 'ratio', impactFormula));
    const w = worst.l;
    const parts = { handling: worst.hlt ? 0 : w.handlingNs, scheduledOut: w.scheduledOutNs, userspace: w.userspaceNs };
    const dominant = (Object.keys(parts) as Array<keyof typeof parts>).reduce((a, b) => (parts[b] > parts[a] ? b : a));
    const remediation = dominant === 'scheduledOut' ? REMEDIATION.longScheduledOut({ ranInstead: w.ranInstead })
      : dominant === 'userspace' ? REMEDIATION.longUserspace({ reason: w.reason }) : REMEDIATION.longHandling({ cpu: w.cpu });
    const vcpus = uniq(hits.map((h) => h.l.tid)).map((tid) => {
      const l = hits.find((h) => h.l.tid === tid)!.l;
      return { vm: l.vm, vcpu: l.vcpu, tid };
    });
    return {
      severity, impact, impactFormula,
      summary: EVIDENCE.longExits({ count: hits.length, totalNs, worst: { ...vcpuRef(r, w), reason: w.reason, effNs: worst.eff, handlingNs: w.handlingNs, scheduledOutNs: w.scheduledOutNs, userspaceNs: w.userspaceNs, ranInstead: w.ranInstead } }),
      values, vms: uniq(vcpus.map((v) => v.vm).filter((v): v is number => v !== null)), vcpus, windows: hits.map((h) => exitWindow(r, h.i)),
      remediation, confidence: isMissing(r, 'scheduling') ? [{ factor: 0.7, reason: CONFIDENCE_TEXT.noSched }] : [],
    };
  },
};
