// Placement verdicts from the scheduling analysis and the longest exits: vCPUs of one VM stacked on
// one host CPU, wake-affine migrations of vCPU threads, and the VM's emulator threads preempting
// its vCPUs.
import { derived, exitRow, exitWindow, ref, share, ratePerVcpu, threadKind, vcpuCount, vcpuNs, vcpuNsFormula } from '../context.js';
import { CONFIDENCE_TEXT, EVIDENCE, REMEDIATION } from '../messages.js';
import type { EvidenceValue, Rule } from '../types.js';
import { ladder, uniq, vcpuRef } from './common.js';

export const vcpuStacking: Rule = {
  id: 'vcpu-stacking',
  evaluate({ report: r, t }) {
    if (!r.scheduling.available || r.input.durationNs <= 0) return null;
    const dur = r.input.durationNs;
    const rows = r.scheduling.byVcpu.map((x, i) => ({ x, i, share: share(x.stackedNs, dur) }));
    if (rows.length === 0) return null;
    const worst = rows.reduce((a, b) => (b.share > a.share ? b : a));
    const severity = ladder(worst.share, { info: t.infoShare, warning: t.warningShare, critical: t.criticalShare });
    if (severity === 'ok') {
      return {
        severity, impact: 0, impactFormula: 'none', summary: EVIDENCE.stackingOk({ worstShare: worst.share }), remediation: [],
        values: [ref('worstStackedNs', worst.x.stackedNs, 'ns', `scheduling.byVcpu[${worst.i}].stackedNs`), ref('durationNs', dur, 'ns', 'input.durationNs'),
          derived('worstStackedShare', worst.share, 'ratio', `scheduling.byVcpu[${worst.i}].stackedNs / input.durationNs`)],
      };
    }
    const stacked = rows.filter((s) => s.x.stackedNs > 0).sort((a, b) => b.x.stackedNs - a.x.stackedNs);
    const values: EvidenceValue[] = [ref('durationNs', dur, 'ns', 'input.durationNs')];
    let outNs = 0;
    const outRefs: string[] = [];
    for (const s of stacked) {
      values.push(ref(`stackedNs[vm ${s.x.vm} vcpu ${s.x.vcpu}]`, s.x.stackedNs, 'ns', `scheduling.byVcpu[${s.i}].stackedNs`));
      const e = exitRow(r, s.x.tid);
      if (e) {
        outNs += e.row.scheduledOutNs;
        outRefs.push(`exits.byVcpu[${e.i}].scheduledOutNs`);
        values.push(ref(`scheduledOutNs[vm ${s.x.vm} vcpu ${s.x.vcpu}]`, e.row.scheduledOutNs, 'ns', `exits.byVcpu[${e.i}].scheduledOutNs`));
      }
    }
    values.push(derived('worstStackedShare', worst.share, 'ratio', `scheduling.byVcpu[${worst.i}].stackedNs / input.durationNs`));
    const n = vcpuCount(r);
    // Impact: the time the stacked vCPUs waited runnable (inside exits, where a preempted vCPU
    // always is); without exit data, half the stacked time (two vCPUs sharing one CPU).
    const impactNs = outRefs.length ? outNs : stacked.reduce((a, s) => a + s.x.stackedNs, 0) / 2;
    const impactFormula = outRefs.length ? `(${outRefs.join(' + ')}) / ${vcpuNsFormula(n)}` : `(Σ scheduling.byVcpu[*].stackedNs / 2) / ${vcpuNsFormula(n)}`;
    values.push(derived('impact', share(impactNs, vcpuNs(r, n)), 'ratio', impactFormula));
    const windows = r.exits.longest.map((l, i) => ({ l, i }))
      .filter(({ l }) => l.scheduledOutNs > 0 && l.ranInstead.some((c) => threadKind(r, l.vm, c) === 'vcpu')).map(({ i }) => exitWindow(r, i));
    const vcpus = stacked.map((s) => ({ vm: s.x.vm, vcpu: s.x.vcpu, tid: s.x.tid }));
    return {
      severity, impact: share(impactNs, vcpuNs(r, n)), impactFormula,
      summary: EVIDENCE.stacking({ worst: { ...vcpuRef(r, worst.x), stackedNs: worst.x.stackedNs, share: worst.share }, stacked: stacked.length, vcpus: rows.length, scheduledOutNs: outNs, durationNs: dur }),
      values, vms: uniq(stacked.map((s) => s.x.vm).filter((v): v is number => v !== null)), vcpus, windows,
      remediation: REMEDIATION.stacking({ vcpus: vcpus.map((v) => vcpuRef(r, v)) }),
    };
  },
};

export const wakeAffineMigrations: Rule = {
  id: 'wake-affine-migrations',
  evaluate({ report: r, t }) {
    if (!r.scheduling.available || r.input.durationNs <= 0) return null;
    const rows = r.scheduling.byVcpu.map((x, i) => ({ x, i }));
    if (rows.length === 0) return null;
    const affine = rows.reduce((a, s) => a + s.x.affineWakeups, 0);
    const wakeups = rows.reduce((a, s) => a + s.x.wakeups, 0);
    const migrations = rows.reduce((a, s) => a + s.x.migrations, 0);
    const rate = ratePerVcpu(affine, r, rows.length);
    const affShare = share(affine, wakeups);
    const sum = (k: string) => `Σ scheduling.byVcpu[*].${k}`;
    const base: EvidenceValue[] = [
      derived('affineWakeups', affine, 'count', sum('affineWakeups')), derived('wakeups', wakeups, 'count', sum('wakeups')),
      derived('migrations', migrations, 'count', sum('migrations')),
      derived('affineShare', affShare, 'ratio', `${sum('affineWakeups')} / ${sum('wakeups')}`),
      derived('affinePerVcpuSecond', rate, 'per-vcpu-second', `${sum('affineWakeups')} / (${rows.length} × input.durationNs / 1e9)`),
    ];
    if (!(affine >= t.minAffineWakeups && affShare >= t.minAffineShare && rate >= t.minRatePerVcpu)) {
      return { severity: 'ok', impact: 0, impactFormula: 'none', summary: EVIDENCE.affineOk({ affine, wakeups }), values: base, remediation: [] };
    }
    const hit = rows.filter((s) => s.x.affineWakeups > 0);
    const values = [...base];
    let outNs = 0;
    const outRefs: string[] = [];
    for (const s of hit) {
      values.push(ref(`affineWakeups[vm ${s.x.vm} vcpu ${s.x.vcpu}]`, s.x.affineWakeups, 'count', `scheduling.byVcpu[${s.i}].affineWakeups`));
      values.push(ref(`migrations[vm ${s.x.vm} vcpu ${s.x.vcpu}]`, s.x.migrations, 'count', `scheduling.byVcpu[${s.i}].migrations`));
      const e = exitRow(r, s.x.tid);
      if (e) {
        outNs += e.row.scheduledOutNs;
        outRefs.push(`exits.byVcpu[${e.i}].scheduledOutNs`);
      }
    }
    const n = vcpuCount(r);
    // Impact: the runnable-not-running time of the affected vCPUs, in the share of their wakeups
    // that were affine (the migration's own cache cost is not measurable from the trace).
    const impact = affShare * share(outNs, vcpuNs(r, n));
    const impactFormula = outRefs.length ? `affineShare × (${outRefs.join(' + ')}) / ${vcpuNsFormula(n)}` : 'no exit data: 0';
    values.push(derived('impact', impact, 'ratio', impactFormula));
    const vcpus = hit.map((s) => ({ vm: s.x.vm, vcpu: s.x.vcpu, tid: s.x.tid }));
    return {
      severity: 'warning', impact, impactFormula,
      summary: EVIDENCE.affine({ affine, wakeups, migrations, rate, vcpus: vcpus.map((v) => vcpuRef(r, v)) }),
      values, vms: uniq(vcpus.map((v) => v.vm).filter((v): v is number => v !== null)), vcpus,
      remediation: REMEDIATION.affine({ vcpus: vcpus.map((v) => vcpuRef(r, v)) }),
      confidence: affine < 2 * t.minAffineWakeups ? [{ factor: 0.85, reason: CONFIDENCE_TEXT.fewSamples(affine, 'affine wakeups') }] : [],
    };
  },
};

export const emulatorThreadPlacement: Rule = {
  id: 'emulator-thread-placement',
  evaluate({ report: r, t }) {
    // "Who ran instead" needs sched_switch next to the exits.
    if (!r.exits.available || r.exits.total === 0 || !r.scheduling.available) return null;
    const hits = r.exits.longest.map((l, i) => ({ l, i }))
      .filter(({ l }) => l.scheduledOutNs >= t.minScheduledOutNs && l.ranInstead.some((c) => threadKind(r, l.vm, c) === 'emulator'));
    const values: EvidenceValue[] = hits.flatMap(({ l, i }) => [
      ref(`scheduledOutNs[longest ${i}]`, l.scheduledOutNs, 'ns', `exits.longest[${i}].scheduledOutNs`),
    ]);
    if (hits.length < t.minExits) {
      return { severity: 'ok', impact: 0, impactFormula: 'none', summary: EVIDENCE.emulatorOk({ count: hits.length }), values: [derived('exits', hits.length, 'count', 'exits.longest[*] with an emulator thread in ranInstead')], remediation: [] };
    }
    const outNs = hits.reduce((a, { l }) => a + l.scheduledOutNs, 0);
    const n = vcpuCount(r);
    const impactFormula = `(${hits.map(({ i }) => `exits.longest[${i}].scheduledOutNs`).join(' + ')}) / ${vcpuNsFormula(n)}`;
    const impact = share(outNs, vcpuNs(r, n));
    values.push(derived('impact', impact, 'ratio', impactFormula));
    const comms = uniq(hits.flatMap(({ l }) => l.ranInstead.filter((c) => threadKind(r, l.vm, c) === 'emulator')));
    const vms = uniq(hits.map(({ l }) => l.vm).filter((v): v is number => v !== null));
    const threads = r.vms.filter((v) => vms.includes(v.id)).flatMap((v) => v.threads).filter((x) => comms.includes(x.comm)).map((x) => ({ comm: x.comm, tid: x.tid }));
    const vcpus = uniq(hits.map(({ l }) => l.tid)).map((tid) => {
      const l = hits.find((h) => h.l.tid === tid)!.l;
      return { vm: l.vm, vcpu: l.vcpu, tid };
    });
    return {
      severity: 'warning', impact, impactFormula,
      summary: EVIDENCE.emulator({ count: hits.length, scheduledOutNs: outNs, threads: comms, vcpus: vcpus.map((v) => vcpuRef(r, v)) }),
      values, vms, vcpus, windows: hits.map(({ i }) => exitWindow(r, i)),
      remediation: REMEDIATION.emulator({ threads }),
      confidence: [{ factor: 0.9, reason: CONFIDENCE_TEXT.topOnly }],
    };
  },
};
