// Names of kvm_exit reasons from the trace's own format: the `__print_symbolic` table its print fmt
// selects by `isa` (VMX when 1, SVM otherwise). One cache per (isa, code); shared by every analysis
// that classifies exits (exits, spin, ipis).
import type { EventFormat, FieldDef } from '../ingest/tracedat/format-parser.js';
import { makeSymbolResolver } from '../ingest/tracedat/symbol-tables.js';
import type { EventBatch } from '../model/event-batch.js';
import { readBigInt, readNumber } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';

const ISA: Record<number, string> = { 1: 'vmx', 2: 'svm' };

export interface ReasonInfo {
  index: number;
  reason: string;
  isa: string;
  code: number;
}

/** Reasons seen so far, numbered in order of appearance (one list per analysis run). */
export class ExitReasons {
  readonly list: ReasonInfo[] = [];
  private readonly byKey = new Map<number, number>();
  /** Index + 1 by isa × 65536 + code for isa 0..3 and codes below 65536 (every real reason): no Map lookup per exit. */
  private readonly small = new Int32Array(4 * 65536);

  /** The last event classified through a dispatcher (several analyses ask about the same kvm_exit). */
  private memoD: Dispatcher | null = null;
  private memoSerial = -1;
  private memoI = -1;
  private memoR = 0;

  /**
   * A reader of one kvm_exit format: event → reason index. Null when the format has no exit_reason.
   * With `d` (the dispatcher calling the reader), the answer for the event being dispatched is
   * remembered, so the analyses after the first one get it without reading the fields again.
   */
  reader(fmt: EventFormat, d?: Dispatcher): ((b: EventBatch, i: number) => number) | null {
    const reasonF = fieldOf(fmt, 'exit_reason');
    if (!reasonF) return null;
    const isaF = fieldOf(fmt, 'isa');
    const resolve = makeSymbolResolver(fmt, 'exit_reason');
    if (!d) return (b, i) => this.indexOf(b, i, reasonF, isaF, resolve);
    return (b, i) => {
      if (this.memoI === i && this.memoSerial === d.serial && this.memoD === d) return this.memoR;
      const r = this.indexOf(b, i, reasonF, isaF, resolve);
      this.memoD = d;
      this.memoSerial = d.serial;
      this.memoI = i;
      this.memoR = r;
      return r;
    };
  }

  /**
   * The index of a reason numbered by another ExitReasons over the same stream (analyze/side.ts: a
   * reader thread's), added at the end when this one never met it. Used after the stream only.
   */
  adopt(r: { reason: string; isa: string; code: number }): number {
    const hit = this.list.find((x) => x.code === r.code && x.isa === r.isa && x.reason === r.reason);
    if (hit) return hit.index;
    const index = this.list.length;
    this.list.push({ index, reason: r.reason, isa: r.isa, code: r.code });
    return index;
  }

  private indexOf(b: EventBatch, i: number, reasonF: FieldDef, isaF: FieldDef | undefined,
    resolve: ((get: (n: string) => bigint) => string | undefined) | undefined): number {
    const code = readNumber(b, i, reasonF);
    const isa = isaF ? readNumber(b, i, isaF) : 0;
    const fast = isa >= 0 && isa < 4 && code >= 0 && code < 65536 ? isa * 65536 + code : -1;
    if (fast >= 0 && this.small[fast] !== 0) return this.small[fast] - 1;
    const key = isa * 4294967296 + code;
    const hit = this.byKey.get(key);
    if (hit !== undefined) return hit;
    const name = resolve?.((n) => (n === 'exit_reason' ? readBigInt(b, i, reasonF) : n === 'isa' && isaF ? readBigInt(b, i, isaF) : 0n));
    const index = this.list.length;
    this.list.push({ index, reason: name ?? `reason ${code}`, isa: ISA[isa] ?? (isaF ? `isa ${isa}` : 'unknown'), code });
    this.byKey.set(key, index);
    if (fast >= 0) this.small[fast] = index + 1;
    return index;
  }
}
