// The one report model; json.ts, markdown.ts, html.ts and terminal.ts only render it.
// The JSON form is a contract other tools read (schema "kvmtrace/1"): keys are only ever added.
import type { DiagEntry } from '../diag/diagnostics.js';
import type { AnalysisResults } from '../analyze/run.js';
import type { VmInfo } from '../analyze/threads.js';
import { lostTotals, type TraceSource } from '../model/trace-source.js';
import { evaluateVerdicts, type Thresholds, type Verdict } from '../verdicts/index.js';
import { analysisSections, type AnalysisSections } from './analysis-sections.js';
import { capBins, timelineSection, type DurationHistogram, type LapicHistogram, type TimelineSection } from './timeline-section.js';

export const SCHEMA = 'kvmtrace/1';
/** exits.rate keeps at most this many bins (10 ms each, or a multiple of 10 ms on long traces). */
export const MAX_RATE_BINS = 1000;

export interface ReportInput {
  file: string;
  format: string;
  version: string;
  compression: string;
  cpus: number;
  /** Every event read, of any kind. */
  events: number;
  /** Events the recorder reported lost (known counts). */
  lostEvents: number;
  /** Pages or records that reported a loss without a count. */
  lostUnknown: number;
  /** Absolute timestamps of the first and last event (ns, or clock units when clockIsNs is false). */
  firstNs: bigint | null;
  lastNs: bigint | null;
  durationNs: number;
  clock: string;
  clockIsNs: boolean;
  buffer: string;
  buffers: string[];
  host?: string;
  /** Text inputs: lines that were neither events nor headers (0 for binary inputs). */
  unparsedLines: number;
}

export interface ExitReason {
  reason: string;
  isa: string;
  code: number;
  /** Every kvm_exit of this reason. */
  count: number;
  /** Times over the exits that reached their kvm_entry. */
  totalNs: number;
  p50Ns: number | null;
  p90Ns: number | null;
  p99Ns: number | null;
  p999Ns: number | null;
  maxNs: number | null;
  /** False when the percentiles come from the 1 %-wide histogram. */
  exact: boolean;
}

export interface ExitSplit { handlingNs: number; scheduledOutNs: number; userspaceNs: number; haltedNs: number }

export interface Report {
  schema: typeof SCHEMA;
  generator: { name: 'kvmtrace'; version: string };
  input: ReportInput;
  /** `--window` the analyses were narrowed to (absolute trace-clock ns; a null side is open); null without one. */
  window?: { spec: string; startNs: bigint | null; endNs: bigint | null } | null;
  /** `--vm`/`--vcpu` selectors applied (`vms` then lists only the selected VMs and vCPUs); null without. */
  selection?: { vm: string[]; vcpu: string[] } | null;
  vms: VmInfo[];
  events: { byEvent: Array<{ event: string; count: number }>; byCpu: Array<{ cpu: number; count: number }>; unknownEvents: number };
  exits: {
    available: boolean;
    total: number;
    unpaired: number;
    byReason: ExitReason[];
    byVcpu: Array<{ vm: number | null; vcpu: number | null; tid: number; comm: string; count: number; totalNs: number } & ExitSplit>;
    longest: Array<{ tsNs: bigint; cpu: number; vm: number | null; vcpu: number | null; tid: number; comm: string; reason: string; isa: string; durationNs: number; ranInstead: string[] } & ExitSplit>;
    /** Guest RIPs that exit most, per reason (top 10). */
    hotRips: Array<{ reason: string; isa: string; rips: Array<{ rip: string; count: number }> }>;
    msrs: Array<{ msr: string; name: string | null; reads: number; writes: number }>;
    ioPorts: Array<{ port: string; reads: number; writes: number }>;
    mmio: Array<{ gpa: string; reads: number; writes: number }>;
    /** Exits per bin of `binNs` from `startNs`. */
    rate: { binNs: number; startNs: bigint | null; counts: number[] };
    /** Exit durations per reason on a log scale (quarter-decade bins), exits that reached their kvm_entry. */
    durationHistogram: DurationHistogram;
  };
  spin: AnalysisSections['spin'];
  timers: AnalysisSections['timers'] & { lapicExpire: { histogram: LapicHistogram } };
  haltPoll: AnalysisSections['haltPoll'];
  scheduling: AnalysisSections['scheduling'];
  ipis: AnalysisSections['ipis'];
  /** Time buckets: per-vCPU exits, per-CPU vCPU threads and stacking, spins, timer lateness, worst windows. */
  timeline: TimelineSection;
  /** What is wrong and what to change, ordered by impact (src/verdicts, docs/verdicts.md). */
  verdicts: Verdict[];
  /** Analyses that could not run: the events they need and how to record them. */
  missing: AnalysisSections['missing'];
  dataQuality: { diagnostics: DiagEntry[]; lost: Array<{ cpu: number; count: number; atNs: bigint | null }> };
}

export function buildReport(file: string, src: TraceSource, res: AnalysisResults, version: string, thresholds?: Thresholds): Report {
  const report = buildEvidence(file, src, res, version);
  report.verdicts = evaluateVerdicts(report, thresholds);
  return report;
}

function buildEvidence(file: string, src: TraceSource, res: AnalysisResults, version: string): Report {
  const m = src.meta;
  const counts = res.counts;
  const where = new Map<number, { vm: number; vcpu: number }>();
  for (const vm of res.vms) for (const v of vm.vcpus) where.set(v.tid, { vm: vm.id, vcpu: v.vcpu });
  const comm = (tid: number) => res.comms.get(tid) ?? '';
  const sections = analysisSections(res, (tid) => ({ vm: where.get(tid)?.vm ?? null, vcpu: where.get(tid)?.vcpu ?? null }), (tid) => where.has(tid), m.baseNs);
  const abs = (rel: number) => (Number.isFinite(rel) ? m.baseNs + BigInt(rel) : null);
  const tl = timelineSection(res, (tid) => ({ vm: where.get(tid)?.vm ?? null, vcpu: where.get(tid)?.vcpu ?? null }), comm, m.baseNs, m.clockIsNs);
  const { known: lostEvents, unknown: lostUnknown } = lostTotals(src.lost);
  return {
    schema: SCHEMA,
    generator: { name: 'kvmtrace', version },
    input: {
      file,
      format: m.format,
      version: m.version,
      compression: m.compression,
      cpus: m.cpus,
      events: counts.events,
      lostEvents,
      lostUnknown,
      firstNs: abs(counts.firstTs),
      lastNs: abs(counts.lastTs),
      durationNs: counts.events > 0 ? counts.lastTs - counts.firstTs : 0,
      clock: m.clock,
      clockIsNs: m.clockIsNs,
      buffer: m.buffer,
      buffers: m.buffers,
      host: m.hostname,
      unparsedLines: src.unparsed?.lines ?? 0,
    },
    window: res.window ?? null,
    selection: res.selection ?? null,
    vms: res.vms,
    events: { byEvent: counts.byEvent, byCpu: counts.byCpu, unknownEvents: counts.unknownEvents },
    exits: {
      available: res.exits.available || res.exits.total > 0,
      total: res.exits.total,
      unpaired: res.exits.unpaired,
      byReason: res.exits.byReason,
      byVcpu: [...res.exits.byThread].map(([tid, t]) => ({ vm: where.get(tid)?.vm ?? null, vcpu: where.get(tid)?.vcpu ?? null, tid, comm: comm(tid), ...t }))
        .sort((a, b) => (a.vm ?? -1) - (b.vm ?? -1) || (a.vcpu ?? -1) - (b.vcpu ?? -1) || a.tid - b.tid),
      longest: res.exits.longest.map(({ ts, ranInstead, ...l }) => ({
        ...l, tsNs: m.baseNs + BigInt(ts), vm: where.get(l.tid)?.vm ?? null, vcpu: where.get(l.tid)?.vcpu ?? null, comm: comm(l.tid), ranInstead: ranInstead.map(comm),
      })),
      hotRips: [...res.exitDetails.ripsByReason].map(([k, rips]) => ({
        reason: res.reasons.list[k].reason, isa: res.reasons.list[k].isa, rips: rips.map(([rip, count]) => ({ rip, count })),
      })).sort((a, b) => (b.rips[0]?.count ?? 0) - (a.rips[0]?.count ?? 0)),
      msrs: res.exitDetails.msrs.map((x) => ({ ...x, msr: `0x${x.msr.toString(16)}` })),
      ioPorts: res.exitDetails.ports.map((x) => ({ ...x, port: `0x${x.port.toString(16)}` })),
      mmio: res.exitDetails.mmio,
      rate: { ...capBins(res.exitDetails.rate.counts, res.exitDetails.rate.binNs, MAX_RATE_BINS), startNs: res.exitDetails.rate.counts.length ? m.baseNs + BigInt(res.exitDetails.rate.startTs) : null },
      durationHistogram: tl.durationHistogram,
    },
    spin: sections.spin,
    timers: { ...sections.timers, lapicExpire: { ...sections.timers.lapicExpire, histogram: tl.lapicHistogram } },
    haltPoll: sections.haltPoll,
    scheduling: sections.scheduling,
    ipis: sections.ipis,
    timeline: tl.timeline,
    verdicts: [],
    missing: sections.missing,
    dataQuality: {
      diagnostics: src.diag.list(),
      lost: src.lost.map((l) => ({ cpu: l.cpu, count: l.count, atNs: abs(l.beforeTs) })),
    },
  };
}
