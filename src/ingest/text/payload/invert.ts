// Running a print-fmt argument backwards: from the number (or table name) printed for an argument
// expression to bits of the field(s) it was computed from, and from the branch a ternary took to
// facts about its condition. Everything here is compiled once per format into closures; nothing
// walks the AST per line.
//
// Invertible shapes (mask = bits of the field the text determines):
//   REC->f                       f = v (all bits)
//   (u8|u16|u32|int|char…) e     e's low 8/16/32 bits = v
//   e & C                        bits C of e = v
//   e >> C, e << C               e = v << C / v >> C (on the bits that survive)
//   e + C, e - C, -e, ~e         exact when all bits are known
// Condition facts (a ternary that printed its `then` text asserts the condition true):
//   REC->f / (cast)REC->f        true → f = 1 if still 0; false → f = 0
//   e & C                        C a single bit: true → bit set; false → bits C clear
//   e == C / e != C / !e / a && b / a || b   as C says
//   `isa == 1` false             isa = 2 (kvm_exit/kvm_nested_vmexit: SVM; the only other value)
// Comparisons such as `REC->delta < 0` give no bits (the number printed elsewhere carries them).
import type { Expr } from '../../tracedat/print-fmt.js';
import { applyCast, foldConst } from '../../tracedat/symbol-tables.js';

export const ALL = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & ALL;

/** Field name → index into MatchState.vals (the format's non-common fields, in order). */
export type Slots = ReadonlyMap<string, number>;

export interface MatchState {
  /** Field values being recovered, by slot: bigint (raw pattern until normalised) or string. */
  vals: Array<bigint | string>;
  /** Condition text → truth, recorded from ternary branches (for later numeric ternaries). */
  asserts: Map<string, boolean> | null;
  /** Symbol text printed for a pointer field (%ps/%pS) that has no address in the text. */
  symbols: Map<string, string> | null;
}

export type Setter = (st: MatchState, v: bigint) => void;
export type Effect = (st: MatchState) => void;

function castMask(type: string): bigint {
  const probe = applyCast(ALL, type);
  return probe;
}

/** A printed symbol without the `+0x..`/`/0x..` offset and size suffixes (`posix_timer_fn/0x0` → `posix_timer_fn`). */
export function symbolName(text: string): string {
  const i = text.search(/[+/]0x[0-9a-fA-F]/);
  return i > 0 ? text.slice(0, i) : text;
}

const lowMask = (m: bigint): boolean => (m & (m + 1n)) === 0n;

/** Closure that writes the bits of `e`'s value `v` (known on `mask`) back into the field; null if not invertible. */
export function compileInvert(e: Expr, slots: Slots, mask: bigint = ALL): Setter | null {
  switch (e.kind) {
    case 'field': {
      const slot = slots.get(e.name);
      if (slot === undefined) return null;
      if (mask === ALL) return (st, v) => { st.vals[slot] = v; };
      const keep = u64(~mask);
      return (st, v) => {
        const cur = st.vals[slot];
        st.vals[slot] = ((typeof cur === 'bigint' ? cur : 0n) & keep) | (v & mask);
      };
    }
    case 'cast': return compileInvert(e.arg, slots, mask & castMask(e.type));
    case 'unary': {
      if (e.op === '+') return compileInvert(e.arg, slots, mask);
      // Negation, + C and - C carry only upwards: exact on a low-bits mask (2^k - 1).
      if (e.op === '-' && lowMask(mask)) { const inner = compileInvert(e.arg, slots, mask); return inner && ((st, v) => inner(st, u64(-v))); }
      if (e.op === '~') { const inner = compileInvert(e.arg, slots, mask); return inner && ((st, v) => inner(st, u64(~v))); }
      return null;
    }
    case 'binary': {
      let c = foldConst(e.right);
      let other = e.left;
      if (c === undefined && (e.op === '&' || e.op === '+')) { c = foldConst(e.left); other = e.right; }
      if (c === undefined) return null;
      const k = u64(c);
      switch (e.op) {
        case '&': return compileInvert(other, slots, mask & k);
        case '>>': {
          if (k >= 64n) return null;
          const inner = compileInvert(other, slots, u64(mask << k));
          return inner && ((st, v) => inner(st, u64(v << k)));
        }
        case '<<': {
          if (k >= 64n) return null;
          const inner = compileInvert(other, slots, mask >> k);
          return inner && ((st, v) => inner(st, v >> k));
        }
        case '+': { if (!lowMask(mask)) return null; const inner = compileInvert(other, slots, mask); return inner && ((st, v) => inner(st, u64(v - k))); }
        case '-': { if (!lowMask(mask) || other !== e.left) return null; const inner = compileInvert(other, slots, mask); return inner && ((st, v) => inner(st, u64(v + k))); }
        default: return null;
      }
    }
    default: return null;
  }
}

/** The field an expression is mostly about (first REC->x in it), '' if none. */
export function firstField(e: Expr): string {
  if (e.kind === 'field') return e.name;
  const kids: Expr[] = e.kind === 'binary' ? [e.left, e.right] : e.kind === 'unary' || e.kind === 'cast' ? [e.arg] : e.kind === 'ternary' ? [e.cond, e.then, e.else] : e.kind === 'call' ? e.args : [];
  for (const k of kids) { const f = firstField(k); if (f) return f; }
  return '';
}

const isSingleBit = (k: bigint): boolean => k !== 0n && (k & (k - 1n)) === 0n;

/** Effects of learning that `cond` evaluated to `truth`; null when nothing can be learnt. */
export function compileAssert(cond: Expr, truth: boolean, slots: Slots): Effect | null {
  switch (cond.kind) {
    case 'field': case 'cast': {
      const set = compileInvert(cond, slots);
      if (!set) return null;
      const slot = slots.get(firstField(cond));
      if (slot === undefined) return null;
      if (!truth) return (st) => set(st, 0n);
      return (st) => { if (st.vals[slot] === 0n) set(st, 1n); };
    }
    case 'unary': return cond.op === '!' ? compileAssert(cond.arg, !truth, slots) : null;
    case 'binary': {
      const op = cond.op;
      if (op === '&&' || op === '||') {
        if ((op === '&&') !== truth) return null; // a false && / a true || tells nothing about each side
        const a = compileAssert(cond.left, truth, slots), b = compileAssert(cond.right, truth, slots);
        if (!a && !b) return null;
        return (st) => { a?.(st); b?.(st); };
      }
      if (op === '==' || op === '!=') {
        const c = foldConst(cond.right);
        if (c === undefined) return null;
        const eq = (op === '==') === truth;
        const set = compileInvert(cond.left, slots);
        if (!set) return null;
        if (eq) { const k = u64(c); return (st) => set(st, k); }
        if (cond.left.kind === 'field' && cond.left.name === 'isa' && c === 1n) return (st) => set(st, 2n);
        return null;
      }
      if (op === '&') {
        let c = foldConst(cond.right);
        let other = cond.left;
        if (c === undefined) { c = foldConst(cond.left); other = cond.right; }
        if (c === undefined) return null;
        const k = u64(c);
        const set = compileInvert(other, slots, k);
        if (!set) return null;
        if (!truth) return (st) => set(st, 0n);
        return isSingleBit(k) ? (st) => set(st, k) : null;
      }
      return null;
    }
    default: return null;
  }
}

/** Decimal text (optionally signed / blank-padded) → bigint; Number fast path for short texts. */
export function parseDec(t: string): bigint {
  return t.length <= 15 ? BigInt(+t) : BigInt(t.trim());
}
/** Hex text with or without 0x → bigint (leading zeros skipped; 32-bit halves for long values). */
export function parseHex(t: string): bigint {
  let i = t.charCodeAt(1) === 120 || t.charCodeAt(1) === 88 ? 2 : 0;
  while (i < t.length - 1 && t.charCodeAt(i) === 48) i++;
  const n = t.length - i;
  if (n <= 13) return BigInt(parseInt(t.slice(i), 16));
  if (n <= 16) return (BigInt(parseInt(t.slice(i, t.length - 8), 16)) << 32n) | BigInt(parseInt(t.slice(t.length - 8), 16));
  return BigInt('0x' + t.slice(i));
}

/** A regex alternation of literal names factored as a trie (much faster in irregexp than a flat list). */
export function trieRegex(names: readonly string[]): string {
  interface Node { end: boolean; kids: Map<string, Node> }
  const root: Node = { end: false, kids: new Map() };
  for (const name of names) {
    let n = root;
    for (const ch of name) {
      let k = n.kids.get(ch);
      if (!k) n.kids.set(ch, (k = { end: false, kids: new Map() }));
      n = k;
    }
    n.end = true;
  }
  const esc = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const emit = (n: Node): string => {
    const alts = [...n.kids].map(([c, k]) => esc(c) + emit(k));
    if (alts.length === 0) return '';
    if (alts.length === 1 && !n.end) return alts[0];
    return `(?:${alts.join('|')}${n.end ? '|' : ''})`;
  };
  return emit(root);
}
