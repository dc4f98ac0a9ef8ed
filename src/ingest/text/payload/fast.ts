// The fast path of payload decoding: a compiled (format, form) matcher that walks the line string
// by hand (no RegExp exec, no capture substrings, no BigInt for values below 2^53) and leaves the
// field values in module-level scratch arrays, from which `encodeFast` writes the event's raw
// payload bytes directly. It is built next to the RegExp matchers (fmt-matcher.ts, raw-matcher.ts)
// from the same pieces and must give exactly their answer, so it only takes on what it can decide:
//
//   MATCH    the RegExp would match too, with the same field values;
//   FAIL     the RegExp would not match (the caller moves on to the next layout / form);
//   UNKNOWN  not decided here: the caller runs the RegExp path for this (format, form).
//
// Tokens are matched in order, each taking its highest-priority option (what the RegExp's
// backtracking tries first). Lazy strings try every occurrence of the literal after them, in order,
// which is the RegExp's own order. A token whose other options could matter (`opaque` pieces run by
// a sticky RegExp: symbolic/flags tables, ternaries, %c, widths) turns a later failure into
// UNKNOWN, so a MATCH is always the RegExp's first match. Plans are refused at build time (null)
// where a greedy token could give back characters that the next token needs.
import type { EventFormat, FieldDef } from '../../tracedat/format-parser.js';
import type { Expr } from '../../tracedat/print-fmt.js';
import { symbolName, type MatchState } from './invert.js';
import { activeTextSymbols } from './text-symbols.js';

export type AnyBinder = (m: RegExpExecArray, st: MatchState) => void;

export const T_LIT = 0;
/** Lazy string `[\s\S]*?`, followed by an exact literal or the end. */
export const T_STR = 1;
/** A number: ` *` [sign] [0x] digits ` *`. */
export const T_NUM = 2;
/** `0x<hex>` or `(nil)`. */
export const T_PTR = 3;
/** `%ps`: lazy `\S+?`, bound only when it is `0x<hex>`. */
export const T_SYM = 4;
/** raw `name= ?value`: decimal, 0x-hex, bare hex or (nil). */
export const T_RAWNUM = 5;
/** Anything else: a sticky RegExp of the piece(s) and their binders (values as bigint/string). */
export const T_OPAQUE = 6;

export const MATCH = 1;
export const FAIL = 0;
export const UNKNOWN = 2;

export class Tok {
  constructor(
    readonly k: number,
    readonly text = '',
    readonly optLead = false,
    readonly optTrail = false,
    readonly slot = -1,
    readonly radix = 10,
    /** `-` allowed as the sign (%d %i; raw decimals). */
    readonly minus = false,
    /** A one-character sign `[-+ ]` / `[+ ]` may precede the digits. */
    readonly sign = false,
    /** %#x: optional 0x. */
    readonly x0 = false,
    readonly padL = false,
    readonly padR = false,
    readonly bareHex = false,
    readonly re: RegExp | null = null,
    readonly binders: AnyBinder[] = [],
    /** T_RAWNUM: a symbol (%ps consumer) may stand for the value. */
    readonly sym = false,
  ) {}
}

export const lit = (text: string, optLead = false, optTrail = false): Tok => new Tok(T_LIT, text, optLead, optTrail);

export interface FastPlan {
  toks: Tok[];
  /** Slots whose value comes from the opaque binders (MatchState.vals). */
  fromState: boolean[];
  hasOpaque: boolean;
  needAsserts: boolean;
}

// ---- scratch values of the last MATCH (one line at a time)

/** 0 default (0 / ''), 1 number (exact double), 2 u64 as lo/hi u32 halves, 3 string span, 4 bigint. */
export let vKind = new Int8Array(64);
export let vNum = new Float64Array(64);
export let vHi = new Float64Array(64);
export let vA = new Int32Array(64);
export let vB = new Int32Array(64);
export const vBig: bigint[] = [];
let opaqueM: Array<RegExpExecArray | null> = [];

function ensureSlots(n: number): void {
  if (n <= vKind.length) return;
  const m = Math.max(n, vKind.length * 2);
  vKind = new Int8Array(m);
  vNum = new Float64Array(m);
  vHi = new Float64Array(m);
  vA = new Int32Array(m);
  vB = new Int32Array(m);
}

const isWs = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const hexVal = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/** Parses hex digits [a, e) of s into the slot (exact: double, lo/hi halves or bigint). */
function setHex(slot: number, s: string, a: number, e: number): void {
  while (a < e - 1 && s.charCodeAt(a) === 48) a++;
  const n = e - a;
  if (n <= 13) {
    let v = 0;
    for (let i = a; i < e; i++) v = v * 16 + hexVal(s.charCodeAt(i));
    vKind[slot] = 1;
    vNum[slot] = v;
  } else if (n <= 16) {
    let hi = 0;
    let lo = 0;
    for (let i = a; i < e - 8; i++) hi = hi * 16 + hexVal(s.charCodeAt(i));
    for (let i = e - 8; i < e; i++) lo = lo * 16 + hexVal(s.charCodeAt(i));
    vKind[slot] = 2;
    vNum[slot] = lo;
    vHi[slot] = hi;
  } else {
    vKind[slot] = 4;
    vBig[slot] = BigInt('0x' + s.slice(a, e));
  }
}

/** Decimal digits [a, e) of s, negated when `neg`. */
function setDec(slot: number, s: string, a: number, e: number, neg: boolean): void {
  while (a < e - 1 && s.charCodeAt(a) === 48) a++;
  if (e - a <= 15) {
    let v = 0;
    for (let i = a; i < e; i++) v = v * 10 + (s.charCodeAt(i) - 48);
    vKind[slot] = 1;
    vNum[slot] = neg ? -v : v;
  } else {
    const b = BigInt(s.slice(a, e));
    vKind[slot] = 4;
    vBig[slot] = neg ? -b : b;
  }
}

const isSymStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 36;
const isSymChar = (c: number): boolean => isSymStart(c) || (c >= 48 && c <= 57);

/** `[A-Za-z_.$][\w.$]*(?:[+/]0x[0-9a-fA-F]+)*` over exactly [a, e). */
function isSymbol(s: string, a: number, e: number): boolean {
  if (!isSymStart(s.charCodeAt(a))) return false;
  let p = a + 1;
  while (p < e && isSymChar(s.charCodeAt(p))) p++;
  while (p < e) {
    const c = s.charCodeAt(p);
    if ((c !== 43 && c !== 47) || p + 3 > e || s.charCodeAt(p + 1) !== 48 || s.charCodeAt(p + 2) !== 120) return false;
    p += 3;
    const h = p;
    while (p < e && hexVal(s.charCodeAt(p)) >= 0) p++;
    if (p === h) return false;
  }
  return true;
}

/** A symbol printed by name: its synthetic address while a text source reads (text-symbols.ts). */
function setSymbol(slot: number, s: string, a: number, e: number): void {
  if (slot < 0 || !activeTextSymbols) return;
  vKind[slot] = 1;
  vNum[slot] = activeTextSymbols.addrOf(symbolName(s.slice(a, e)));
}

/** `\s*$` from pos. */
function atEnd(s: string, pos: number, b: number): number {
  for (; pos < b; pos++) {
    const c = s.charCodeAt(pos);
    if (isWs(c)) continue;
    return c >= 128 ? UNKNOWN : FAIL;
  }
  return MATCH;
}

function run(toks: Tok[], i: number, s: string, pos: number, b: number): number {
  const n = toks.length;
  for (; i < n; i++) {
    const t = toks[i];
    switch (t.k) {
      case T_LIT: {
        if (t.optLead) while (pos < b && s.charCodeAt(pos) === 32) pos++;
        const L = t.text.length;
        if (pos + L > b || !s.startsWith(t.text, pos)) return FAIL;
        pos += L;
        if (t.optTrail) while (pos < b && s.charCodeAt(pos) === 32) pos++;
        break;
      }
      case T_NUM: {
        if (t.padL) while (pos < b && s.charCodeAt(pos) === 32) pos++;
        let neg = false;
        if (t.sign && pos < b) {
          const c = s.charCodeAt(pos);
          if (c === 43 || c === 32) pos++;
          else if (c === 45 && t.minus) {
            neg = true;
            pos++;
          }
        }
        if (t.radix === 16) {
          if (t.x0 && pos + 1 < b && s.charCodeAt(pos) === 48 && (s.charCodeAt(pos + 1) | 32) === 120 && pos + 2 < b && hexVal(s.charCodeAt(pos + 2)) >= 0) pos += 2;
          const a = pos;
          while (pos < b && hexVal(s.charCodeAt(pos)) >= 0) pos++;
          if (pos === a) return FAIL;
          if (t.slot >= 0) setHex(t.slot, s, a, pos);
        } else {
          const a = pos;
          while (pos < b) {
            const c = s.charCodeAt(pos);
            if (c < 48 || c > 57) break;
            pos++;
          }
          if (pos === a) return FAIL;
          if (t.slot >= 0) setDec(t.slot, s, a, pos, neg);
        }
        if (t.padR) while (pos < b && s.charCodeAt(pos) === 32) pos++;
        break;
      }
      case T_PTR: {
        if (pos + 2 < b && s.charCodeAt(pos) === 48 && s.charCodeAt(pos + 1) === 120) {
          const a = pos + 2;
          pos = a;
          while (pos < b && hexVal(s.charCodeAt(pos)) >= 0) pos++;
          if (pos === a) return FAIL;
          if (t.slot >= 0) setHex(t.slot, s, a, pos);
        } else if (pos + 5 <= b && s.startsWith('(nil)', pos)) {
          pos += 5;
          if (t.slot >= 0) {
            vKind[t.slot] = 1;
            vNum[t.slot] = 0;
          }
        } else return FAIL;
        break;
      }
      case T_RAWNUM: {
        if (pos < b && s.charCodeAt(pos) === 32) pos++;
        const a = pos;
        let c = 0;
        while (pos < b && !isWs((c = s.charCodeAt(pos))) && c < 128) pos++;
        if (pos === a) return FAIL;
        // `sym (0x..)`: the RegExp's symbol alternative may take the address after a blank
        if (t.sym && s.startsWith(' (0x', pos)) return UNKNOWN;
        const c0 = s.charCodeAt(a);
        const len = pos - a;
        let allHex = true;
        let allDec = true;
        for (let k = a; k < pos; k++) {
          const d = s.charCodeAt(k);
          if (d < 48 || d > 57) {
            allDec = false;
            if (hexVal(d) < 0) allHex = false;
          }
        }
        const slot = t.slot;
        if (len > 2 && c0 === 48 && s.charCodeAt(a + 1) === 120) {
          // must be 0x<hex>
          for (let k = a + 2; k < pos; k++) if (hexVal(s.charCodeAt(k)) < 0) return FAIL;
          setHex(slot, s, a + 2, pos);
        } else if (allHex && (t.bareHex || !allDec)) setHex(slot, s, a, pos);
        else if (allDec) setDec(slot, s, a, pos, false);
        else if (c0 === 45 && len > 1) {
          for (let k = a + 1; k < pos; k++) {
            const d = s.charCodeAt(k);
            if (d < 48 || d > 57) return FAIL;
          }
          setDec(slot, s, a + 1, pos, true);
        } else if (len === 5 && s.startsWith('(nil)', a)) {
          vKind[slot] = 1;
          vNum[slot] = 0;
        } else if (!(t.sym && isSymbol(s, a, pos))) return FAIL;
        else setSymbol(slot, s, a, pos);
        break;
      }
      case T_STR: {
        if (i + 1 === n) {
          let e = b;
          while (e > pos && isWs(s.charCodeAt(e - 1))) e--;
          if (e > pos && s.charCodeAt(e - 1) >= 128) return UNKNOWN;
          if (t.slot >= 0) {
            vKind[t.slot] = 3;
            vA[t.slot] = pos;
            vB[t.slot] = e;
          }
          return MATCH;
        }
        const next = toks[i + 1].text;
        const L = next.length;
        let q = pos;
        for (;;) {
          const at = s.indexOf(next, q);
          if (at < 0 || at + L > b) return FAIL;
          if (t.slot >= 0) {
            vKind[t.slot] = 3;
            vA[t.slot] = pos;
            vB[t.slot] = at;
          }
          const r = run(toks, i + 1, s, at, b);
          if (r !== FAIL) return r;
          q = at + 1;
        }
      }
      case T_SYM: {
        // `\S+?` then an exact literal starting with a blank, or the end: the non-blank run.
        const a = pos;
        let c = 0;
        while (pos < b && !isWs((c = s.charCodeAt(pos)))) {
          if (c >= 128) return UNKNOWN;
          pos++;
        }
        if (pos === a) return FAIL;
        if (t.slot >= 0) {
          let hex = pos - a > 2 && s.charCodeAt(a) === 48 && s.charCodeAt(a + 1) === 120;
          for (let k = a + 2; hex && k < pos; k++) if (hexVal(s.charCodeAt(k)) < 0) hex = false;
          if (hex) setHex(t.slot, s, a + 2, pos);
          else setSymbol(t.slot, s, a, pos);
        }
        break;
      }
      default: {
        // T_OPAQUE
        const re = t.re!;
        re.lastIndex = pos;
        const m = re.exec(s);
        if (!m || re.lastIndex > b) return UNKNOWN;
        opaqueM[i] = m;
        const r = run(toks, i + 1, s, re.lastIndex, b);
        return r === MATCH ? MATCH : UNKNOWN;
      }
    }
  }
  return atEnd(s, pos, b);
}

/**
 * Matches the payload [a, b) of s. On MATCH the values are in the scratch arrays (and `st` holds
 * the opaque pieces' values when the plan has any).
 */
export function matchFast(plan: FastPlan, nslots: number, s: string, a: number, b: number, st: MatchState | null): number {
  const c = s.charCodeAt(a);
  if (isWs(c) || c >= 128) return UNKNOWN;
  ensureSlots(nslots);
  vKind.fill(0, 0, nslots);
  if (plan.hasOpaque && opaqueM.length < plan.toks.length) opaqueM = new Array(plan.toks.length).fill(null);
  const r = run(plan.toks, 0, s, a, b);
  if (r !== MATCH || !plan.hasOpaque) return r;
  const toks = plan.toks;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.k !== T_OPAQUE) continue;
    const m = opaqueM[i]!;
    for (const bd of t.binders) bd(m, st!);
  }
  for (let k = 0; k < nslots; k++) {
    if (!plan.fromState[k]) continue;
    const v = st!.vals[k];
    vKind[k] = 4;
    vBig[k] = typeof v === 'bigint' ? v : 0n;
  }
  return MATCH;
}

/** Every field name an expression mentions (REC->x and bare identifiers, which __get_str uses). */
export function namesIn(e: Expr | undefined, out: Set<string>): void {
  if (!e || typeof e !== 'object') return;
  switch (e.kind) {
    case 'field': case 'ident': out.add(e.name); return;
    case 'unary': case 'cast': namesIn(e.arg, out); return;
    case 'binary': namesIn(e.left, out); namesIn(e.right, out); return;
    case 'ternary': namesIn(e.cond, out); namesIn(e.then, out); namesIn(e.else, out); return;
    case 'sizeof': namesIn(e.arg, out); return;
    case 'index': namesIn(e.target, out); namesIn(e.index, out); return;
    case 'member': namesIn(e.target, out); return;
    case 'list': for (const x of e.items) namesIn(x, out); return;
    case 'symbolic': case 'flags': namesIn(e.value, out); for (const en of e.entries) namesIn(en.value, out); return;
    case 'call': for (const x of e.args) namesIn(x, out); return;
    default: return;
  }
}

const startsWithSpace = (t: Tok): boolean => t.k === T_LIT && !t.optLead && t.text.charCodeAt(0) === 32;

/** Checks the token sequence against the rules above; null when the fast path could disagree with the RegExp. */
export function finishPlan(toks: Tok[], fromState: boolean[], needAsserts: boolean): FastPlan | null {
  const out = toks.filter((t) => !(t.k === T_LIT && t.text === '' && !t.optLead && !t.optTrail));
  // Blank-only optional literals at the end are `\s*$` already.
  while (out.length > 0) {
    const t = out[out.length - 1];
    if (t.k === T_LIT && t.text === '') out.pop();
    else break;
  }
  for (let i = 0; i < out.length; i++) {
    const t = out[i];
    const next = i + 1 < out.length ? out[i + 1] : null;
    const prev = i > 0 ? out[i - 1] : null;
    if (t.k === T_LIT) {
      if (t.text === '') return null;
      if (t.optLead && prev && (prev.k === T_STR || prev.k === T_SYM)) return null;
      if (t.optTrail && next && startsWithSpace(next)) return null;
    } else if (t.k === T_STR) {
      if (next && (next.k !== T_LIT || next.optLead)) return null;
    } else if (t.k === T_SYM) {
      if (next && !startsWithSpace(next)) return null;
    } else if (t.k === T_NUM || t.k === T_PTR) {
      if (!next) continue;
      if (next.k !== T_LIT && next.k !== T_STR && next.k !== T_OPAQUE) return null;
      if (next.k === T_LIT) {
        if (next.optLead) return null;
        const c = next.text.charCodeAt(0);
        if (c >= 48 && c <= 57) return null;
        if ((t.radix === 16 || t.k === T_PTR) && hexVal(c) >= 0) return null;
        if (t.x0 && (c | 32) === 120) return null;
        if (t.padR && c === 32) return null;
      }
    } else if (t.k === T_RAWNUM) {
      if (next && !startsWithSpace(next)) return null;
    }
  }
  return { toks: out, fromState, hasOpaque: out.some((t) => t.k === T_OPAQUE), needAsserts };
}

// ---- encoding the scratch values into the raw payload

export interface FastLayout {
  fixedSize: number;
  typeOff: number;
  typeSize: number;
  pidOff: number;
  pidSize: number;
  flagsOff: number;
  flagsSize: number;
  preemptOff: number;
  preemptSize: number;
  /** The non-common fields in format order (slot = index). */
  fields: FieldDef[];
  /** 1 scalar, 2 fixed char array, 3 dynamic (data_loc / rel_loc), 4 flexible array, 0 other (left 0). */
  kinds: Int8Array;
}

const layoutCache = new WeakMap<EventFormat, FastLayout | null>();

/** The layout the fast encoder writes, or null when the format has a field it does not handle (then PayloadEncoder does). */
export function fastLayout(fmt: EventFormat, fixedSize: number): FastLayout | null {
  const hit = layoutCache.get(fmt);
  if (hit !== undefined) return hit;
  const l: FastLayout = { fixedSize, typeOff: -1, typeSize: 0, pidOff: -1, pidSize: 0, flagsOff: -1, flagsSize: 0, preemptOff: -1, preemptSize: 0, fields: [], kinds: new Int8Array(0) };
  const kinds: number[] = [];
  let ok = true;
  for (const f of fmt.fields) {
    if (f.common) {
      const sz = f.size;
      if (f.dynamic !== 'none' || f.isArray) {
        if (['common_type', 'common_pid', 'common_flags', 'common_preempt_count'].includes(f.name)) ok = false;
        continue;
      }
      if (f.name === 'common_type') { l.typeOff = f.offset; l.typeSize = sz; }
      else if (f.name === 'common_pid') { l.pidOff = f.offset; l.pidSize = sz; }
      else if (f.name === 'common_flags') { l.flagsOff = f.offset; l.flagsSize = sz; }
      else if (f.name === 'common_preempt_count') { l.preemptOff = f.offset; l.preemptSize = sz; }
      if (sz !== 1 && sz !== 2 && sz !== 4 && sz !== 8 && sz !== 0) ok = false;
      continue;
    }
    l.fields.push(f);
    let k = 0;
    if (f.dynamic !== 'none') k = 3;
    else if (f.isArray && f.size === 0) k = 4;
    else if (!f.isArray && f.size > 0 && f.size <= 8) {
      k = 1;
      if (f.size !== 1 && f.size !== 2 && f.size !== 4 && f.size !== 8) ok = false;
    } else if (f.isArray && f.isString) k = 2;
    else if (f.size > 8 && !f.isArray) ok = false;
    kinds.push(k);
  }
  l.kinds = Int8Array.from(kinds);
  const out = ok ? l : null;
  layoutCache.set(fmt, out);
  return out;
}

function writeNum(d: Uint8Array, off: number, size: number, v: number): void {
  switch (size) {
    case 1: d[off] = v & 0xff; return;
    case 2: d[off] = v & 0xff; d[off + 1] = (v >>> 8) & 0xff; return;
    case 4: { const x = v >>> 0; d[off] = x & 0xff; d[off + 1] = (x >>> 8) & 0xff; d[off + 2] = (x >>> 16) & 0xff; d[off + 3] = x >>> 24; return; }
    case 8: {
      const lo = v >>> 0;
      const hi = Math.floor(v / 4294967296) >>> 0;
      d[off] = lo & 0xff; d[off + 1] = (lo >>> 8) & 0xff; d[off + 2] = (lo >>> 16) & 0xff; d[off + 3] = lo >>> 24;
      d[off + 4] = hi & 0xff; d[off + 5] = (hi >>> 8) & 0xff; d[off + 6] = (hi >>> 16) & 0xff; d[off + 7] = hi >>> 24;
      return;
    }
    default: return;
  }
}

function writePair(d: Uint8Array, off: number, size: number, lo: number, hi: number): void {
  if (size < 8) { writeNum(d, off, size, lo); return; }
  d[off] = lo & 0xff; d[off + 1] = (lo >>> 8) & 0xff; d[off + 2] = (lo >>> 16) & 0xff; d[off + 3] = lo >>> 24;
  d[off + 4] = hi & 0xff; d[off + 5] = (hi >>> 8) & 0xff; d[off + 6] = (hi >>> 16) & 0xff; d[off + 7] = hi >>> 24;
}

/** Ensures `buf` holds `n` bytes; returns the (possibly new) buffer. */
export type Reserve = (n: number) => Uint8Array;

/**
 * Writes the payload from the scratch values (after a MATCH) into `buf` (grown through `reserve`).
 * Returns the payload length, or -1 when a string is not ASCII (the caller then encodes through
 * PayloadEncoder, which writes UTF-8).
 */
export function encodeFast(l: FastLayout, typeId: number, reserve: Reserve, s: string, pid: number, flags: number, preempt: number, matched: boolean): number {
  const fixed = l.fixedSize;
  let d = reserve(fixed);
  d.fill(0, 0, fixed);
  if (l.typeOff >= 0) writeNum(d, l.typeOff, l.typeSize, typeId);
  if (l.pidOff >= 0) writeNum(d, l.pidOff, l.pidSize, pid);
  if (l.flagsOff >= 0) writeNum(d, l.flagsOff, l.flagsSize, flags);
  if (l.preemptOff >= 0) writeNum(d, l.preemptOff, l.preemptSize, preempt);
  let dynEnd = fixed;
  const fields = l.fields;
  const kinds = l.kinds;
  for (let k = 0; k < fields.length; k++) {
    const kind = kinds[k];
    const vk = matched ? vKind[k] : 0;
    if (kind === 0) {
      if (vk !== 0) return -1;
      continue;
    }
    if (kind === 4 && !matched) continue;
    const f = fields[k];
    if (kind === 1) {
      if (vk === 3) return -1;
      if (vk === 1) writeNum(d, f.offset, f.size, vNum[k]);
      else if (vk === 2) writePair(d, f.offset, f.size, vNum[k], vHi[k]);
      else if (vk === 4) {
        const v = BigInt.asUintN(64, vBig[k]);
        writePair(d, f.offset, f.size, Number(v & 0xffffffffn), Number(v >> 32n));
      }
      continue;
    }
    // strings
    let a = 0;
    let e = 0;
    if (vk === 3) { a = vA[k]; e = vB[k]; }
    else if (vk !== 0) return -1;
    const len = e - a;
    if (kind === 2) {
      const n = Math.min(len, f.size);
      const o = f.offset;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(a + i);
        if (c >= 128) return -1;
        d[o + i] = c;
      }
      if (n < len) for (let i = n; i < len; i++) if (s.charCodeAt(a + i) >= 128) return -1;
      continue;
    }
    const nul = f.isString ? 1 : 0;
    if (kind === 4 && !f.isString && len > 0) return -1;
    const start = kind === 3 ? dynEnd : f.offset;
    d = reserve(start + len + nul);
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(a + i);
      if (c >= 128) return -1;
      d[start + i] = c;
    }
    if (nul) d[start + len] = 0;
    if (kind === 3) {
      const bytes = len + nul;
      dynEnd = start + bytes;
      const rel = f.dynamic === 'rel_loc' ? start - (f.offset + f.size) : start;
      if (f.size === 2) writeNum(d, f.offset, 2, rel);
      else writeNum(d, f.offset, 4, ((bytes << 16) | rel) >>> 0);
    } else {
      dynEnd = Math.max(dynEnd, f.offset + len + nul);
    }
  }
  return dynEnd;
}
