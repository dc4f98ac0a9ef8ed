// Analyses that need nothing but the event stream — exit details (guest RIPs, MSRs, ports, MMIO,
// exit rate), halt polling and IPIs — grouped so that a reader thread can run them on its own copy
// of the batches while the main thread runs the rest (TraceSource.offloadSide,
// src/ingest/io/source-worker.ts): about a quarter of the analyses' work, which balances the two
// threads on a big trace. Their results are plain data, structured-cloned across threads.
// In a reader thread the group has its own dispatcher and ExitReasons (numbered in order of
// appearance, as everywhere), renumbered into the main thread's by (isa, code) in adoptSide; on the
// main thread it registers on the run's dispatcher and reasons, so events are routed once.
import type { EventBatch } from '../model/event-batch.js';
import type { SideRunner, TraceSource } from '../model/trace-source.js';
import { Dispatcher } from './dispatch.js';
import { ExitDetails, type ExitDetailsResult } from './exit-details.js';
import { ExitReasons, type ReasonInfo } from './exit-reasons.js';
import { HaltPoll, type HaltPollThread } from './halt-poll.js';
import { Ipis, type IpiResult } from './ipis.js';
import type { Analysis } from './types.js';

export interface SideResults {
  exitDetails: ExitDetailsResult;
  haltPoll: Map<number, HaltPollThread>;
  ipis: IpiResult;
  /** The exit reasons the indexes in exitDetails refer to. */
  reasons: ReasonInfo[];
}

export class SideAnalyses implements SideRunner, Analysis<SideResults> {
  readonly id = 'side';
  private readonly d: Dispatcher;
  private readonly reasons: ExitReasons;
  /** The group routes events itself (its own dispatcher), or the run's dispatcher does. */
  private readonly routes: boolean;
  private readonly details: ExitDetails;
  private readonly haltPoll: HaltPoll;
  private readonly ipis: Ipis;

  /** `shared`: the run's dispatcher and exit reasons (main thread); none: the group's own. */
  constructor(source: TraceSource, shared?: { d: Dispatcher; reasons: ExitReasons }) {
    this.routes = !shared;
    this.d = shared?.d ?? new Dispatcher(source.formats);
    this.reasons = shared?.reasons ?? new ExitReasons();
    this.details = new ExitDetails(this.d, this.reasons);
    this.haltPoll = new HaltPoll(this.d);
    this.ipis = new Ipis(this.d);
  }

  /** Prepared by the constructor (a reader thread only constructs and consumes). */
  prepare(): void {}

  consume(b: EventBatch): void {
    if (this.routes) this.d.run(b);
  }

  finish(): SideResults {
    return { exitDetails: this.details.finish(), haltPoll: this.haltPoll.finish(), ipis: this.ipis.finish(), reasons: this.reasons.list };
  }
}

/** The results with their exit-reason indexes renumbered into `reasons` (the main thread's). */
export function adoptSide(r: SideResults, reasons: ExitReasons): SideResults {
  const ripsByReason = new Map<number, Array<[string, number]>>();
  for (const [k, rips] of r.exitDetails.ripsByReason) ripsByReason.set(reasons.adopt(r.reasons[k]), rips);
  return { ...r, exitDetails: { ...r.exitDetails, ripsByReason }, reasons: reasons.list };
}
