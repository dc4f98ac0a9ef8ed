// The report's `timeline` section and the log-scale distributions (`exits.durationHistogram`,
// `timers.lapicExpire.histogram`), built from the timeline and distributions analyses with vCPU
// threads resolved to (vm, vcpu). Aggregates only, capped in rows, so the report stays small for
// any trace (docs/report-schema.md "timeline").
import type { AnalysisResults } from '../analyze/run.js';
import type { TimelineResult } from '../analyze/timeline.js';
import type { LogBin } from '../analyze/stats/log-histogram.js';

/** Rows kept in the report: the vCPUs with the most exit time, the CPUs with the most vCPU running time. */
export const MAX_TIMELINE_VCPUS = 64;
export const MAX_TIMELINE_CPUS = 64;

type Where = (tid: number) => { vm: number | null; vcpu: number | null };

/** Absolute seconds with 9 decimals, as `--window` reads them back exactly. */
export function windowSeconds(ns: bigint): string {
  const a = ns < 0n ? -ns : ns;
  return `${ns < 0n ? '-' : ''}${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, '0')}`;
}

const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);

/** Bins of `binNs` merged by a whole factor so there are at most `max` (the report's exit rate: 10 ms bins over any span). */
export function capBins(counts: number[], binNs: number, max: number): { binNs: number; counts: number[] } {
  const f = Math.ceil(counts.length / max);
  if (f <= 1) return { binNs, counts };
  return { binNs: binNs * f, counts: Array.from({ length: Math.ceil(counts.length / f) }, (_, j) => sum(counts.slice(j * f, (j + 1) * f))) };
}
const bins = (b: LogBin[]) => b.map((x) => ({ loNs: x.lo, hiNs: x.hi, count: x.count }));
/** kvm_wait_lapic_expire deltas are guest TSC cycles, not ns: plain bounds. */
const cycleBins = (b: LogBin[]) => b.map((x) => ({ lo: x.lo, hi: x.hi, count: x.count }));

export function timelineSection(res: AnalysisResults, where: Where, comm: (tid: number) => string, baseNs: bigint, clockIsNs: boolean) {
  const t: TimelineResult = res.timeline ?? {
    startTs: NaN, bucketNs: 0, buckets: 0, vcpus: new Map(), cpus: new Map(), pauseExits: [], onSpin: [], lapicLate: [], lapicMaxLate: [], lapicMaxLateTid: [], worst: [],
  };
  const abs = (rel: number) => baseNs + BigInt(Math.round(rel));
  const allVcpus = [...t.vcpus].map(([tid, v]) => ({ ...where(tid), tid, comm: comm(tid), ...v }));
  const vcpus = allVcpus.sort((a, b) => sum(b.exitNs) - sum(a.exitNs) || a.tid - b.tid).slice(0, MAX_TIMELINE_VCPUS)
    .sort((a, b) => (a.vm ?? Infinity) - (b.vm ?? Infinity) || (a.vcpu ?? -1) - (b.vcpu ?? -1) || a.tid - b.tid);
  const allCpus = [...t.cpus].map(([cpu, c]) => {
    const vcpuNs = new Array<number>(t.buckets).fill(0);
    const threads = new Array<number>(t.buckets).fill(0);
    const top = new Array<number>(t.buckets).fill(-1);
    const best = new Array<number>(t.buckets).fill(0);
    for (const [tid, a] of [...c.byThread].sort((x, y) => x[0] - y[0])) {
      a.forEach((ns, k) => {
        if (ns <= 0) return;
        vcpuNs[k] += ns;
        threads[k]++;
        if (ns > best[k]) [best[k], top[k]] = [ns, tid];
      });
    }
    return { cpu, vcpuNs, threads, top, stackedNs: c.stackedNs };
  });
  const cpus = allCpus.filter((c) => sum(c.vcpuNs) > 0 || sum(c.stackedNs) > 0).sort((a, b) => sum(b.vcpuNs) - sum(a.vcpuNs) || a.cpu - b.cpu)
    .slice(0, MAX_TIMELINE_CPUS).sort((a, b) => a.cpu - b.cpu);
  const worstWindows = t.worst.map((w) => {
    const startNs = abs(w.startTs);
    const endNs = abs(w.endTs);
    return {
      kind: w.kind, startNs, endNs, value: w.value, unit: w.kind === 'timer-lateness' ? 'guest-tsc-cycles' as const : 'ns' as const,
      ...(w.tid > 0 ? where(w.tid) : { vm: null, vcpu: null }), tid: w.tid > 0 ? w.tid : null,
      window: clockIsNs ? `${windowSeconds(startNs)}..${windowSeconds(endNs)}` : null,
    };
  });
  return {
    timeline: {
      available: t.buckets > 0,
      startNs: t.buckets > 0 ? abs(t.startTs) : null,
      bucketNs: t.bucketNs,
      buckets: t.buckets,
      vcpus,
      omittedVcpus: allVcpus.length - vcpus.length,
      cpus,
      omittedCpus: allCpus.filter((c) => sum(c.vcpuNs) > 0 || sum(c.stackedNs) > 0).length - cpus.length,
      pauseExits: t.pauseExits,
      onSpin: t.onSpin,
      lapicLate: t.lapicLate,
      lapicMaxLate: t.lapicMaxLate,
      worstWindows,
    },
    durationHistogram: (res.distributions?.exitDurations ?? []).map((x) => ({
      reason: res.reasons.list[x.reason].reason, isa: res.reasons.list[x.reason].isa, count: x.count,
      zeroNs: x.count - sum(x.bins.map((b) => b.count)), bins: bins(x.bins),
    })).sort((a, b) => b.count - a.count),
    lapicHistogram: {
      late: cycleBins(res.distributions?.lapic.late ?? []), early: cycleBins(res.distributions?.lapic.early ?? []), onTime: res.distributions?.lapic.onTime ?? 0,
    },
  };
}

export type TimelineSection = ReturnType<typeof timelineSection>['timeline'];
export type DurationHistogram = ReturnType<typeof timelineSection>['durationHistogram'];
export type LapicHistogram = ReturnType<typeof timelineSection>['lapicHistogram'];
