// Counts every event read, per event name and per CPU, and the time span of the stream.
import type { EventBatch } from '../model/event-batch.js';
import type { TraceSource } from '../model/trace-source.js';
import type { Analysis } from './types.js';

export interface EventCountsResult {
  events: number;
  /** `system:name` → count, largest first. */
  byEvent: Array<{ event: string; count: number }>;
  byCpu: Array<{ cpu: number; count: number }>;
  /** Relative ns of the first and last event (NaN when empty). */
  firstTs: number;
  lastTs: number;
  /** Events whose id has no format in the file. */
  unknownEvents: number;
  /** Events older than the event before them on the same CPU (a clock or recorder fault). */
  backwards?: number;
}

export class EventCounts implements Analysis<EventCountsResult> {
  readonly id = 'event-counts';
  private names: string[] = [];
  /** The source's format table: text sources append formats for events met during the stream. */
  private formats: TraceSource['formats'] = [];
  private perFmt = new Float64Array(0);
  private perCpu = new Float64Array(0);
  /** Timestamp of the last event seen on each CPU, to count steps back in time. */
  private lastOnCpu = new Float64Array(0);
  private backwards = 0;
  private unknown = 0;
  private total = 0;
  private first = NaN;
  private last = NaN;

  prepare(source: TraceSource): void {
    this.formats = source.formats;
    this.names = source.formats.map((f) => `${f.system}:${f.name}`);
    this.perFmt = new Float64Array(this.names.length);
    this.perCpu = new Float64Array(Math.max(1, source.meta.cpus));
    this.lastOnCpu = new Float64Array(this.perCpu.length).fill(-Infinity);
  }

  consume(b: EventBatch): void {
    const n = b.length;
    if (n === 0) return;
    if (this.total === 0) this.first = b.ts[0];
    this.last = b.ts[n - 1];
    this.total += n;
    const { fmt, cpu, ts } = b;
    let perFmt = this.perFmt;
    let perCpu = this.perCpu;
    let lastOnCpu = this.lastOnCpu;
    let unknown = 0;
    let backwards = 0;
    for (let i = 0; i < n; i++) {
      const f = fmt[i];
      if (f >= perFmt.length) {
        const grown = new Float64Array(Math.max(f + 1, this.formats.length));
        grown.set(perFmt);
        this.perFmt = perFmt = grown;
        this.names = this.formats.map((x) => `${x.system}:${x.name}`);
        grown[f]++;
      } else if (f >= 0) perFmt[f]++;
      else unknown++;
      const c = cpu[i];
      if (c >= perCpu.length) {
        const grown = new Float64Array(c + 1);
        grown.set(perCpu);
        this.perCpu = perCpu = grown;
        const last = new Float64Array(c + 1).fill(-Infinity);
        last.set(lastOnCpu);
        this.lastOnCpu = lastOnCpu = last;
      }
      perCpu[c]++;
      const t = ts[i];
      if (t < lastOnCpu[c]) backwards++;
      lastOnCpu[c] = t;
    }
    this.unknown += unknown;
    this.backwards += backwards;
  }

  finish(): EventCountsResult {
    const byEvent: EventCountsResult['byEvent'] = [];
    this.perFmt.forEach((count, i) => {
      if (count > 0) byEvent.push({ event: this.names[i], count });
    });
    byEvent.sort((a, b) => b.count - a.count || a.event.localeCompare(b.event));
    const byCpu: EventCountsResult['byCpu'] = [];
    this.perCpu.forEach((count, cpu) => {
      if (count > 0) byCpu.push({ cpu, count });
    });
    return { events: this.total, byEvent, byCpu, firstTs: this.first, lastTs: this.last, unknownEvents: this.unknown, backwards: this.backwards };
  }
}
