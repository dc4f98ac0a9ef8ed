// Renders a parsed print fmt for one record the way libtraceevent does (what `trace-cmd report -N`
// and perf print for events without a plugin).
// Upstream: libtraceevent src/event-parse.c: parse_args/parse_arg_format/parse_arg_string (split of
// the format), print_arg_number (value cast to char/short/int/long by the h/l count, then C printf),
// print_str_arg (%s: fields, __print_symbolic, __print_flags, __print_hex, __print_array, __get_str,
// bitmasks, `?:`), print_arg_pointer/print_function (%p, %ps/%pS via kallsyms), print_bitmask_to_seq,
// print_cpumask_to_seq. Integer evaluation is evalNum in symbol-tables.ts.
//
// Not reproduced: %pI4/%pI6/%pU/%pIS (printed like %p), bprint events, plugins, and libtraceevent's
// expression-tree quirks: its process_op rotates a parenthesised lower-priority right operand
// (`REC->flags & (A | B)` becomes `(REC->flags & A) | B`, so trace-cmd prints timer_start flags=D|P|I
// where the kernel prints flags=) and associates equal priorities to the right; we evaluate C.

import type { EventFormat, FieldDef } from './format-parser.js';
import type { Expr, ParsedPrintFmt, TableEntry } from './print-fmt.js';
import { evalNum, libteValue, readElem, type FieldValue, type NumEnv } from './symbol-tables.js';

export interface RenderContext extends NumEnv {
  /** Symbol for a kernel address, for %ps/%pS. */
  kallsyms?: (addr: bigint) => { name: string; offset: bigint } | undefined;
  /** trace_printk format string stored at an address (a `const char *` field printed with %s). */
  printk?: (addr: bigint) => string | undefined;
}

/** A context over one record's decoded field values (by name) and the event's field layouts. */
export function makeRenderContext(fmt: EventFormat, values: ReadonlyMap<string, FieldValue> | Record<string, FieldValue>, extra: Partial<RenderContext> = {}): RenderContext {
  const defs = new Map(fmt.fields.map((f) => [f.name, f]));
  const get = values instanceof Map ? (n: string) => values.get(n) : (n: string) => (values as Record<string, FieldValue>)[n];
  return { value: get, def: (n) => defs.get(n), longSize: 8, ...extra };
}

type Segment =
  | { type: 'text'; text: string }
  | { type: 'num' | 'ptr' | 'str'; spec: string; ls: number; arg?: Expr; lenArg?: Expr };

const segCache = new WeakMap<ParsedPrintFmt, Segment[]>();

/** parse_args: the format split into literal text and conversions bound to their arguments. */
export function splitFormat(parsed: ParsedPrintFmt): Segment[] {
  const hit = segCache.get(parsed);
  if (hit) return hit;
  const f = parsed.format;
  const out: Segment[] = [];
  let ai = 0;
  let text = '';
  for (let i = 0; i < f.length; ) {
    if (f[i] !== '%') { text += f[i++]; continue; }
    if (f[i + 1] === '%') { text += '%'; i += 2; continue; }
    if (text) out.push({ type: 'text', text }), (text = '');
    let j = i + 1;
    let ls = 0;
    let lenArg: Expr | undefined;
    for (; j < f.length; j++) {
      const c = f[j];
      if (c === 'h') ls--;
      else if (c === 'l') ls++;
      else if (c === 'L') ls = 2;
      else if (c === 'z' || c === 'Z') ls = 1;
      else if (c === '*') lenArg = parsed.args[ai++];
      else if (!/[#.0-9+-]/.test(c)) break;
    }
    const c = f[j] ?? '';
    if (c === 'p') {
      const ext = /^([FSfs]|[Mm][RF]?|h[CDN]?)/.exec(f.slice(j + 1))?.[0] ?? '';
      j += ext.length;
      out.push({ type: 'ptr', spec: f.slice(i, j + 1), ls, arg: parsed.args[ai++], lenArg });
    } else if ('cduixXo'.includes(c) && c) out.push({ type: 'num', spec: f.slice(i, j + 1), ls, arg: parsed.args[ai++], lenArg });
    else if (c === 's') out.push({ type: 'str', spec: f.slice(i, j + 1), ls, arg: parsed.args[ai++], lenArg });
    else out.push({ type: 'text', text: `>${c}<` });
    i = j + 1;
  }
  if (text) out.push({ type: 'text', text });
  segCache.set(parsed, out);
  return out;
}

const SPEC = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?[hlLzZqjt]*([a-zA-Z])/;

/** C printf of one integer or string conversion (the subset the kernel formats use). */
export function cFormat(spec: string, v: bigint | string, star?: number): string {
  const m = SPEC.exec(spec);
  if (!m) return String(v);
  const flags = m[1];
  let width = m[2] === '*' ? (star ?? 0) : Number(m[2] ?? 0);
  let left = flags.includes('-');
  if (width < 0) { left = true; width = -width; }
  const prec = m[3] === undefined ? undefined : m[3] === '*' ? star ?? 0 : Number(m[3] || 0);
  const conv = m[4];
  let body: string;
  let sign = '';
  let prefix = '';
  if (typeof v === 'string') body = conv === 's' && prec !== undefined ? v.slice(0, prec) : v;
  else if (conv === 'c') body = v ? String.fromCharCode(Number(v & 0xffn)) : '';
  else {
    const neg = v < 0n;
    const abs = neg ? -v : v;
    body = conv === 'x' ? abs.toString(16) : conv === 'X' ? abs.toString(16).toUpperCase() : conv === 'o' ? abs.toString(8) : abs.toString();
    if (prec !== undefined) body = prec === 0 && abs === 0n ? '' : body.padStart(prec, '0');
    sign = neg ? '-' : /[di]/.test(conv) ? (flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') : '';
    if (flags.includes('#') && abs !== 0n) prefix = conv === 'x' ? '0x' : conv === 'X' ? '0X' : conv === 'o' && !body.startsWith('0') ? '0' : '';
    if (flags.includes('0') && !left && prec === undefined) body = body.padStart(width - sign.length - prefix.length, '0');
  }
  const s = sign + prefix + body;
  return left ? s.padEnd(width) : s.padStart(width);
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const latin1 = (b: Uint8Array): string => { let s = ''; for (const x of b) { if (!x) break; s += String.fromCharCode(x); } return s; };

function toBytes(v: FieldValue | undefined, size: number): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return Uint8Array.from(v, (ch) => ch.charCodeAt(0) & 0xff);
  const out = new Uint8Array(size);
  for (let i = 0; i < size && v !== undefined; i++) out[i] = Number((BigInt.asUintN(64, v) >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Bytes behind `REC->f`, `__get_dynamic_array(f)` or a cast of them. */
function bytesOf(e: Expr | undefined, ctx: RenderContext): Uint8Array {
  if (!e) return new Uint8Array(0);
  if (e.kind === 'cast') return bytesOf(e.arg, ctx);
  const name = e.kind === 'field' || e.kind === 'ident' ? e.name : e.kind === 'call' && e.args[0]?.kind === 'ident' ? e.args[0].name : undefined;
  return name === undefined ? new Uint8Array(0) : toBytes(ctx.value(name), ctx.def?.(name)?.size ?? 8);
}

function bitmaskText(b: Uint8Array, bigEndian = false): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    if (i && i % 4 === 0) s = ',' + s;
    s = b[bigEndian ? b.length - 1 - i : i].toString(16).padStart(2, '0') + s;
  }
  return s;
}

function cpulistText(b: Uint8Array, bigEndian = false): string {
  const parts: string[] = [];
  const bit = (n: number): boolean => ((b[bigEndian ? b.length - 1 - (n >> 3) : n >> 3] >> (n & 7)) & 1) === 1;
  for (let n = 0; n < b.length * 8; n++) {
    if (!bit(n)) continue;
    let end = n;
    while (end + 1 < b.length * 8 && bit(end + 1)) end++;
    parts.push(end > n ? `${n}-${end}` : `${n}`);
    n = end;
  }
  return parts.join(',');
}

const tableCache = new WeakMap<TableEntry[], bigint[]>();
function tableValues(entries: TableEntry[]): bigint[] {
  let v = tableCache.get(entries);
  if (!v) tableCache.set(entries, (v = entries.map((en) => libteValue(en.value))));
  return v;
}

/** print_str_arg: the text of one %s argument; `fmt` applies the conversion to each printed name. */
export function evalStr(e: Expr, ctx: RenderContext, fmt: (s: string) => string = (s) => s): string {
  switch (e.kind) {
    case 'str': return fmt(e.value);
    case 'num': return fmt(e.text);
    case 'ident': return fmt(e.name);
    case 'ternary': return evalStr(evalNum(e.cond, ctx) ? e.then : e.else, ctx, fmt);
    case 'field': {
      const def: FieldDef | undefined = ctx.def?.(e.name);
      const v = ctx.value(e.name);
      if (def && !def.isArray && def.size === (ctx.longSize ?? 8)) {
        const addr = BigInt.asUintN(def.size * 8, typeof v === 'bigint' ? v : 0n);
        return ctx.printk?.(addr) ?? addr.toString(16);
      }
      return fmt(typeof v === 'string' ? v.split('\0')[0] : latin1(toBytes(v, def?.size ?? 8)));
    }
    case 'symbolic': {
      const val = evalNum(e.value, ctx);
      const i = tableValues(e.entries).indexOf(val);
      return i >= 0 ? fmt(e.entries[i].name) : hex(val);
    }
    case 'flags': {
      let val = evalNum(e.value, ctx);
      const vals = tableValues(e.entries);
      let s = '';
      let printed = false;
      for (let i = 0; i < vals.length; i++) {
        const fv = vals[i];
        if (val === 0n && fv >= 1n << 63n) { s += fmt(e.entries[i].name); break; }
        if (fv > 0n && fv < 1n << 63n && (val & fv) === fv) {
          if (printed && e.delim) s += e.delim;
          s += fmt(e.entries[i].name);
          printed = true;
          val &= ~fv;
        }
      }
      if (val) s += (printed && e.delim ? e.delim : '') + hex(val);
      return s;
    }
    case 'call': return callStr(e.name, e.args, ctx, fmt);
    default: return ''; // casts and operators print nothing as strings in libtraceevent
  }
}

function callStr(name: string, args: Expr[], ctx: RenderContext, fmt: (s: string) => string): string {
  const a = args[0];
  switch (name) {
    case '__get_str': case '__get_rel_str': {
      const v = a?.kind === 'ident' ? ctx.value(a.name) : undefined;
      return fmt(typeof v === 'string' ? v.split('\0')[0] : v instanceof Uint8Array ? latin1(v) : '');
    }
    case '__print_hex': case '__print_hex_str': {
      const b = bytesOf(a, ctx).subarray(0, Number(evalNum(args[1] ?? { kind: 'num', value: 0n, text: '0' }, ctx)));
      return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(name === '__print_hex' ? ' ' : '');
    }
    case '__print_array': {
      const b = bytesOf(a, ctx);
      const count = args[1] ? Number(evalNum(args[1], ctx)) : 0;
      const el = args[2] ? Number(evalNum(args[2], ctx)) : 1;
      if (![1, 2, 4, 8].includes(el)) return '{}';
      const items: string[] = [];
      for (let i = 0; i < count && (i + 1) * el <= b.length; i++) items.push(hex(readElem(b, i, el, ctx.bigEndian)));
      return `{${items.join(',')}}`;
    }
    case '__get_bitmask': case '__get_rel_bitmask': return fmt(bitmaskText(bytesOf(a, ctx), ctx.bigEndian));
    case '__get_cpumask': case '__get_rel_cpumask': return fmt(cpulistText(bytesOf(a, ctx), ctx.bigEndian));
    default: return '';
  }
}

function pointerText(seg: Exclude<Segment, { type: 'text' }>, ctx: RenderContext, plen: number): string {
  const ext = seg.spec.slice(seg.spec.indexOf('p') + 1);
  const arg = seg.arg!;
  if (/^[FSfs]/.test(ext)) {
    const val = evalNum(arg, ctx);
    const sym = ctx.kallsyms?.(val);
    if (!sym) return hex(val);
    return sym.name + (/^[FS]/.test(ext) ? `+${hex(sym.offset)}` : '');
  }
  if (/^[Mm]/.test(ext)) {
    const b = bytesOf(arg, ctx);
    if (b.length < 6) return 'INVALIDMAC';
    return Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(ext[0] === 'M' ? ':' : '');
  }
  if (ext[0] === 'h') {
    const b = bytesOf(arg, ctx).subarray(0, Math.max(0, plen));
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join({ C: ':', D: '-', N: '' }[ext[1] ?? ''] ?? ' ');
  }
  const val = evalNum(arg, ctx);
  return val ? hex(val) : '(nil)';
}

const LS_BITS: Record<number, number> = { [-2]: 8, [-1]: 16, 0: 32, 1: 64, 2: 64 };

/** The text libtraceevent prints for one record of an event with this print fmt. */
export function renderPrintFmt(parsed: ParsedPrintFmt, ctx: RenderContext): string {
  let out = '';
  for (const seg of splitFormat(parsed)) {
    if (seg.type === 'text') { out += seg.text; continue; }
    if (!seg.arg) continue;
    const star = seg.lenArg ? Number(BigInt.asIntN(32, evalNum(seg.lenArg, ctx))) : undefined;
    if (seg.type === 'ptr') out += pointerText(seg, ctx, star ?? 1);
    else if (seg.type === 'str') out += evalStr(seg.arg, ctx, (s) => cFormat(seg.spec, s, star));
    else {
      const bits = LS_BITS[seg.ls] ?? 64;
      const raw = evalNum(seg.arg, ctx);
      const conv = seg.spec[seg.spec.length - 1];
      out += cFormat(seg.spec, /[di]/.test(conv) ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw), star);
    }
  }
  return out;
}
