import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEventFormat } from '../../../src/ingest/tracedat/format-parser.js';
import { exprToString, parseIntLiteral, parsePrintFmt, PrintFmtError, type Expr } from '../../../src/ingest/tracedat/print-fmt.js';

const FORMATS = fileURLToPath(new URL('../../../fixtures/formats/', import.meta.url));
const EVENTS = join(FORMATS, 'linux-6.18/events');

/** Every `<sys>/<event>/format` under a directory, as [system, path]. */
function formatFiles(root: string): [string, string][] {
  const out: [string, string][] = [];
  if (!existsSync(root)) return out;
  for (const sys of readdirSync(root)) {
    const d = join(root, sys);
    if (!statSync(d).isDirectory()) continue;
    for (const ev of readdirSync(d)) {
      const f = join(d, ev, 'format');
      if (existsSync(f)) out.push([sys, f]);
    }
  }
  return out;
}

const arg = (text: string, i = 0): Expr => parsePrintFmt(`"x", ${text}`).args[i];
const str = (text: string): string => exprToString(arg(text));

describe('parsePrintFmt', () => {
  it('splits the format string from the arguments and decodes C escapes', () => {
    const p = parsePrintFmt('"a\\tb %d\\n" "tail \\"q\\"", REC->x, 3');
    expect(p.format).toBe('a\tb %d\ntail "q"');
    expect(p.args.map(exprToString)).toEqual(['REC->x', '3']);
  });

  it('concatenates adjacent string literals in arguments ("KVM_EXIT_" "HLT")', () => {
    const e = arg('__print_symbolic(REC->reason, { 5, "KVM_EXIT_" "HLT" }, { 6, "KVM_EXIT_" "MMIO" })');
    expect(e.kind).toBe('symbolic');
    if (e.kind !== 'symbolic') return;
    expect(e.entries.map((x) => x.name)).toEqual(['KVM_EXIT_HLT', 'KVM_EXIT_MMIO']);
    expect(exprToString(e.value)).toBe('REC->reason');
  });

  it('uses C precedence and associativity', () => {
    expect(str('1 + 2 * 3 << 1 | 4 & 5 == 5')).toBe('(((1 + (2 * 3)) << 1) | (4 & (5 == 5)))');
    expect(str('a - b - c')).toBe('((a - b) - c)');
    expect(str('a || b && c ^ d')).toBe('(a || (b && (c ^ d)))');
    expect(str('a ? b : c ? d : e')).toBe('(a ? b : (c ? d : e))');
    expect(str('!REC->a < ~REC->b')).toBe('(!REC->a < ~REC->b)');
    expect(str('REC->x >= 2 != REC->y <= 3')).toBe('((REC->x >= 2) != (REC->y <= 3))');
  });

  it('recognises casts, (REC)->field, sizeof and indexing', () => {
    expect(str('(u8)REC->a')).toBe('(u8)REC->a');
    expect(str('(unsigned long)REC->b')).toBe('(unsigned long)REC->b');
    expect(str('(void *)REC->c')).toBe('(void *)REC->c');
    expect(str('((u64)(REC)->top_delta_ts << 32) | (REC)->bottom_delta_ts')).toBe('(((u64)REC->top_delta_ts << 32) | REC->bottom_delta_ts)');
    expect(str('((uint)((REC->lsn)>>32))')).toBe('(uint)(REC->lsn >> 32)');
    expect(str('(x) - 1')).toBe('(x - 1)');
    expect(str('sizeof(int) + sizeof(REC->x)')).toBe('(sizeof(int) + sizeof(REC->x))');
    expect(str('REC->args[2]')).toBe('REC->args[2]');
    expect(arg('-1')).toEqual({ kind: 'unary', op: '-', arg: { kind: 'num', value: 1n, text: '1' } });
  });

  it('reads integer literals in every base with suffixes', () => {
    expect(parseIntLiteral('0x10ULL')).toBe(16n);
    expect(parseIntLiteral('010')).toBe(8n);
    expect(parseIntLiteral('0')).toBe(0n);
    expect(parseIntLiteral('18446744073709551615UL')).toBe(0xffffffffffffffffn);
    expect(arg("'A'")).toMatchObject({ kind: 'num', value: 65n });
  });

  it('keeps helper calls, unknown calls and statement expressions', () => {
    expect(arg('__get_str(name)')).toEqual({ kind: 'call', name: '__get_str', args: [{ kind: 'ident', name: 'name' }] });
    expect(str('__print_hex(__get_dynamic_array(buf), __get_dynamic_array_len(buf))')).toBe('__print_hex(__get_dynamic_array(buf), __get_dynamic_array_len(buf))');
    expect(str('my_helper(REC->a, 2)')).toBe('my_helper(REC->a, 2)');
    expect(arg('({ int x = (REC->a); x; }), REC->b', 1)).toEqual({ kind: 'field', name: 'b' });
    expect(arg('({ int x = (REC->a); x; })').kind).toBe('opaque');
    const f = arg('__print_flags_u64(REC->f & 3, "|", { 1, "A" }, { 2, "B" })');
    expect(f).toMatchObject({ kind: 'flags', u64: true, delim: '|' });
  });

  it('rejects malformed text with PrintFmtError and caps nesting', () => {
    expect(() => parsePrintFmt('REC->x')).toThrow(PrintFmtError);
    expect(() => parsePrintFmt('"%d", (1 + 2')).toThrow(PrintFmtError);
    expect(() => parsePrintFmt('"%d" REC->x')).toThrow(PrintFmtError);
    expect(() => parsePrintFmt('"unterminated')).toThrow(PrintFmtError);
    expect(parsePrintFmt(`"%d", ${'('.repeat(60)}1${')'.repeat(60)}`).args[0]).toMatchObject({ kind: 'num', value: 1n });
    expect(() => parsePrintFmt(`"%d", ${'('.repeat(5000)}1${')'.repeat(5000)}`)).toThrow(/nesting/);
    expect(() => parsePrintFmt(`"%d", ${'-'.repeat(5000)}1`)).toThrow(/nesting/);
    expect(parsePrintFmt('')).toEqual({ format: '', args: [] });
  });

  it('parses every 6.18 format in fixtures/formats', () => {
    const files = formatFiles(EVENTS);
    expect(files.length).toBeGreaterThan(150);
    for (const [sys, f] of files) {
      const fmt = parseEventFormat(readFileSync(f, 'utf8'), sys);
      expect(() => parsePrintFmt(fmt.printFmt), f).not.toThrow();
    }
  });

  const live = '/sys/kernel/tracing/events';
  it.runIf(existsSync(join(live, 'sched')))('parses the live kernel formats of kvm, kvmmmu, sched, timer and irq', () => {
    for (const sys of ['kvm', 'kvmmmu', 'sched', 'timer', 'irq']) {
      for (const [, f] of formatFiles(live).filter(([s]) => s === sys)) {
        expect(() => parsePrintFmt(parseEventFormat(readFileSync(f, 'utf8'), sys).printFmt), f).not.toThrow();
      }
    }
  });
});
