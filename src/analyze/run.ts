// Runs every analysis over one pass of a source's event stream: batch-level analyses see each
// batch, event-level ones are routed per event by the dispatcher (scheduler state first, so the
// analyses that read it see it up to date).
import type { TraceSource } from '../model/trace-source.js';
import { Dispatcher } from './dispatch.js';
import { EventCounts, type EventCountsResult } from './event-counts.js';
import { Exits, type ExitsResult } from './exits.js';
import { SchedTracker } from './sched-state.js';
import { Threads, type VmInfo } from './threads.js';
import type { Analysis } from './types.js';

export interface AnalysisOptions {
  /** VMs named by the user: `--vm name=pid`. */
  vms?: Array<{ name: string; pid: number }>;
}

export interface AnalysisResults {
  counts: EventCountsResult;
  vms: VmInfo[];
  exits: ExitsResult;
  comms: Map<number, string>;
}

export function runAnalyses(source: TraceSource, analyses: Array<Analysis<unknown>>, d?: Dispatcher): void {
  for (const a of analyses) a.prepare(source);
  source.read((batch) => {
    for (const a of analyses) a.consume(batch);
    d?.run(batch);
  });
}

export function analyzeSource(source: TraceSource, opts: AnalysisOptions = {}): AnalysisResults {
  const d = new Dispatcher(source.formats);
  const sched = new SchedTracker(d);
  const threads = new Threads(d, source, opts.vms);
  const exits = new Exits(d, sched, threads);
  const counts = new EventCounts();
  runAnalyses(source, [counts], d);
  return { counts: counts.finish(), exits: exits.finish(), vms: threads.vms(), comms: threads.comms };
}
