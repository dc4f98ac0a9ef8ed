// The filtering step between a source and the analyses (`--window`, `--vm`, `--vcpu`): each batch
// is passed on whole when every event is kept, skipped when none is, and otherwise its kept events
// are copied (typed columns and payload bytes, no object per event) into a batch of our own.
//
// Semantics at the window start: the analyses start cold, as if the recording had begun at START —
// an exit, a halt, a run-queue wait or a timer that began before START is not counted (its start is
// unseen), and the ones still open at END are counted like those open at the end of a trace
// (unpaired exits). The stream stops at the first batch entirely past END (sources stream in
// timestamp order), so losses the recorder reported after END are not read.
// A VM/vCPU selection drops the events emitted by the threads of the other vCPUs, except scheduler,
// timer and interrupt events (which keep every thread's state right and attribute timer injections).
import type { EventFormat } from '../ingest/tracedat/format-parser.js';
import { UsageError } from '../diag/errors.js';
import { EventBatch } from '../model/event-batch.js';
import type { TraceSource } from '../model/trace-source.js';
import { boundTs, formatSeconds, type WindowSpec } from './window.js';

export type BatchCallback = (batch: EventBatch) => boolean | void;

/** The window as it was applied: absolute trace-clock ns (null = open side). */
export interface AppliedWindow {
  spec: string;
  startNs: bigint | null;
  endNs: bigint | null;
}

export interface FilterOptions {
  window?: WindowSpec;
  /** Threads whose non-scheduler events are dropped (vCPUs outside the selection). */
  dropTids?: Set<number>;
  /** Called with every batch read, before filtering (progress). */
  onBatch?: (batch: EventBatch) => void;
}

const KEEP_SYSTEMS = new Set(['sched', 'timer', 'irq']);

export class BatchFilter {
  private lo = -Infinity;
  private hi = Infinity;
  private resolved = false;
  private out: EventBatch | null = null;
  /** Events kept, and the first/last timestamps of the stream read (for the empty-window note). */
  private kept = 0;
  private first = NaN;
  private last = NaN;
  private keep = new Uint8Array(0);
  /** Per format index: 1 = kept whoever emits it (scheduler/timer/irq), 0 = not, 255 = not looked up. */
  private always = new Uint8Array(0);
  private readonly formats: EventFormat[];

  constructor(private readonly source: TraceSource, private readonly opts: FilterOptions) {
    this.formats = source.formats;
    if (opts.window && !source.meta.clockIsNs) {
      throw new UsageError(`--window needs nanosecond timestamps; this trace's clock "${source.meta.clock}" counts other units`);
    }
  }

  /**
   * The applied window (null without --window; open sides when the stream had no event). Called
   * once after the stream: a window that kept no event is noted in the source's diagnostics.
   */
  applied(): AppliedWindow | null {
    const w = this.opts.window;
    if (!w) return null;
    const base = this.source.meta.baseNs;
    const abs = (ts: number) => (Number.isFinite(ts) && this.resolved ? base + BigInt(Math.round(ts)) : null);
    const out = { spec: w.text, startNs: abs(this.lo), endNs: abs(this.hi) };
    if (this.kept === 0 && Number.isFinite(this.first)) {
      const s = (ts: number) => formatSeconds(base + BigInt(Math.round(ts)));
      this.source.diag.add('window-empty', 'warning', `no event inside --window ${w.text}: the events read span ${s(this.first)} .. ${s(this.last)} s`);
    }
    return out;
  }

  private isAlways(f: number): boolean {
    if (f < 0) return false;
    if (f >= this.always.length) {
      const next = new Uint8Array(Math.max(this.formats.length, f + 1)).fill(255);
      next.set(this.always);
      this.always = next;
    }
    if (this.always[f] === 255) this.always[f] = KEEP_SYSTEMS.has(this.formats[f]?.system ?? '') ? 1 : 0;
    return this.always[f] === 1;
  }

  wrap(next: (batch: EventBatch) => void): BatchCallback {
    const { window, dropTids, onBatch } = this.opts;
    return (b) => {
      onBatch?.(b);
      const n = b.length;
      if (n === 0) return;
      if (Number.isNaN(this.first)) this.first = b.ts[0];
      this.last = b.ts[n - 1];
      if (!this.resolved && window) {
        this.lo = boundTs(window.start, this.source.meta.baseNs, b.ts[0], -Infinity);
        this.hi = boundTs(window.end, this.source.meta.baseNs, b.ts[0], Infinity);
        this.resolved = true;
      }
      if (this.keep.length < n) this.keep = new Uint8Array(b.capacity);
      const { ts, pid, fmt } = b;
      const keep = this.keep;
      const lo = this.lo;
      const hi = this.hi;
      let kept = 0;
      let past = 0;
      for (let i = 0; i < n; i++) {
        const t = ts[i];
        let k = t >= lo && t <= hi;
        if (t > hi) past++;
        if (k && dropTids && dropTids.has(pid[i]) && !this.isAlways(fmt[i])) k = false;
        keep[i] = k ? 1 : 0;
        if (k) kept++;
      }
      this.kept += kept;
      if (kept === n) next(b);
      else if (kept > 0) next(this.compact(b));
      if (past === n) return false;
      return undefined;
    };
  }

  private compact(b: EventBatch): EventBatch {
    let out = this.out;
    if (!out || out.capacity < b.length || out.little !== b.little) out = this.out = new EventBatch(b.capacity, b.little);
    out.reset();
    const keep = this.keep;
    for (let i = 0, n = b.length; i < n; i++) {
      if (keep[i]) out.push(b.ts[i], b.cpu[i], b.pid[i], b.fmt[i], b.type[i], b.data, b.off[i], b.len[i]);
    }
    return out;
  }
}

/** The filter for these options, or null when nothing is filtered or watched. */
export function batchFilter(source: TraceSource, opts: FilterOptions): BatchFilter | null {
  return opts.window || opts.dropTids?.size || opts.onBatch ? new BatchFilter(source, opts) : null;
}
