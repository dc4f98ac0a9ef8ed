// One pass, many analyses: handlers register for the events they need (by name, optionally by
// system) and are called per event in timestamp order, looked up by the event's format index —
// so each event kind is routed once, not tested by every analysis.
import type { EventFormat, FieldDef } from '../ingest/tracedat/format-parser.js';
import type { EventBatch } from '../model/event-batch.js';

export type Handler = (b: EventBatch, i: number) => void;

export class Dispatcher {
  private readonly handlers: Handler[][];

  constructor(readonly formats: EventFormat[]) {
    this.handlers = formats.map(() => []);
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
   * Registers `make(format)` for every format named `name`; `make` returns the handler for that
   * format (so it can capture the format's field layouts) or null to skip it. Returns how many
   * formats matched.
   */
  on(name: string, make: (fmt: EventFormat) => Handler | null, system?: string): number {
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
    const hs = this.handlers;
    const fmt = b.fmt;
    for (let i = 0, n = b.length; i < n; i++) {
      const f = fmt[i];
      if (f < 0) continue;
      const list = hs[f];
      for (let k = 0; k < list.length; k++) list[k](b, i);
    }
  }
}

/** A field of a format by name (undefined when this kernel's format lacks it). */
export function fieldOf(fmt: EventFormat, name: string): FieldDef | undefined {
  return fmt.fields.find((f) => f.name === name);
}
