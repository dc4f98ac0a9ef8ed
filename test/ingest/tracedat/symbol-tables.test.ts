import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEventFormat, type EventFormat } from '../../../src/ingest/tracedat/format-parser.js';
import { parsePrintFmt } from '../../../src/ingest/tracedat/print-fmt.js';
import { evalNum, extractSymbolTables, foldConst, libteValue, makeSymbolResolver } from '../../../src/ingest/tracedat/symbol-tables.js';

const EVENTS = fileURLToPath(new URL('../../../fixtures/formats/linux-6.18/events/', import.meta.url));
const load = (sys: string, ev: string): EventFormat => parseEventFormat(readFileSync(`${EVENTS}${sys}/${ev}/format`, 'utf8'), sys);
const getter = (o: Record<string, bigint>) => (n: string): bigint => o[n] ?? 0n;

const HEAD = `ID: 7
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;
`;
const handmade = (name: string, fields: string, printFmt: string): EventFormat =>
  parseEventFormat(`name: ${name}\n${HEAD}\n${fields}\n\nprint fmt: ${printFmt}\n`, 'kvm');

describe('extractSymbolTables on the real 6.18 kvm_exit', () => {
  const fmt = load('kvm', 'kvm_exit');
  const tables = extractSymbolTables(fmt);

  it('finds the VMX table, the SVM table and the VMX flags with their guards and masks', () => {
    expect(tables.map((t) => [t.kind, t.field, t.valueText, t.guardText, t.argIndex])).toEqual([
      ['symbolic', 'exit_reason', '(REC->exit_reason & 0xffff)', '(REC->isa == 1)', 1],
      ['symbolic', 'exit_reason', 'REC->exit_reason', '!(REC->isa == 1)', 1],
      ['flags', 'exit_reason', '(REC->exit_reason & ~0xffff)', '(REC->isa == 1)', 3],
    ]);
    expect(tables[0].mask).toBe(0xffffn);
    expect(tables[2].mask).toBe(0xffffffffffff0000n);
    expect(tables[0].width).toBe(32);
    expect(tables[0].entries.get(48n)).toBe('EPT_VIOLATION');
    expect(tables[1].entries.get(0x4dn)).toBe('GP excp'); // { 0x040 + 13, "GP excp" } folded
    expect(tables[1].entries.get(0xffffffffn)).toBe('invalid_guest_state'); // { -1, ... } modulo 2^32
    expect(tables[2].delim).toBe(' ');
    expect(tables[2].ordered).toEqual([{ value: 0x80000000n, name: 'FAILED_VMENTRY' }]);
  });

  it('resolves exit reasons per ISA, masking the VMX flag bits', () => {
    const r = makeSymbolResolver(fmt, 'exit_reason')!;
    const vmx = (exit_reason: bigint) => r(getter({ isa: 1n, exit_reason }));
    const svm = (exit_reason: bigint) => r(getter({ isa: 2n, exit_reason }));
    expect(vmx(30n)).toBe('IO_INSTRUCTION');
    expect(vmx(12n)).toBe('HLT');
    expect(vmx(48n)).toBe('EPT_VIOLATION');
    expect(vmx(0x80000021n)).toBe('INVALID_STATE'); // basic reason = exit_reason & 0xffff = 33
    expect(vmx(0xffffn)).toBeUndefined();
    expect(svm(0x078n)).toBe('hlt');
    expect(svm(0x400n)).toBe('npf');
    expect(svm(0x07cn)).toBe('msr');
    expect(svm(0x4dn)).toBe('GP excp');
    expect(svm(0xffffffffn)).toBe('invalid_guest_state');
    expect(svm(0x21n)).toBe('read_dr1');
    expect(svm(0x12345n)).toBeUndefined();
    expect(makeSymbolResolver(fmt, 'guest_rip')).toBeUndefined();
  });

  it('keeps libtraceevent values apart: -1 never matches a zero-extended u32 there', () => {
    const svmTable = parsePrintFmt(fmt.printFmt).args[1];
    expect(svmTable.kind).toBe('ternary');
    expect(libteValue({ kind: 'unary', op: '-', arg: { kind: 'num', value: 1n, text: '1' } })).toBe(0xffffffffffffffffn);
    expect(libteValue({ kind: 'unary', op: '-', arg: { kind: 'num', value: 5n, text: '5' } })).toBe(0xffffffffffffffffn); // eval_flag("-5") → -1
    expect(foldConst({ kind: 'unary', op: '-', arg: { kind: 'num', value: 5n, text: '5' } })).toBe(-5n);
  });
});

describe('other 6.18 tables', () => {
  it('kvm_userspace_exit.reason with concatenated names, behind the errno guard', () => {
    const fmt = load('kvm', 'kvm_userspace_exit');
    const [t] = extractSymbolTables(fmt);
    expect(t.field).toBe('reason');
    expect(t.guardText).toBe('!(REC->errno < 0)');
    expect(t.entries.get(5n)).toBe('KVM_EXIT_HLT');
    expect(t.entries.get(2n)).toBe('KVM_EXIT_IO');
    const r = makeSymbolResolver(fmt, 'reason')!;
    expect(r(getter({ reason: 5n, errno: 0n }))).toBe('KVM_EXIT_HLT');
    expect(r(getter({ reason: 30n, errno: 0n }))).toBe('KVM_EXIT_X86_WRMSR');
    expect(r(getter({ reason: 99n, errno: 0n }))).toBeUndefined();
  });

  it('sched_switch prev_state flags with the folded TASK_REPORT mask', () => {
    const fmt = load('sched', 'sched_switch');
    const [t] = extractSymbolTables(fmt);
    expect(t).toMatchObject({ kind: 'flags', field: 'prev_state', delim: '|', mask: 0xffn });
    expect([...t.entries]).toEqual([[1n, 'S'], [2n, 'D'], [4n, 'T'], [8n, 't'], [16n, 'X'], [32n, 'Z'], [64n, 'P'], [128n, 'I']]);
    const r = makeSymbolResolver(fmt, 'prev_state')!;
    expect(r(getter({ prev_state: 1n }))).toBe('S');
    expect(r(getter({ prev_state: 0x82n }))).toBe('D|I');
    expect(r(getter({ prev_state: 0x100n }))).toBeUndefined(); // "R+" comes from the ternary's else branch, not a table
    expect(r(getter({ prev_state: 0n }))).toBeUndefined();
  });

  it('timer_start flags, hrtimer_start mode, softirq vec', () => {
    const ts = extractSymbolTables(load('timer', 'timer_start'));
    expect(ts[0]).toMatchObject({ kind: 'flags', field: 'flags', mask: 0x3c0000n, guardText: '' });
    expect(makeSymbolResolver(load('timer', 'timer_start'), 'flags')!(getter({ flags: 0x380001n }))).toBe('D|P|I');
    // hrtimer_start's table keeps enum names (no TRACE_DEFINE_ENUM): nothing resolvable, names listed.
    const [mode] = extractSymbolTables(load('timer', 'hrtimer_start'));
    expect(mode.entries.size).toBe(0);
    expect(mode.unresolved.slice(0, 2)).toEqual(['ABS', 'REL']);
    expect(makeSymbolResolver(load('timer', 'hrtimer_start'), 'mode')!(getter({ mode: 0n }))).toBeUndefined();
    expect(makeSymbolResolver(load('irq', 'softirq_raise'), 'vec')!(getter({ vec: 9n }))).toBe('RCU');
  });
});

describe('older and hand-made variants', () => {
  it('a 4.x kvm_exit with only exit_reason/guest_rip/isa/info1/info2', () => {
    const fmt = handmade('kvm_exit', `	field:unsigned int exit_reason;	offset:8;	size:4;	signed:0;
	field:unsigned long guest_rip;	offset:16;	size:8;	signed:0;
	field:u32 isa;	offset:24;	size:4;	signed:0;
	field:u64 info1;	offset:32;	size:8;	signed:0;
	field:u64 info2;	offset:40;	size:8;	signed:0;`,
    `"reason %s rip 0x%lx info %llx %llx", (REC->isa == 1) ? __print_symbolic(REC->exit_reason, { 0, "EXCEPTION_NMI" }, { 12, "HLT" }, { 30, "IO_INSTRUCTION" }) : __print_symbolic(REC->exit_reason, { 0x078, "hlt" }, { 0x07b, "io" }), REC->guest_rip, REC->info1, REC->info2`);
    const r = makeSymbolResolver(fmt, 'exit_reason')!;
    expect(r(getter({ isa: 1n, exit_reason: 12n }))).toBe('HLT');
    expect(r(getter({ isa: 1n, exit_reason: 0x8000000cn }))).toBeUndefined(); // no mask in this old format
    expect(r(getter({ isa: 2n, exit_reason: 0x7bn }))).toBe('io');
    expect(extractSymbolTables(fmt).map((t) => t.mask)).toEqual([undefined, undefined]);
  });

  it('an SVM-only table without a guard, and the _u64 spellings', () => {
    const fmt = handmade('kvm_exit', `	field:u64 exit_code;	offset:8;	size:8;	signed:0;
	field:u64 flags;	offset:16;	size:8;	signed:0;`,
    `"%s %s", __print_symbolic_u64(REC->exit_code, { 0x400, "npf" }, { 0xffffffffffffffffULL, "err" }, { -1, "dup" }), __print_flags_u64(REC->flags >> 4, ",", { 0x8000000000000000, "TOP" }, { 1, "ONE" })`);
    const ts = extractSymbolTables(fmt);
    expect(ts.map((t) => [t.kind, t.u64, t.guardText, t.shift])).toEqual([['symbolic', true, '', undefined], ['flags', true, '', 4n]]);
    const code = makeSymbolResolver(fmt, 'exit_code')!;
    expect(code(getter({ exit_code: 0x400n }))).toBe('npf');
    expect(code(getter({ exit_code: 0xffffffffffffffffn }))).toBe('err'); // first entry wins over { -1, "dup" }
    const flags = makeSymbolResolver(fmt, 'flags')!;
    expect(flags(getter({ flags: 0x10n }))).toBe('ONE');
    expect(flags(getter({ flags: 0x8000000000000030n }))).toBe('ONE,0x800000000000002'); // >> 4 moves the top bit
  });

  it('evaluates like libtraceevent: unsigned 64-bit, fields zero-extended, casts mask', () => {
    const fmt = load('kvm', 'kvm_userspace_exit');
    const env = { value: (n: string) => ({ errno: -4n, reason: 5n } as Record<string, bigint>)[n], def: (n: string) => fmt.fields.find((f) => f.name === n) };
    const [fmtArg0, , count] = parsePrintFmt(fmt.printFmt).args;
    expect(fmtArg0.kind).toBe('ternary');
    if (fmtArg0.kind !== 'ternary') return;
    expect(evalNum(fmtArg0.cond, env)).toBe(0n); // REC->errno < 0 is an unsigned compare there
    expect(count).toBeUndefined();
    const e = parsePrintFmt('"%d", (u8)(REC->errno) + (int)-1 * 2').args[0];
    expect(evalNum(e, env)).toBe(0xfcn + 0x1fffffffen);
  });
});
