// The analysis contract: an analysis sees the source's metadata once, then every EventBatch of the
// stream, and keeps aggregates only (never the events), so memory does not grow with the trace.
import type { EventBatch } from '../model/event-batch.js';
import type { TraceSource } from '../model/trace-source.js';

export interface Analysis<R> {
  readonly id: string;
  /** Called once before the stream: look up the formats and fields this analysis needs. */
  prepare(source: TraceSource): void;
  consume(batch: EventBatch): void;
  finish(): R;
}
