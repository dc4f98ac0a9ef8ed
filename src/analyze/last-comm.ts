// The name (comm) each thread's scheduler events carried last, by thread index (Dispatcher.tids),
// so that Threads decodes a comm only when it changed: the common fixed comm[16] field is compared
// as four words against the bytes the name was read from, any other field byte by byte against the
// name itself. Upstream: include/trace/events/sched.h (char comm[TASK_COMM_LEN], TASK_COMM_LEN 16).
import type { FieldDef } from '../ingest/tracedat/format-parser.js';
import type { EventBatch } from '../model/event-batch.js';
import { fieldRange } from '../model/field-access.js';

/** Does the char-array field hold exactly the ASCII text `s` (to its NUL)? Then a repeated name skips the UTF-8 decode. */
function sameAscii(b: EventBatch, i: number, f: FieldDef, s: string): boolean {
  let start: number;
  let end: number;
  if (f.dynamic === 'none' && f.size !== 0) {
    // A fixed char array: fieldRange's bounds without its pair.
    const base = b.off[i];
    const len = b.len[i];
    const at = Math.min(f.offset, len);
    start = base + at;
    end = base + Math.min(len, at + f.size);
  } else [start, end] = fieldRange(b, i, f);
  const d = b.data;
  let k = 0;
  for (let c; start + k < end && (c = d[start + k]) !== 0; k++) if (c >= 128 || s.charCodeAt(k) !== c) return false;
  return k === s.length;
}

/** Is the field a whole comm[16] of this event (read as four words)? */
const isRaw = (b: EventBatch, i: number, f: FieldDef) => f.size === 16 && f.dynamic === 'none' && f.offset + 16 <= b.len[i];

export class LastComms {
  private readonly names: Array<string | undefined> = [];
  /** The 16 comm bytes `names[ix]` was read from (4 words), valid when `rawOk[ix]` is 1. */
  private raw = new Int32Array(4 * 256);
  private rawOk = new Uint8Array(256);

  /** Does the event's comm field (thread index `ix`) hold the name last noted for the thread? */
  unchanged(b: EventBatch, i: number, f: FieldDef, ix: number): boolean {
    const raw = isRaw(b, i, f);
    if (raw && ix < this.rawOk.length && this.rawOk[ix] === 1) {
      const at = b.off[i] + f.offset;
      const v = b.view;
      const r = this.raw;
      if (r[4 * ix] === v.getInt32(at, true) && r[4 * ix + 1] === v.getInt32(at + 4, true)
        && r[4 * ix + 2] === v.getInt32(at + 8, true) && r[4 * ix + 3] === v.getInt32(at + 12, true)) return true;
    }
    const last = ix < this.names.length ? this.names[ix] : undefined;
    if (last === undefined || !sameAscii(b, i, f, last)) return false;
    if (raw) this.keepRaw(b, i, f, ix);
    return true;
  }

  /** Notes `comm`, read from the event's field, as the thread's last name. */
  set(b: EventBatch, i: number, f: FieldDef, ix: number, comm: string): void {
    while (this.names.length < ix) this.names.push(undefined);
    this.names[ix] = comm;
    if (isRaw(b, i, f)) this.keepRaw(b, i, f, ix);
    else if (ix < this.rawOk.length) this.rawOk[ix] = 0;
  }

  private keepRaw(b: EventBatch, i: number, f: FieldDef, ix: number): void {
    if (ix >= this.rawOk.length) {
      const n = Math.max(ix + 1, this.rawOk.length * 2);
      const r = new Int32Array(4 * n);
      r.set(this.raw);
      this.raw = r;
      const ok = new Uint8Array(n);
      ok.set(this.rawOk);
      this.rawOk = ok;
    }
    const at = b.off[i] + f.offset;
    const v = b.view;
    const r = this.raw;
    r[4 * ix] = v.getInt32(at, true);
    r[4 * ix + 1] = v.getInt32(at + 4, true);
    r[4 * ix + 2] = v.getInt32(at + 8, true);
    r[4 * ix + 3] = v.getInt32(at + 12, true);
    this.rawOk[ix] = 1;
  }
}
