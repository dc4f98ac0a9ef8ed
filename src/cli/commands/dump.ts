// `kvmtrace dump FILE`: one line per event for cross-checking against `trace-cmd report -R -t`:
//   comm-pid [cpu] seconds.nanoseconds: system:event field=value field=value ...
// Integers print in decimal (signed per the format), pointers and unsigned longs in hex, char
// arrays and __data_loc strings as text, other arrays as ARRAY[xx, xx] like libtraceevent's raw mode.
// With --pretty the payload is the event's own print fmt rendered like `trace-cmd report -N`
// (kernel format, no plugins), naming %ps/%pS addresses with the file's kallsyms.
import type { Writable } from 'node:stream';
import { makeRenderContext, renderPrintFmt } from '../../ingest/tracedat/evaluate.js';
import type { EventFormat, FieldDef } from '../../ingest/tracedat/format-parser.js';
import { parsePrintFmt, type ParsedPrintFmt } from '../../ingest/tracedat/print-fmt.js';
import type { FieldValue } from '../../ingest/tracedat/symbol-tables.js';
import { parseKallsyms, parsePrintkFormats, type Kallsyms } from '../../ingest/tracedat/symbols.js';
import { openInput, type OpenOptions } from '../../ingest/index.js';
import type { EventBatch } from '../../model/event-batch.js';
import { fieldRange, readBigInt, readString } from '../../model/field-access.js';
import { formatTs } from '../format-ts.js';

function formatField(b: EventBatch, i: number, f: FieldDef): string {
  if (f.isString) return readString(b, i, f).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (f.isArray || f.dynamic !== 'none') {
    const [s, e] = fieldRange(b, i, f);
    const parts: string[] = [];
    for (let k = s; k < e; k++) parts.push(b.data[k].toString(16).padStart(2, '0'));
    return `ARRAY[${parts.join(', ')}]`;
  }
  const v = readBigInt(b, i, f);
  if (f.isPointer) return `0x${(v < 0n ? v + (1n << BigInt(8 * f.size)) : v).toString(16)}`;
  return v.toString();
}

export interface DumpOptions extends OpenOptions {
  limit?: number;
  pretty?: boolean;
}

function fieldValue(b: EventBatch, i: number, f: FieldDef): FieldValue {
  if (f.isString) return readString(b, i, f);
  if (f.isArray || f.dynamic !== 'none') {
    const [s, e] = fieldRange(b, i, f);
    return b.data.slice(s, e);
  }
  return readBigInt(b, i, f);
}

/** Renders events with their print fmt; formats that cannot be parsed fall back to raw fields. */
class PrettyPrinter {
  private parsed = new Map<EventFormat, ParsedPrintFmt | null>();
  private syms?: Kallsyms;
  private printk?: Map<bigint, string>;

  constructor(
    private readonly kallsymsText: string,
    private readonly printkText: string,
    private readonly little: boolean,
    private readonly longSize: number,
  ) {}

  render(b: EventBatch, i: number, fmt: EventFormat): string | null {
    let p = this.parsed.get(fmt);
    if (p === undefined) {
      try {
        p = parsePrintFmt(fmt.printFmt);
      } catch {
        p = null;
      }
      this.parsed.set(fmt, p);
    }
    if (!p) return null;
    this.syms ??= parseKallsyms(this.kallsymsText);
    this.printk ??= parsePrintkFormats(this.printkText);
    const values = new Map<string, FieldValue>();
    for (const f of fmt.fields) values.set(f.name, fieldValue(b, i, f));
    const syms = this.syms;
    const printk = this.printk;
    const ctx = makeRenderContext(fmt, values, {
      longSize: this.longSize,
      bigEndian: !this.little,
      kallsyms: syms.size ? (a) => syms.lookup(a) : undefined,
      printk: (a) => printk.get(a),
    });
    try {
      return renderPrintFmt(p, ctx);
    } catch {
      return null;
    }
  }
}

export function dump(path: string, out: Writable, opts: DumpOptions = {}): number {
  const src = openInput(path, opts);
  const limit = opts.limit ?? Infinity;
  const pretty = opts.pretty ? new PrettyPrinter(src.kallsyms, src.printk ?? '', src.meta.littleEndian, src.meta.longSize) : null;
  let n = 0;
  const lines: string[] = [];
  const flush = () => {
    if (lines.length) out.write(lines.join('\n') + '\n');
    lines.length = 0;
  };
  try {
    src.read((b) => {
      for (let i = 0; i < b.length && n < limit; i++, n++) {
        const pid = b.pid[i];
        const comm = pid === 0 ? '<idle>' : src.comms.get(pid) ?? '<...>';
        const ts = formatTs(src.meta, b.ts[i]);
        const cpu = String(b.cpu[i]).padStart(3, '0');
        const fi = b.fmt[i];
        if (fi < 0) {
          lines.push(`${comm}-${pid} [${cpu}] ${ts}: unknown event id ${b.type[i]} (${b.len[i]} bytes)`);
          continue;
        }
        const fmt = src.formats[fi];
        const text = pretty?.render(b, i, fmt) ?? fmt.fields.filter((f) => !f.common).map((f) => `${f.name}=${formatField(b, i, f)}`).join(' ');
        lines.push(`${comm}-${pid} [${cpu}] ${ts}: ${fmt.system}:${fmt.name} ${text}`);
      }
      flush();
      return n < limit;
    });
    for (const l of src.lost) out.write(`# CPU ${l.cpu}: ${l.count < 0 ? 'unknown number of' : l.count} events lost\n`);
  } finally {
    src.close();
  }
  return n;
}
