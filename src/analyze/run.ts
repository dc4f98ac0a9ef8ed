// Runs every analysis over one pass of a source's event stream: batch-level analyses see each
// batch, event-level ones are routed per event by the dispatcher (scheduler state first, so the
// analyses that read it see it up to date).
import type { EventBatch } from '../model/event-batch.js';
import type { TraceSource } from '../model/trace-source.js';
import { Dispatcher } from './dispatch.js';
import { EventCounts, type EventCountsResult } from './event-counts.js';
import { ExitReasons } from './exit-reasons.js';
import type { ExitDetailsResult } from './exit-details.js';
import { Exits, type ExitsResult } from './exits.js';
import type { HaltPollThread } from './halt-poll.js';
import type { IpiResult } from './ipis.js';
import { adoptSide, SideAnalyses, type SideResults } from './side.js';
import { addQualityDiagnostics } from './quality.js';
import { KernelSymbols } from './kernel-symbols.js';
import { SchedTracker } from './sched-state.js';
import { Scheduling, type SchedThread } from './scheduling.js';
import { Spin, type SpinResult } from './spin.js';
import { Threads, type VmInfo } from './threads.js';
import { Timers, type TimersResult } from './timers.js';
import { Timeline, type TimelineResult } from './timeline.js';
import { Distributions, type DistributionsResult } from './distributions.js';
import type { Analysis } from './types.js';
import { batchFilter, type AppliedWindow, type BatchCallback, type FilterOptions } from './filter.js';

export interface AnalysisOptions {
  /** VMs named by the user: `--vm name=pid`. */
  vms?: Array<{ name: string; pid: number }>;
  /** `--window`, `--vm`/`--vcpu` (dropTids) and a progress hook: see filter.ts for the semantics. */
  filter?: FilterOptions;
}

export interface AnalysisResults {
  counts: EventCountsResult;
  vms: VmInfo[];
  exits: ExitsResult;
  exitDetails: ExitDetailsResult;
  reasons: ExitReasons;
  spin: SpinResult;
  timers: TimersResult;
  haltPoll: Map<number, HaltPollThread>;
  scheduling: Map<number, SchedThread>;
  ipis: IpiResult;
  comms: Map<number, string>;
  /** Time-bucketed series (heatmap, per-CPU timeline, worst windows) and log-scale distributions. */
  timeline?: TimelineResult;
  distributions?: DistributionsResult;
  /** The `--window` applied, when one was. */
  window?: AppliedWindow | null;
  /** The `--vm`/`--vcpu` selectors applied (select.ts), when there were any. */
  selection?: { vm: string[]; vcpu: string[] } | null;
}

export function runAnalyses(source: TraceSource, analyses: Array<Analysis<unknown>>, d?: Dispatcher, wrap?: (cb: (batch: EventBatch) => void) => BatchCallback): void {
  for (const a of analyses) a.prepare(source);
  const consume = (batch: EventBatch) => {
    for (const a of analyses) a.consume(batch);
    d?.run(batch);
  };
  source.read(wrap ? wrap(consume) : consume);
}

export function analyzeSource(source: TraceSource, opts: AnalysisOptions = {}): AnalysisResults {
  const d = new Dispatcher(source.formats);
  const sched = new SchedTracker(d);
  const threads = new Threads(d, source, opts.vms);
  const reasons = new ExitReasons();
  const syms = new KernelSymbols(source.kallsyms, source.textSymbols);
  const exits = new Exits(d, sched, threads, reasons);
  const spin = new Spin(d, sched, threads, reasons, syms);
  const timers = new Timers(d, syms);
  const scheduling = new Scheduling(d, sched, threads);
  const timeline = new Timeline(d, sched, threads, reasons, syms);
  const distributions = new Distributions(d, reasons, exits);
  const filter = opts.filter ? batchFilter(source, opts.filter) : null;
  const counts = new EventCounts();
  // Exit details, halt polling and IPIs run in the reader thread when the source has one (on the
  // same batches: only without a filter), here otherwise.
  const offload = filter ? null : source.offloadSide?.(() => new SideAnalyses(source)) ?? null;
  const here = offload ? null : new SideAnalyses(source, { d, reasons });
  runAnalyses(source, here ? [counts, here, timeline] : [counts, timeline], d, filter ? (cb) => filter.wrap(cb) : undefined);
  const side = adoptSide((here ? here.finish() : offload!.results) as SideResults, reasons);
  const c = counts.finish();
  const timed = timers.finish();
  if (timed.hrtimerNamed === 0 && timed.hrtimerUnnamed > 0) {
    source.diag.add('hrtimer-unnamed', 'warning', `${timed.hrtimerUnnamed} hrtimer_expire_entry events name their function by address only and the input has no kallsyms: timer injection latency (apic_timer_fn) is not measured; use trace-cmd report without -R, or the trace.dat itself`, timed.hrtimerUnnamed);
  }
  return addQualityDiagnostics(source, {
    counts: c, exits: exits.finish(), exitDetails: side.exitDetails, reasons, vms: threads.vms(), comms: threads.comms, spin: spin.finish(), timers: timed,
    timeline: timeline.finish(), distributions: distributions.finish(),
    haltPoll: side.haltPoll, scheduling: scheduling.finish(Number.isFinite(c.lastTs) ? c.lastTs : 0), ipis: side.ipis,
    window: filter?.applied() ?? null,
  });
}
