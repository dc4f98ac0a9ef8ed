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
import type { Expr } from '../../tracedat/print-fmt.js';
import { symbolName, type MatchState } from './invert.js';
import { asciiBytes, asciiText, shapeOf, viewOf } from '../lines.js';
import { SpanMemo } from './span-memo.js';
import { activeTextSymbols, ownString } from './text-symbols.js';

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
  ) {
    this.codes = new Uint16Array(text.length);
    for (let k = 0; k < text.length; k++) this.codes[k] = text.charCodeAt(k);
    // little-endian 32-bit words of the first 4·⌊n/4⌋ characters (only read for ASCII literals)
    this.words = new Int32Array(text.length >> 2);
    for (let k = 0; k < this.words.length; k++) {
      const c = this.codes;
      this.words[k] = (c[4 * k] & 0xff) | ((c[4 * k + 1] & 0xff) << 8) | ((c[4 * k + 2] & 0xff) << 16) | ((c[4 * k + 3] & 0xff) << 24);
    }
  }

  /** The literal's characters four at a time (run() compares them with DataView.getInt32). */
  readonly words: Int32Array;

  /** `text` as char codes: the literals are built by concatenation (cons strings, slow to index). */
  readonly codes: Uint16Array;
}

export const lit = (text: string, optLead = false, optTrail = false): Tok => new Tok(T_LIT, text, optLead, optTrail);

export interface FastPlan {
  toks: Tok[];
  /**
   * The one opaque token whose binder results are memoised by its matched text (-1: none). Only
   * for plans with a single opaque token whose RegExp cannot look past its match (no anchors,
   * lookaround or word boundaries): its groups, hence the binders' values, are then a function of
   * the matched text alone.
   */
  memoAt: number;
  memo: SpanMemo | null;
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
/** The plan's memoised opaque token (-1: none) and the span it matched (run → matchFast). */
let memoTok = -1;
let memoA = 0;
let memoB = 0;


function ensureSlots(n: number): void {
  if (n <= vKind.length) return;
  const m = Math.max(n, vKind.length * 2);
  vKind = new Int8Array(m);
  vNum = new Float64Array(m);
  vHi = new Float64Array(m);
  vA = new Int32Array(m);
  vB = new Int32Array(m);
}

/**
 * s.startsWith(t, p) as a plain loop: V8 does not inline the builtin, and its call costs more
 * than comparing the few characters of a literal.
 */
export function startsAt(s: string, t: string, p: number): boolean {
  if (p < 0) p = 0;
  const n = t.length;
  if (p + n > s.length) return false;
  for (let k = 0; k < n; k++) if (s.charCodeAt(p + k) !== t.charCodeAt(k)) return false;
  return true;
}

/** Clears the first n scratch slots (growing the arrays when needed) before a match. */
export function resetSlots(n: number): void {
  ensureSlots(n);
  for (let k = 0; k < n; k++) vKind[k] = 0;
}

export const isWs = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
export const hexVal = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/** Parses hex digits [a, e) of s into the slot (exact: double, lo/hi halves or bigint). */
export function setHex(slot: number, s: string, a: number, e: number): void {
  while (a < e - 1 && ch(s, a) === 48) a++;
  const n = e - a;
  if (n <= 13) {
    let v = 0;
    for (let i = a; i < e; i++) v = v * 16 + hexVal(ch(s, i));
    vKind[slot] = 1;
    vNum[slot] = v;
  } else if (n <= 16) {
    let hi = 0;
    let lo = 0;
    for (let i = a; i < e - 8; i++) hi = hi * 16 + hexVal(ch(s, i));
    for (let i = e - 8; i < e; i++) lo = lo * 16 + hexVal(ch(s, i));
    vKind[slot] = 2;
    vNum[slot] = lo;
    vHi[slot] = hi;
  } else {
    vKind[slot] = 4;
    vBig[slot] = BigInt('0x' + s.slice(a, e));
  }
}

/** Decimal digits [a, e) of s, negated when `neg`. */
export function setDec(slot: number, s: string, a: number, e: number, neg: boolean): void {
  while (a < e - 1 && ch(s, a) === 48) a++;
  if (e - a <= 15) {
    let v = 0;
    for (let i = a; i < e; i++) v = v * 10 + (ch(s, i) - 48);
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
  if (!isSymStart(ch(s, a))) return false;
  let p = a + 1;
  while (p < e && isSymChar(ch(s, p))) p++;
  while (p < e) {
    const c = ch(s, p);
    if ((c !== 43 && c !== 47) || p + 3 > e || ch(s, p + 1) !== 48 || ch(s, p + 2) !== 120) return false;
    p += 3;
    const h = p;
    while (p < e && hexVal(ch(s, p)) >= 0) p++;
    if (p === h) return false;
  }
  return true;
}

/** A symbol printed by name: its synthetic address while a text source reads (text-symbols.ts). */
export function setSymbol(slot: number, s: string, a: number, e: number): void {
  if (slot < 0 || !activeTextSymbols) return;
  vKind[slot] = 1;
  vNum[slot] = activeTextSymbols.addrOf(symbolName(s.slice(a, e)));
}

/**
 * The shape of the string being matched (lines.ts shapeOf: its bytes, index for index, 255 for a
 * non-ASCII character): set by matchFast for run(), which reads it in a local with no helper call
 * per character (V8 stops inlining small helpers in a function this large). null otherwise (the
 * plugins' calls of setHex/setDec read the string).
 */
let U: Uint8Array | null = null;

/** s.charCodeAt(i), from U when it is set (during matchFast's run). */
function ch(s: string, i: number): number {
  return U !== null ? U[i] : s.charCodeAt(i);
}

/** A DataView of the shape being matched (lines.ts viewOf), for run()'s four-character literal compares. */
let DV: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));

/** Hex digit values by character (-1: not a hex digit), for every byte of a shape. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 256; c++) HEX[c] = hexVal(c);

/** indexOf(literal, p) within [p, b) (String.indexOf would search on through the following lines). */
function findIn(u: Uint8Array, t: Uint16Array, p: number, b: number): number {
  const L = t.length;
  if (L === 0) return p <= b ? p : -1;
  const c = t[0];
  const last = b - L;
  for (; p <= last; p++) {
    if (u[p] !== c) continue;
    let k = 1;
    while (k < L && u[p + k] === t[k]) k++;
    if (k === L) return p;
  }
  return -1;
}

/** `\s*$` from pos. */
function atEnd(u: Uint8Array, pos: number, b: number): number {
  for (; pos < b; pos++) {
    const c = u[pos];
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    return c >= 128 ? UNKNOWN : FAIL;
  }
  return MATCH;
}

function run(toks: Tok[], i: number, s: string, u: Uint8Array, pos: number, b: number): number {
  const n = toks.length;
  const dv = DV;
  let c = 0;
  for (; i < n; i++) {
    const t = toks[i];
    switch (t.k) {
      case T_LIT: {
        if (t.optLead) while (pos < b && u[pos] === 32) pos++;
        const codes = t.codes;
        const L = codes.length;
        if (pos + L > b) return FAIL;
        const w = t.words;
        let k = 0;
        for (let j = 0; j < w.length; j++, k += 4) if (dv.getInt32(pos + k, true) !== w[j]) return FAIL;
        for (; k < L; k++) if (u[pos + k] !== codes[k]) return FAIL;
        pos += L;
        if (t.optTrail) while (pos < b && u[pos] === 32) pos++;
        break;
      }
      case T_NUM: {
        if (t.padL) while (pos < b && u[pos] === 32) pos++;
        let neg = false;
        if (t.sign && pos < b) {
          c = u[pos];
          if (c === 43 || c === 32) pos++;
          else if (c === 45 && t.minus) {
            neg = true;
            pos++;
          }
        }
        const slot = t.slot;
        if (t.radix === 16) {
          if (t.x0 && pos + 2 < b && u[pos] === 48 && (u[pos + 1] | 32) === 120 && HEX[u[pos + 2]] >= 0) pos += 2;
          const a = pos;
          let v = 0;
          let d = 0;
          while (pos < b && (d = HEX[u[pos]]) >= 0) {
            v = v * 16 + d;
            pos++;
          }
          if (pos === a) return FAIL;
          if (slot >= 0) {
            if (pos - a <= 13) {
              vKind[slot] = 1;
              vNum[slot] = v;
            } else setHex(slot, s, a, pos);
          }
        } else {
          const a = pos;
          let v = 0;
          while (pos < b && (c = u[pos]) >= 48 && c <= 57) {
            v = v * 10 + (c - 48);
            pos++;
          }
          if (pos === a) return FAIL;
          if (slot >= 0) {
            if (pos - a <= 15) {
              vKind[slot] = 1;
              vNum[slot] = neg ? -v : v;
            } else setDec(slot, s, a, pos, neg);
          }
        }
        if (t.padR) while (pos < b && u[pos] === 32) pos++;
        break;
      }
      case T_PTR: {
        if (pos + 2 < b && u[pos] === 48 && u[pos + 1] === 120) {
          const a = pos + 2;
          pos = a;
          while (pos < b && HEX[u[pos]] >= 0) pos++;
          if (pos === a) return FAIL;
          if (t.slot >= 0) setHex(t.slot, s, a, pos);
        } else if (pos + 5 <= b && u[pos] === 40 && startsAt(s, '(nil)', pos)) {
          pos += 5;
          if (t.slot >= 0) {
            vKind[t.slot] = 1;
            vNum[t.slot] = 0;
          }
        } else return FAIL;
        break;
      }
      case T_RAWNUM: {
        if (pos < b && u[pos] === 32) pos++;
        const a = pos;
        // one pass: the run's extent, whether it is all decimal / all hex, and its decimal value
        let allHex = true;
        let allDec = true;
        let dv = 0;
        for (; pos < b; pos++) {
          const d = u[pos];
          if (d >= 48 && d <= 57) dv = dv * 10 + (d - 48);
          else if (d === 32 || (d >= 9 && d <= 13) || d >= 128) break;
          else {
            allDec = false;
            if (HEX[d] < 0) allHex = false;
          }
        }
        if (pos === a) return FAIL;
        // `sym (0x..)`: the RegExp's symbol alternative may take the address after a blank
        if (t.sym && u[pos] === 32 && startsAt(s, ' (0x', pos)) return UNKNOWN;
        const c0 = u[a];
        const len = pos - a;
        const slot = t.slot;
        if (len > 2 && c0 === 48 && u[a + 1] === 120) {
          // must be 0x<hex>
          for (let k = a + 2; k < pos; k++) if (HEX[u[k]] < 0) return FAIL;
          setHex(slot, s, a + 2, pos);
        } else if (allHex && (t.bareHex || !allDec)) setHex(slot, s, a, pos);
        else if (allDec) {
          if (len <= 15) {
            vKind[slot] = 1;
            vNum[slot] = dv;
          } else setDec(slot, s, a, pos, false);
        }
        else if (c0 === 45 && len > 1) {
          for (let k = a + 1; k < pos; k++) {
            const d = u[k];
            if (d < 48 || d > 57) return FAIL;
          }
          setDec(slot, s, a + 1, pos, true);
        } else if (len === 5 && startsAt(s, '(nil)', a)) {
          vKind[slot] = 1;
          vNum[slot] = 0;
        } else if (!(t.sym && isSymbol(s, a, pos))) return FAIL;
        else setSymbol(slot, s, a, pos);
        break;
      }
      case T_STR: {
        if (i + 1 === n) {
          let e = b;
          while (e > pos && ((c = u[e - 1]) === 32 || (c >= 9 && c <= 13))) e--;
          if (e > pos && u[e - 1] >= 128) return UNKNOWN;
          if (t.slot >= 0) {
            vKind[t.slot] = 3;
            vA[t.slot] = pos;
            vB[t.slot] = e;
          }
          return MATCH;
        }
        const nt = toks[i + 1];
        const next = nt.codes;
        // findIn has compared the literal already: go on after it (as its T_LIT case would)
        const skip = nt.k === T_LIT && !nt.optLead;
        let q = pos;
        for (;;) {
          const at = findIn(u, next, q, b);
          if (at < 0) return FAIL;
          if (t.slot >= 0) {
            vKind[t.slot] = 3;
            vA[t.slot] = pos;
            vB[t.slot] = at;
          }
          let r: number;
          if (skip) {
            let p2 = at + next.length;
            if (nt.optTrail) while (p2 < b && u[p2] === 32) p2++;
            r = run(toks, i + 2, s, u, p2, b);
          } else r = run(toks, i + 1, s, u, at, b);
          if (r !== FAIL) return r;
          q = at + 1;
        }
      }
      case T_SYM: {
        // `\S+?` then an exact literal starting with a blank, or the end: the non-blank run.
        const a = pos;
        while (pos < b && (c = u[pos]) !== 32 && (c < 9 || c > 13)) {
          if (c >= 128) return UNKNOWN;
          pos++;
        }
        if (pos === a) return FAIL;
        if (t.slot >= 0) {
          let hex = pos - a > 2 && u[a] === 48 && u[a + 1] === 120;
          for (let k = a + 2; hex && k < pos; k++) if (HEX[u[k]] < 0) hex = false;
          if (hex) setHex(t.slot, s, a + 2, pos);
          else setSymbol(t.slot, s, a, pos);
        }
        break;
      }
      default: {
        // T_OPAQUE
        const re = t.re!;
        re.lastIndex = pos;
        if (i === memoTok) {
          // memoised token: test() builds no match array; its span is the memo key (exec on a miss)
          if (!re.test(s) || re.lastIndex > b) return UNKNOWN;
          memoA = pos;
          memoB = re.lastIndex;
        } else {
          const m = re.exec(s);
          if (!m || re.lastIndex > b) return UNKNOWN;
          opaqueM[i] = m;
        }
        const r = run(toks, i + 1, s, u, re.lastIndex, b);
        return r === MATCH ? MATCH : UNKNOWN;
      }
    }
  }
  return atEnd(u, pos, b);
}

/**
 * Matches the payload [a, b) of s. On MATCH the values are in the scratch arrays (and `st` holds
 * the opaque pieces' values when the plan has any).
 */
export function matchFast(plan: FastPlan, nslots: number, s: string, a: number, b: number, fresh: ((asserts: boolean) => MatchState) | null): number {
  const u = shapeOf(s);
  DV = viewOf(u);
  const c = u[a];
  if (isWs(c) || c >= 128) return UNKNOWN;
  resetSlots(nslots);
  if (plan.hasOpaque && opaqueM.length < plan.toks.length) opaqueM = new Array(plan.toks.length).fill(null);
  memoTok = plan.memoAt;
  U = u;
  let r: number;
  try {
    r = run(plan.toks, 0, s, u, a, b);
  } finally {
    memoTok = -1;
    U = null; // never left set: setDec/setHex also serve fast-plugins.ts with other strings
  }
  if (r !== MATCH || !plan.hasOpaque) return r;
  const fromState = plan.fromState;
  let key = '';
  if (plan.memoAt >= 0) {
    const hit = plan.memo!.get(s, memoA, memoB, s === asciiText ? asciiBytes : null);
    if (hit) {
      for (let k = 0; k < nslots; k++) {
        if (!fromState[k]) continue;
        vKind[k] = 1;
        vNum[k] = hit[k];
      }
      return MATCH;
    }
    const re = plan.toks[plan.memoAt].re!;
    re.lastIndex = memoA;
    opaqueM[plan.memoAt] = re.exec(s);
    key = s.slice(memoA, memoB);
  }
  const st = fresh!(plan.needAsserts);
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
    if (typeof v === 'bigint' && v >= -0x1fffffffffffffn && v <= 0x1fffffffffffffn) {
      vKind[k] = 1; // exact as a double: the encoder's number path writes the same bytes
      vNum[k] = Number(v);
    } else {
      vKind[k] = 4;
      vBig[k] = typeof v === 'bigint' ? v : 0n;
    }
  }
  if (plan.memoAt >= 0 && plan.memo!.size < 4096) {
    let ok = true;
    const snap = new Float64Array(nslots);
    for (let k = 0; k < nslots; k++) {
      if (!fromState[k]) continue;
      if (vKind[k] !== 1) ok = false;
      snap[k] = vNum[k];
    }
    if (ok) plan.memo!.set(ownString(key), snap);
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

/** No anchor, lookaround or word boundary in the RegExp source (escapes and `[^` aside). */
function looksOnlyAtMatch(src: string): boolean {
  const t = src.replace(/\\./g, (m) => (m === '\\b' || m === '\\B' ? '\u0000' : '')).replace(/\[\^/g, '[');
  return !/[$^\u0000]|\(\?[=!<]/.test(t);
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
      if (/[^\x00-\x7f]/.test(t.text)) return null; // run() compares the line's shape (ASCII only)
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
  const opaque = out.filter((t) => t.k === T_OPAQUE);
  const local = opaque.length === 1 && looksOnlyAtMatch(opaque[0].re!.source);
  const memoAt = local ? out.indexOf(opaque[0]) : -1;
  return { toks: out, fromState, hasOpaque: opaque.length > 0, needAsserts, memoAt, memo: memoAt >= 0 ? new SpanMemo() : null };
}
