// Number→name tables of an event's print fmt (`__print_symbolic`, `__print_flags` and their `_u64`
// spellings), and the integer evaluator shared with evaluate.ts.
// Upstream: libtraceevent src/event-parse.c (process_fields/arg_eval/arg_num_eval give each table
// value as text, eval_flag turns it back into a number, eval_num_arg/eval_type evaluate the
// expressions); kernel include/trace/stages/stage7_class_define.h; trace-formats.md §4.5–4.6.
//
// Integer semantics of eval_num_arg: every value is an unsigned 64-bit number, fields are read
// zero-extended from `size:` bytes (no sign extension), all operators are unsigned (so `REC->errno < 0`
// is never true), casts to u8/u16/u32/char/short/int only mask the value.
//
// Table values: `foldConst` folds the entry expression with exact signed arithmetic (`0x040 + 13` →
// 77, `-1` → -1). The analysis API (SymbolTable.entries, makeSymbolResolver) stores each value modulo
// 2^width, width = bits of the field the table is keyed on (64 when unknown), so `{ -1,
// "invalid_guest_state" }` on the 4-byte kvm_exit.exit_reason matches 0xffffffff. libtraceevent does
// NOT match it (eval_flag gives -1 for any negative result and compares with the zero-extended field),
// nor does the kernel (unsigned long -1 vs a u32); the renderer in evaluate.ts uses `libteValue` to
// print exactly what libtraceevent prints (`0xffffffff`).

import type { EventFormat, FieldDef } from './format-parser.js';
import { exprToString, parsePrintFmt, type BinaryOp, type Expr } from './print-fmt.js';

export type FieldValue = bigint | string | Uint8Array;

export interface NumEnv {
  value(name: string): FieldValue | undefined;
  def?(name: string): FieldDef | undefined;
  longSize?: number;
  bigEndian?: boolean;
}

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & M64;

/** C binary operators on exact integers (division by zero → undefined). */
const BIN: Record<BinaryOp, (l: bigint, r: bigint) => bigint | undefined> = {
  '+': (l, r) => l + r, '-': (l, r) => l - r, '*': (l, r) => l * r, '/': (l, r) => (r ? l / r : undefined),
  '%': (l, r) => (r ? l % r : undefined), '<<': (l, r) => l << r, '>>': (l, r) => l >> r, '&': (l, r) => l & r,
  '|': (l, r) => l | r, '^': (l, r) => l ^ r, '&&': (l, r) => BigInt(!!l && !!r), '||': (l, r) => BigInt(!!l || !!r),
  '==': (l, r) => BigInt(l === r), '!=': (l, r) => BigInt(l !== r), '<': (l, r) => BigInt(l < r),
  '<=': (l, r) => BigInt(l <= r), '>': (l, r) => BigInt(l > r), '>=': (l, r) => BigInt(l >= r),
};

/** Names libtraceevent's eval_flag knows when the kernel left an enum name in a table. */
export const KNOWN_NAMES: Record<string, bigint> = {
  HI_SOFTIRQ: 0n, TIMER_SOFTIRQ: 1n, NET_TX_SOFTIRQ: 2n, NET_RX_SOFTIRQ: 3n, BLOCK_SOFTIRQ: 4n,
  IRQ_POLL_SOFTIRQ: 5n, TASKLET_SOFTIRQ: 6n, SCHED_SOFTIRQ: 7n, HRTIMER_SOFTIRQ: 8n, RCU_SOFTIRQ: 9n,
  HRTIMER_NORESTART: 0n, HRTIMER_RESTART: 1n,
};

/** Reads element `i` of an array value (little endian unless env.bigEndian). */
export function readElem(bytes: Uint8Array, i: number, size: number, bigEndian = false): bigint {
  let v = 0n;
  for (let k = 0; k < size; k++) {
    const b = bytes[i * size + (bigEndian ? k : size - 1 - k)];
    if (b === undefined) return 0n;
    v = (v << 8n) | BigInt(b);
  }
  return v;
}

/** eval_type_str: what a cast does to a value. */
export function applyCast(v: bigint, type: string): bigint {
  const t = type.replace(/\b(const|volatile)\b/g, '').trim().replace(/\s+/g, ' ');
  if (t.endsWith('*') || t.startsWith('struct')) return v;
  const m = /^(?:(unsigned|signed) )?(u8|s8|u16|s16|u32|s32|char|short|int)$/.exec(t);
  if (!m) return v;
  const bits = /8|char/.test(m[2]) ? 8 : /16|short/.test(m[2]) ? 16 : 32;
  return BigInt.asUintN(bits, v);
}

/** eval_num_arg: unsigned 64-bit value of an expression for one record. */
export function evalNum(e: Expr, env: NumEnv): bigint {
  switch (e.kind) {
    case 'num': return u64(e.value);
    case 'ident': return KNOWN_NAMES[e.name] ?? 0n;
    case 'field': {
      const v = env.value(e.name);
      if (typeof v !== 'bigint') return 0n;
      const size = env.def?.(e.name)?.size ?? 8;
      return BigInt.asUintN(Math.min(size || 8, 8) * 8, v);
    }
    case 'cast': return applyCast(evalNum(e.arg, env), e.type);
    case 'unary': {
      const a = evalNum(e.arg, env);
      return e.op === '-' ? u64(-a) : e.op === '~' ? u64(~a) : e.op === '!' ? BigInt(a === 0n) : a;
    }
    case 'ternary': return evalNum(evalNum(e.cond, env) ? e.then : e.else, env);
    case 'binary': {
      const l = evalNum(e.left, env), r = evalNum(e.right, env);
      if ((e.op === '<<' || e.op === '>>') && r >= 64n) return 0n;
      return u64(BIN[e.op](l, r) ?? 0n);
    }
    case 'sizeof': {
      if (e.arg?.kind === 'field') return BigInt(env.def?.(e.arg.name)?.size ?? 0);
      const t = e.type ?? '';
      return /\*|^(unsigned )?long$/.test(t) ? BigInt(env.longSize ?? 8) : /long long|64/.test(t) ? 8n : /short|16/.test(t) ? 2n : /char|8/.test(t) ? 1n : 4n;
    }
    case 'index': {
      const target = e.target.kind === 'cast' ? e.target.arg : e.target;
      const name = target.kind === 'field' ? target.name : target.kind === 'call' && target.args[0]?.kind === 'ident' ? target.args[0].name : undefined;
      const bytes = name === undefined ? undefined : env.value(name);
      if (!(bytes instanceof Uint8Array)) return 0n;
      const size = env.def?.(name!)?.elemSize || env.longSize || 8;
      const v = readElem(bytes, Number(evalNum(e.index, env)), size, env.bigEndian);
      return e.target.kind === 'cast' ? applyCast(v, e.target.type) : v;
    }
    case 'call': {
      const a = e.args[0];
      if (/^__get_(rel_)?dynamic_array_len$/.test(e.name) && a?.kind === 'ident') {
        const v = env.value(a.name);
        return BigInt(v instanceof Uint8Array ? v.length : typeof v === 'string' ? v.length + 1 : 0);
      }
      if (e.name === '__print_ns_to_secs' && a) return evalNum(a, env) / 1000000000n;
      if (e.name === '__print_ns_without_secs' && a) return evalNum(a, env) % 1000000000n;
      const irq = { __event_in_hardirq: 0x8n, __event_in_softirq: 0x10n, __event_in_irq: 0x18n }[e.name];
      if (irq !== undefined) return evalNum({ kind: 'field', name: 'common_flags' }, env) & irq;
      return 0n;
    }
    default: return 0n; // strings, tables, lists: libtraceevent yields 0 as a number
  }
}

/** Exact signed constant folding of a table value; undefined if it refers to fields or unknown names. */
export function foldConst(e: Expr): bigint | undefined {
  switch (e.kind) {
    case 'num': return e.value;
    case 'ident': return KNOWN_NAMES[e.name];
    case 'cast': { const v = foldConst(e.arg); return v === undefined ? v : applyCast(v, e.type); }
    case 'unary': {
      const v = foldConst(e.arg);
      if (v === undefined) return v;
      return e.op === '-' ? -v : e.op === '~' ? ~v : e.op === '!' ? BigInt(v === 0n) : v;
    }
    case 'binary': {
      const l = foldConst(e.left), r = foldConst(e.right);
      if (l === undefined || r === undefined || ((e.op === '<<' || e.op === '>>') && (r < 0n || r >= 64n))) return undefined;
      return BIN[e.op](l, r);
    }
    default: return undefined;
  }
}

/** The 64-bit pattern libtraceevent compares with (arg_eval text → eval_flag). */
export function libteValue(e: Expr): bigint {
  if (e.kind === 'num') return u64(e.value);
  if (e.kind === 'cast') return libteValue(e.arg);
  const v = foldConst(e);
  if (e.kind === 'ident') return v ?? M64;
  return v === undefined || v < 0n ? M64 : u64(v);
}

export interface Guard { cond: Expr; expect: boolean }

export interface SymbolTable {
  /** Field named by the `REC->field` inside the table's first argument ('' if none). */
  field: string;
  kind: 'symbolic' | 'flags';
  /** Value (modulo 2^width) → name; the first entry wins for duplicate values, as in libtraceevent. */
  entries: Map<bigint, string>;
  /** Entries in text order (values modulo 2^width), for walking flags. */
  ordered: { value: bigint; name: string }[];
  /** The first argument, e.g. `REC->exit_reason & 0xffff`, and its C text. */
  valueExpr: Expr;
  valueText: string;
  /** Constant AND-mask / right shift applied to the field, when the argument has that shape. */
  mask?: bigint;
  shift?: bigint;
  /** Bits of the keyed field (64 when unknown). */
  width: number;
  /** `__print_flags` delimiter ('' for symbolic tables). */
  delim: string;
  /** Ternary conditions that select this table: all must evaluate to `expect`. */
  guards: Guard[];
  guardText: string;
  /** Index of the print fmt argument holding the table. */
  argIndex: number;
  u64: boolean;
  /** Names whose value is an enum identifier the kernel did not rewrite (TRACE_DEFINE_ENUM missing): left out of `entries`. */
  unresolved: string[];
}

function firstField(e: Expr): string {
  if (e.kind === 'field') return e.name;
  const kids: Expr[] = e.kind === 'binary' ? [e.left, e.right] : e.kind === 'unary' || e.kind === 'cast' ? [e.arg] : e.kind === 'ternary' ? [e.cond, e.then, e.else] : e.kind === 'call' ? e.args : [];
  for (const k of kids) { const f = firstField(k); if (f) return f; }
  return '';
}

function shapeOf(e: Expr): { mask?: bigint; shift?: bigint } {
  if (e.kind === 'cast') return shapeOf(e.arg);
  if (e.kind !== 'binary') return {};
  const c = foldConst(e.right);
  if (c === undefined) return {};
  if (e.op === '&') return { ...shapeOf(e.left), mask: u64(c) };
  if (e.op === '>>') return { ...shapeOf(e.left), shift: c };
  return {};
}

/** Every table of the event's print fmt, in argument order. */
export function extractSymbolTables(fmt: EventFormat): SymbolTable[] {
  if (!fmt.printFmt) return [];
  let parsed: ReturnType<typeof parsePrintFmt>;
  try {
    parsed = parsePrintFmt(fmt.printFmt);
  } catch {
    return []; // a print fmt that does not parse (damaged format text) has no tables: values stay numbers
  }
  const out: SymbolTable[] = [];
  const walk = (e: Expr, guards: Guard[], argIndex: number, depth: number): void => {
    if (depth > 512) return;
    if (e.kind === 'symbolic' || e.kind === 'flags') {
      const field = firstField(e.value);
      const def = fmt.fields.find((f) => f.name === field);
      const width = def && !def.isArray && def.size > 0 && def.size <= 8 ? def.size * 8 : 64;
      const folded = e.entries.map((en) => ({ v: foldConst(en.value), name: en.name }));
      const ordered = folded.filter((en) => en.v !== undefined).map((en) => ({ value: BigInt.asUintN(width, en.v!), name: en.name }));
      const entries = new Map<bigint, string>();
      for (const en of ordered) if (!entries.has(en.value)) entries.set(en.value, en.name);
      out.push({
        field, kind: e.kind, entries, ordered, valueExpr: e.value, valueText: exprToString(e.value), ...shapeOf(e.value), width,
        delim: e.kind === 'flags' ? e.delim : '', guards, argIndex, u64: e.u64, unresolved: folded.filter((en) => en.v === undefined).map((en) => en.name),
        guardText: guards.map((g) => (g.expect ? '' : '!') + exprToString(g.cond)).join(' && '),
      });
      return;
    }
    if (e.kind === 'ternary') {
      walk(e.cond, guards, argIndex, depth + 1);
      walk(e.then, [...guards, { cond: e.cond, expect: true }], argIndex, depth + 1);
      walk(e.else, [...guards, { cond: e.cond, expect: false }], argIndex, depth + 1);
      return;
    }
    const kids: Expr[] = e.kind === 'binary' ? [e.left, e.right] : e.kind === 'unary' || e.kind === 'cast' ? [e.arg] : e.kind === 'call' ? e.args : e.kind === 'list' ? e.items : [];
    for (const k of kids) walk(k, guards, argIndex, depth + 1);
  };
  parsed.args.forEach((a, i) => walk(a, [], i, 0));
  return out;
}

/** Name(s) of a value in a table: symbolic → entry or undefined; flags → names joined by the delimiter, leftover bits as 0x.. */
export function lookupTable(t: SymbolTable, raw: bigint): string | undefined {
  const v = BigInt.asUintN(t.width, raw);
  if (t.kind === 'symbolic') return t.entries.get(v);
  if (v === 0n) return t.entries.get(0n);
  let rest = v;
  const names: string[] = [];
  for (const en of t.ordered) if (en.value !== 0n && (rest & en.value) === en.value) { names.push(en.name); rest &= ~en.value; }
  if (rest) names.push(`0x${rest.toString(16)}`);
  return names.join(t.delim);
}

/**
 * Resolver for one field: picks the first table on `field` whose guards hold (symbolic tables before
 * flags tables), applies the table's own expression (mask/shift) and returns the name; undefined when
 * no table applies or a symbolic value is unknown.
 */
export function makeSymbolResolver(fmt: EventFormat, field: string): ((get: (name: string) => bigint) => string | undefined) | undefined {
  const tables = extractSymbolTables(fmt).filter((t) => t.field === field);
  if (!tables.length) return undefined;
  tables.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'symbolic' ? -1 : 1));
  const defs = new Map(fmt.fields.map((f) => [f.name, f]));
  return (get) => {
    const env: NumEnv = { value: (n) => (defs.has(n) ? get(n) : undefined), def: (n) => defs.get(n) };
    for (const t of tables) {
      if (t.guards.every((g) => (evalNum(g.cond, env) !== 0n) === g.expect)) return lookupTable(t, evalNum(t.valueExpr, env));
    }
    return undefined;
  };
}
