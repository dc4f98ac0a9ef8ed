// The test that matters: for every real fixture, in v7-zstd (as recorded), v6 and v7-none form
// (converted by trace-cmd), and for every buffer instance, kvmtrace decodes exactly the events
// `trace-cmd report -R -t` prints: same count, and per event the same timestamp, CPU, pid, event
// name and field values; lost-event markers at the same places.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventFormat } from '../../../src/ingest/tracedat/format-parser.js';
import { parsePrintFmt, type Expr } from '../../../src/ingest/tracedat/print-fmt.js';
import { evalNum } from '../../../src/ingest/tracedat/symbol-tables.js';
import { parseKallsyms, type Kallsyms } from '../../../src/ingest/tracedat/symbols.js';
import { decodeAll, type DecodedRecord, type DecodedValue } from '../../helpers/decoded.js';
import { convertTrace, hasTraceCmd, traceCmdRawReport, type RawRecord } from '../../helpers/tracecmd.js';

const FIXTURES = 'fixtures/tracedat';
const cases = readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, 'trace.dat')));
const work = join(tmpdir(), `kvmtrace-crosscheck-${process.pid}`);

function forms(name: string): Array<[string, string]> {
  const src = join(FIXTURES, name, 'trace.dat');
  mkdirSync(work, { recursive: true });
  const v6 = join(work, `${name}-v6.dat`);
  const v7n = join(work, `${name}-v7-none.dat`);
  if (!existsSync(v6)) convertTrace(src, v6, { fileVersion: 6 });
  if (!existsSync(v7n)) convertTrace(src, v7n, { fileVersion: 7, compression: 'none' });
  return [['v7-zstd', src], ['v6', v6], ['v7-none', v7n]];
}

function parseIntText(t: string): bigint | undefined {
  const s = t.trim();
  if (s === '(nil)') return 0n;
  if (/^-?\d+$/.test(s)) return BigInt(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return BigInt(s);
  return undefined;
}

/** Does trace-cmd's printed value agree with our decoded value? Returns a reason when not. */
function mismatch(text: string, ours: DecodedValue, size: number, isPointer: boolean, syms: Kallsyms): string | null {
  if (typeof ours === 'string') {
    // A trailing newline of a string ends trace-cmd's output line, so it cannot show in the text.
    return text === ours || text === ours.replace(/\n$/, '') ? null : `string ${JSON.stringify(ours)} vs ${JSON.stringify(text)}`;
  }
  if (ours instanceof Uint8Array) {
    const want = `ARRAY[${[...ours].map((b) => b.toString(16).padStart(2, '0')).join(', ')}]`;
    if (text === want) return null;
    if (ours.length === 0 && text === '') return null;
    // A __data_loc char array trace-cmd prints as text.
    const z = ours.indexOf(0);
    const asText = new TextDecoder().decode(z >= 0 ? ours.subarray(0, z) : ours);
    return text === asText ? null : `array ${want} vs ${text}`;
  }
  const mod = 1n << BigInt(8 * Math.max(1, size));
  const norm = (v: bigint) => ((v % mod) + mod) % mod;
  const v = parseIntText(text);
  if (v !== undefined) return norm(v) === norm(ours) ? null : `int ${ours} vs ${text}`;
  // %ps / %pS: a kernel symbol name, optionally with +0xoff.
  const m = /^([\w.$]+)(?:\+0x([0-9a-f]+))?(?: \(0x[0-9a-f]+\))?$/i.exec(text.trim());
  if (m && (isPointer || size === 8)) {
    const hit = syms.lookup(norm(ours));
    if (hit && hit.name === m[1] && (m[2] === undefined || BigInt('0x' + m[2]) === hit.offset)) return null;
    return `symbol ${text} vs 0x${norm(ours).toString(16)} (${hit?.name ?? 'no symbol'})`;
  }
  return `unparsed value ${JSON.stringify(text)} for ${ours}`;
}

function refersTo(e: Expr, field: string): boolean {
  if (e.kind === 'field') return e.name === field;
  return Object.values(e).some((v) => (Array.isArray(v) ? v.some((x) => x && typeof x === 'object' && 'kind' in x && refersTo(x as Expr, field)) : v && typeof v === 'object' && 'kind' in v && refersTo(v as Expr, field)));
}

/**
 * libtraceevent 1.7's raw mode prints a field through the print-fmt conversion of the first argument
 * that uses it, evaluated as an expression: kvm_ioapic_set_irq's u64 `e` shows as `(u8)REC->e`.
 * Accept trace-cmd's text when it equals that argument evaluated over our decoded fields.
 */
const parsedFmts = new Map<EventFormat, Expr[]>();
function viaPrintArg(fmt: EventFormat | undefined, rec: DecodedRecord, field: string, text: string): boolean {
  if (!fmt) return false;
  let args = parsedFmts.get(fmt);
  if (!args) parsedFmts.set(fmt, (args = parsePrintFmt(fmt.printFmt).args));
  const want = parseIntText(text);
  if (want === undefined) return false;
  const values = new Map(rec.fields.map((f) => [f.def.name, f.value]));
  for (const a of args) {
    if (!refersTo(a, field)) continue;
    try {
      const v = evalNum(a, { value: (n) => values.get(n), def: (n) => fmt.fields.find((f) => f.name === n) });
      return BigInt.asUintN(64, v) === BigInt.asUintN(64, want);
    } catch {
      return false;
    }
  }
  return false;
}

function compare(ours: DecodedRecord[], theirs: RawRecord[], syms: Kallsyms, formats: EventFormat[]): string[] {
  const problems: string[] = [];
  if (ours.length !== theirs.length) problems.push(`event count ${ours.length} vs trace-cmd ${theirs.length}`);
  const n = Math.min(ours.length, theirs.length);
  for (let i = 0; i < n && problems.length < 10; i++) {
    const a = ours[i];
    const b = theirs[i];
    const where = `event ${i} (${b.event} at ${b.ts})`;
    if (a.ts !== b.ts) problems.push(`${where}: ts ${a.ts} vs ${b.ts}`);
    if (a.cpu !== b.cpu) problems.push(`${where}: cpu ${a.cpu} vs ${b.cpu}`);
    if (a.pid !== b.pid) problems.push(`${where}: pid ${a.pid} vs ${b.pid}`);
    if (a.event !== b.event) problems.push(`${where}: event ${a.event} vs ${b.event}`);
    if (a.fields.length !== b.fields.size) problems.push(`${where}: ${a.fields.length} fields vs ${b.fields.size}`);
    for (const f of a.fields) {
      const text = b.fields.get(f.def.name);
      if (text === undefined) {
        problems.push(`${where}: trace-cmd has no field ${f.def.name}`);
        continue;
      }
      const why = mismatch(text, f.value, f.def.size, f.def.isPointer, syms);
      if (why && !viaPrintArg(formats.find((x) => x.system === a.system && x.name === a.event), a, f.def.name, text)) {
        problems.push(`${where}: ${f.def.name}: ${why}`);
      }
    }
  }
  return problems;
}

describe.skipIf(!hasTraceCmd())('decoding equals trace-cmd report on real fixtures', () => {
  expect(cases.length).toBeGreaterThanOrEqual(3);
  for (const name of cases) {
    describe(name, () => {
      for (const [form, path] of forms(name)) {
        it(`${form}: every buffer, event by event`, () => {
          const report = traceCmdRawReport(path);
          const first = decodeAll(path);
          const syms = parseKallsyms(first.source.kallsyms);
          for (const buffer of first.source.meta.buffers) {
            const d = buffer === '' ? first : decodeAll(path, buffer);
            const theirs = report.records.filter((r) => r.buffer === buffer);
            expect(theirs.length).toBeGreaterThan(0);
            expect(compare(d.records, theirs, syms, d.source.formats)).toEqual([]);
            // Lost events: same CPUs, counts and positions.
            const tl = report.lost.filter((l) => l.buffer === buffer).map((l) => ({ cpu: l.cpu, count: l.count ?? -1, ts: report.records[l.beforeRecord]?.ts ?? null }));
            const ol = d.lost.map((l) => ({ cpu: l.cpu, count: l.count, ts: Number.isNaN(l.beforeTs) ? null : d.source.meta.baseNs + BigInt(l.beforeTs) }));
            expect(ol).toEqual(tl);
          }
        });
      }
    });
  }
});

describe('batch boundaries do not change the stream', () => {
  it('decodes the same records with 7-event batches as with the default', () => {
    const path = join(FIXTURES, 'kvm-pinned', 'trace.dat');
    const a = decodeAll(path);
    const b = decodeAll(path, undefined, 7);
    expect(b.records.length).toBe(a.records.length);
    expect(b.records).toEqual(a.records);
  });
});
