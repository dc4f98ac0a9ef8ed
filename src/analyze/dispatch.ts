// One pass, many analyses: handlers register for the events they need (by name, optionally by
// system) and are called per event in timestamp order, looked up by the event's format index —
// so each event kind is routed once, not tested by every analysis. Text sources add formats while
// they stream (an event first met on line 90,000); registrations apply to those too.
import type { EventFormat, FieldDef } from '../ingest/tracedat/format-parser.js';
import type { EventBatch } from '../model/event-batch.js';
import { TidIndex } from './tid-index.js';

export type Handler = (b: EventBatch, i: number) => void;

interface Registration {
  name: string;
  system?: string;
  make: (fmt: EventFormat) => Handler | null;
}

export class Dispatcher {
  private readonly handlers: Handler[][] = [];
  private readonly regs: Registration[] = [];
  /** Batches dispatched so far: (serial, index) names the event being dispatched (a batch object may be refilled). */
  serial = 0;
  /** Dense numbers for thread ids, shared by the analyses of this run (per-thread state in arrays). */
  readonly tids = new TidIndex();

  /** `formats` is the source's own array: formats appended to it later are picked up. */
  constructor(readonly formats: EventFormat[]) {
    this.extend();
  }

  /** Builds the handler lists of formats added since the last call. */
  private extend(): void {
    for (let i = this.handlers.length; i < this.formats.length; i++) {
      const list: Handler[] = [];
      const f = this.formats[i];
      for (const r of this.regs) {
        if (f.name !== r.name || (r.system !== undefined && f.system !== r.system)) continue;
        const h = r.make(f);
        if (h) list.push(h);
      }
      this.handlers.push(list);
    }
  }

  /** Formats matching an event name (and system, when given). */
  find(name: string, system?: string): number[] {
    const out: number[] = [];
    this.formats.forEach((f, i) => {
      if (f.name === name && (system === undefined || f.system === system)) out.push(i);
    });
    return out;
  }

  /**
   * Registers `make(format)` for every format named `name`, now and as formats are added; `make`
   * returns the handler for that format (so it can capture the format's field layouts) or null to
   * skip it. Returns how many formats matched so far (text sources add more while streaming:
   * decide what was measured from the events counted, not from this number).
   */
  on(name: string, make: (fmt: EventFormat) => Handler | null, system?: string): number {
    this.extend();
    this.regs.push({ name, system, make });
    let n = 0;
    for (const i of this.find(name, system)) {
      const h = make(this.formats[i]);
      if (h) {
        this.handlers[i].push(h);
        n++;
      }
    }
    return n;
  }

  run(b: EventBatch): void {
    this.serial++;
    if (this.handlers.length < this.formats.length) this.extend();
    const hs = this.handlers;
    const fmt = b.fmt;
    for (let i = 0, n = b.length; i < n; i++) {
      const f = fmt[i];
      if (f < 0) continue;
      if (f >= hs.length) this.extend();
      const list = hs[f];
      for (let k = 0; k < list.length; k++) list[k](b, i);
    }
  }
}

/** A field of a format by name (undefined when this kernel's format lacks it). */
export function fieldOf(fmt: EventFormat, name: string): FieldDef | undefined {
  return fmt.fields.find((f) => f.name === name);
}
