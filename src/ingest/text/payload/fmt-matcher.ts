// Reverse print-fmt matcher: compiles an event's `print fmt` (as rendered by libtraceevent, perf
// script or the kernel's tracefs `trace`) into ONE RegExp plus a list of binder closures that turn
// the captured text back into field values. Built once per format (cached); per line it is one
// RegExp exec and a few closure calls.
//
// Token rules (see README in ../formats for the recovery matrix):
//   literal text            exact (leading/trailing blanks of the whole text are optional)
//   %d %i / %u / %x %X / %o numbers; width/flags allow padding; %#x optional 0x; bits of the
//                           conversion (h/hh/l/ll) limit the recovered bits (%u of a u64 → low 32)
//   %c                      one character → its code
//   %s REC->f / __get_str   the string (lazy, so comms with spaces work)
//   %s __print_symbolic     alternation of the table's names (+ unknown value as 0x..) → value
//   %s __print_flags        names joined by the delimiter (+ leftover 0x..) → OR of the values
//   %s c ? A : B            (A|B); the branch taken asserts c (see invert.ts)
//   %p                      0x.. or (nil)
//   %ps %pS %pF %pf         a symbol (kept in `symbols`, no address) or 0x.. when unresolved
// Arguments are bound through invert.ts (casts, masks, shifts); other expressions match but bind nothing.
import type { EventFormat, FieldDef } from '../../tracedat/format-parser.js';
import { exprToString, parsePrintFmt, type Expr } from '../../tracedat/print-fmt.js';
import { cFormat, splitFormat } from '../../tracedat/evaluate.js';
import { applyCast, evalNum, foldConst, libteValue } from '../../tracedat/symbol-tables.js';
import { finishPlan, lit as litTok, namesIn, T_LIT, T_NUM, T_OPAQUE, T_PTR, T_STR, T_SYM, Tok, type FastPlan } from './fast.js';
import { ALL, compileAssert, compileInvert, firstField, parseDec, parseHex, symbolName, trieRegex, type MatchState, type Setter, type Slots } from './invert.js';

export type Binder = (m: RegExpExecArray, st: MatchState) => void;

interface Piece {
  re: string;
  binders: Binder[];
  /** Can this piece print the empty string? */
  empty: boolean;
  /** The fast-path token (fast.ts); absent: the piece runs as an opaque sticky RegExp. */
  tok?: Tok;
  /** Field names an opaque piece may read or write. */
  names?: Set<string>;
  /** First capture group number of the piece. */
  g0?: number;
}

export interface FmtMatcher {
  re: RegExp;
  binders: Binder[];
  needAsserts: boolean;
  /** The hand-written matcher of the same pieces (null when it could disagree with `re`). */
  fast: FastPlan | null;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const HEX = '0x[0-9a-fA-F]+';
const LS_BITS: Record<number, number> = { [-2]: 8, [-1]: 16, 0: 32, 1: 64, 2: 64 };
const SPEC = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?[hlLzZqjt]*([a-zA-Z])/;

class Compiler {
  group = 0;
  needAsserts = false;
  private readonly defs: Map<string, FieldDef>;
  constructor(readonly fmt: EventFormat, readonly slots: Slots) {
    this.defs = new Map(fmt.fields.map((f) => [f.name, f]));
  }

  private cap(inner: string): { re: string; g: number } {
    const g = ++this.group;
    return { re: `(${inner})`, g };
  }

  /** Padding around a conversion with a width. */
  private pad(spec: string, body: string): string {
    const m = SPEC.exec(spec);
    if (!m || m[2] === undefined) return body;
    return m[1].includes('-') ? `${body} *` : ` *${body}`;
  }

  literal(text: string): Piece {
    return { re: escapeRe(text), binders: [], empty: text === '', tok: litTok(text) };
  }

  /** The slot a (cast of a) field argument fully determines, -1 otherwise (fast path: plain writes). */
  directSlot(arg: Expr, mask: bigint): number {
    let e = arg;
    let m = mask;
    while (e.kind === 'cast') {
      m &= applyCast(ALL, e.type);
      e = e.arg;
    }
    if (e.kind !== 'field') return -1;
    const def = this.defs.get(e.name);
    const slot = this.slots.get(e.name);
    if (!def || slot === undefined || def.isArray || def.dynamic !== 'none' || ![1, 2, 4, 8].includes(def.size)) return -1;
    const fm = def.size === 8 ? ALL : (1n << BigInt(def.size * 8)) - 1n;
    return (m & fm) === fm ? slot : -1;
  }

  private opaque(p: Piece, e: Expr): Piece {
    const names = new Set<string>();
    namesIn(e, names);
    return { ...p, names };
  }

  num(spec: string, ls: number, arg: Expr): Piece {
    const m = SPEC.exec(spec);
    const flags = m?.[1] ?? '';
    const conv = m?.[4] ?? 'd';
    let body: string;
    let radix = 10;
    if (conv === 'c') body = '[\\s\\S]?';
    else if (conv === 'x' || conv === 'X') { body = `${flags.includes('#') ? '(?:0[xX])?' : ''}[0-9a-fA-F]+`; radix = 16; }
    else if (conv === 'o') { body = '[0-7]+'; radix = 8; }
    else if (conv === 'd' || conv === 'i') body = '[-+ ]?\\d+';
    else body = '[+ ]?\\d+';
    const { re, g } = this.cap(body);
    const bits = LS_BITS[ls] ?? 64;
    // No mask when the conversion is at least as wide as the field (normalisation truncates anyway).
    const fdef = arg.kind === 'field' ? this.defs.get(arg.name) : undefined;
    const mask = bits >= 64 || (fdef && fdef.size * 8 <= bits) ? ALL : (1n << BigInt(bits)) - 1n;
    const setter = this.numSetter(arg, mask);
    const signed = conv === 'd' || conv === 'i';
    const binders: Binder[] = [];
    let tok: Tok | undefined;
    if (conv === 'd' || conv === 'i' || conv === 'u' || conv === 'x' || conv === 'X') {
      const ds = setter?.direct ? this.directSlot(arg, mask) : -2;
      const slot = !setter ? -1 : ds >= 0 ? ds : -2;
      const width = m?.[2] !== undefined;
      if (slot >= -1) tok = new Tok(T_NUM, '', false, false, slot, radix, signed, radix === 10, radix === 16 && flags.includes('#'), width && !flags.includes('-'), width && flags.includes('-'));
    }
    if (setter) {
      const { direct, viaTernary } = setter;
      binders.push((mm, st) => {
        const t = mm[g];
        let v: bigint;
        if (conv === 'c') v = t ? BigInt(t.charCodeAt(0)) : 0n;
        else if (radix === 16) v = parseHex(t);
        else if (radix === 8) v = BigInt('0o' + t);
        else v = parseDec(t);
        if (signed && v < 0n) { v &= ALL; if (direct) direct.full(st, v); else viaTernary!(st, v, true); return; }
        if (direct) direct.masked(st, v); else viaTernary!(st, v, false);
      });
    }
    const piece: Piece = { re: this.pad(spec, re), binders, empty: conv === 'c' };
    if (tok && setter?.direct && tok.slot >= 0) {
      // The signed path writes through `full`: the same slot (direct), checked with the full mask.
      if (this.directSlot(arg, ALL) !== tok.slot) tok = undefined;
    }
    return tok ? { ...piece, tok } : this.opaque(piece, arg);
  }

  /** Setter(s) for a numeric argument: direct (masked by the conversion's bits, or full for negative %d) or a ternary. */
  private numSetter(arg: Expr, mask: bigint): { direct?: { masked: Setter; full: Setter }; viaTernary?: (st: MatchState, v: bigint, full: boolean) => void } | null {
    if (arg.kind === 'ternary') {
      this.needAsserts = true;
      const key = exprToString(arg.cond);
      const cond = arg.cond;
      const a = this.numSetter(arg.then, mask), b = this.numSetter(arg.else, mask);
      if (!a && !b) return null;
      const defs = this.defs;
      const slots = this.slots;
      return {
        viaTernary: (st, v, full) => {
          let truth = st.asserts?.get(key);
          if (truth === undefined) {
            truth = evalNum(cond, { value: (n) => { const i = slots.get(n); return i === undefined ? undefined : st.vals[i]; }, def: (n) => defs.get(n) }) !== 0n;
          }
          const s = truth ? a : b;
          if (!s) return;
          if (s.direct) (full ? s.direct.full : s.direct.masked)(st, v);
          else s.viaTernary!(st, v, full);
        },
      };
    }
    const masked = compileInvert(arg, this.slots, mask);
    const full = compileInvert(arg, this.slots, ALL);
    if (!masked || !full) return null;
    return { direct: { masked, full } };
  }

  ptr(spec: string, arg: Expr): Piece {
    const ext = spec.slice(spec.indexOf('p') + 1);
    if (/^[FSfs]/.test(ext)) {
      const { re, g } = this.cap('\\S+?');
      const set = compileInvert(arg, this.slots);
      const name = firstField(arg);
      const slot = set ? this.directSlot(arg, ALL) : -1;
      return {
        ...(set && slot < 0 ? { names: this.namesOf(arg) } : { tok: new Tok(T_SYM, '', false, false, slot) }),
        re, empty: false,
        binders: [(m, st) => {
          const t = m[g];
          if (t.startsWith('0x') && /^0x[0-9a-fA-F]+$/.test(t)) { set?.(st, parseHex(t)); return; }
          if (name) (st.symbols ??= new Map()).set(name, symbolName(t));
        }],
      };
    }
    if (/^[Mmh]/.test(ext)) return { re: '\\S*?', binders: [], empty: true, names: new Set() };
    const { re, g } = this.cap(`${HEX}|\\(nil\\)`);
    const set = compileInvert(arg, this.slots);
    const slot = set ? this.directSlot(arg, ALL) : -1;
    return { ...(set && slot < 0 ? { names: this.namesOf(arg) } : { tok: new Tok(T_PTR, '', false, false, slot) }), re, empty: false, binders: set ? [(m, st) => { const t = m[g]; set(st, t[0] === '(' ? 0n : parseHex(t)); }] : [] };
  }

  namesOf(e: Expr): Set<string> {
    const names = new Set<string>();
    namesIn(e, names);
    return names;
  }

  /** %s argument, with its fast-path token where it has one. */
  str(spec: string, e: Expr, depth = 0): Piece {
    const p = this.strPiece(spec, e, depth);
    if (p.tok || p.names) return p;
    return { ...p, names: this.namesOf(e) };
  }

  /** %s argument. `spec` applies widths to every printed name. */
  private strPiece(spec: string, e: Expr, depth: number): Piece {
    const sm = SPEC.exec(spec);
    const hasWidth = sm?.[2] !== undefined;
    const lit = (s: string): Piece => this.literal(hasWidth ? cFormat(spec, s) : s);
    if (depth > 64) return { re: '[\\s\\S]*?', binders: [], empty: true };
    switch (e.kind) {
      case 'str': return lit(e.value);
      case 'num': return lit(e.text);
      case 'ident': return lit(e.name);
      case 'field': {
        const def = this.defs.get(e.name);
        const { re, g } = this.cap('[\\s\\S]*?');
        const slot = this.slots.get(e.name);
        if (def && slot !== undefined && (def.isString || (def.isArray && def.elemSize === 1 && !def.isPointer))) {
          const p: Piece = { re: this.pad(spec, re), empty: true, binders: [(m, st) => { st.vals[slot] = hasWidth ? m[g].trim() : m[g]; }] };
          return hasWidth ? p : { ...p, tok: new Tok(T_STR, '', false, false, slot) };
        }
        return { re, empty: true, binders: [], tok: new Tok(T_STR) };
      }
      case 'call': {
        const a = e.args[0];
        const { re, g } = this.cap('[\\s\\S]*?');
        const slot = a?.kind === 'ident' ? this.slots.get(a.name) : undefined;
        if ((e.name === '__get_str' || e.name === '__get_rel_str') && slot !== undefined) {
          const p: Piece = { re: this.pad(spec, re), empty: true, binders: [(m, st) => { st.vals[slot] = hasWidth ? m[g].trim() : m[g]; }] };
          return hasWidth ? p : { ...p, tok: new Tok(T_STR, '', false, false, slot) };
        }
        return { re, empty: true, binders: [], tok: new Tok(T_STR) };
      }
      case 'symbolic': {
        const byName = new Map<string, bigint>();
        for (const en of e.entries) {
          if (foldConst(en.value) === undefined) continue; // unresolved enum name: libtraceevent never prints it
          const v = libteValue(en.value) === ALL && (foldConst(en.value) ?? 0n) < 0n ? (foldConst(en.value)! & ALL) : libteValue(en.value);
          const shown = hasWidth ? cFormat(spec, en.name) : en.name;
          if (!byName.has(shown)) byName.set(shown, v);
        }
        const names = [...byName.keys()].filter((n) => n !== '');
        const { re, g } = this.cap([...(names.length ? [trieRegex(names)] : []), hasWidth ? ` *${HEX} *` : HEX].join('|'));
        const set = compileInvert(e.value, this.slots);
        return {
          re, empty: byName.has(''),
          binders: set ? [(m, st) => {
            const t = m[g];
            const v = byName.get(t);
            if (v !== undefined) set(st, v);
            else { const h = t.trim(); if (h.startsWith('0x')) set(st, parseHex(h)); }
          }] : [],
        };
      }
      case 'flags': {
        const byName = new Map<string, bigint>();
        for (const en of e.entries) {
          const v = foldConst(en.value);
          if (v === undefined || byName.has(en.name)) continue;
          byName.set(en.name, v & ALL);
        }
        const names = [...byName.keys()].filter((n) => n !== '');
        const tok = `(?:${[...(names.length ? [trieRegex(names)] : []), HEX].join('|')})`;
        const d = escapeRe(e.delim);
        const { re, g } = this.cap(`(?:${tok}(?:${d}${tok})*)?`);
        const set = compileInvert(e.value, this.slots);
        const delim = e.delim;
        return {
          re, empty: true,
          binders: set ? [(m, st) => {
            const t = m[g];
            let v = 0n;
            if (t !== '') {
              const parts = delim ? t.split(delim) : [t];
              let cur = '';
              for (const part of parts) {
                cur = cur ? cur + delim + part : part;
                const bit = byName.get(cur);
                if (bit !== undefined) { v |= bit; cur = ''; } else if (/^0x[0-9a-fA-F]+$/.test(cur)) { v |= BigInt(cur); cur = ''; }
              }
            }
            set(st, v);
          }] : [],
        };
      }
      case 'ternary': {
        const gThen = ++this.group;
        const a = this.str(spec, e.then, depth + 1);
        const gElse = ++this.group;
        const b = this.str(spec, e.else, depth + 1);
        const onTrue = compileAssert(e.cond, true, this.slots), onFalse = compileAssert(e.cond, false, this.slots);
        const key = exprToString(e.cond);
        const bothEmpty = a.empty && b.empty;
        return {
          names: this.namesOf(e),
          re: `(?:(${a.re})|(${b.re}))`,
          empty: a.empty || b.empty,
          binders: [(m, st) => {
            const tookThen = m[gThen] !== undefined;
            const text = tookThen ? m[gThen] : m[gElse];
            const decisive = !(bothEmpty && text === '');
            if (decisive) {
              if (st.asserts && !st.asserts.has(key)) st.asserts.set(key, tookThen);
              (tookThen ? onTrue : onFalse)?.(st);
            }
            for (const bd of tookThen ? a.binders : b.binders) bd(m, st);
          }],
        };
      }
      default: return lit(''); // casts and operators print nothing as %s in libtraceevent
    }
  }
}

const cache = new WeakMap<EventFormat, FmtMatcher | null>();

/** The compiled matcher of a format's print fmt (null when the format has none or it does not parse). */
export function fmtMatcher(fmt: EventFormat, slots: Slots): FmtMatcher | null {
  const hit = cache.get(fmt);
  if (hit !== undefined) return hit;
  let out: FmtMatcher | null = null;
  try {
    if (fmt.printFmt) out = compile(fmt, slots);
  } catch {
    out = null;
  }
  cache.set(fmt, out);
  return out;
}

function compile(fmt: EventFormat, slots: Slots): FmtMatcher {
  const parsed = parsePrintFmt(fmt.printFmt);
  const c = new Compiler(fmt, slots);
  const pieces: Piece[] = [];
  for (const seg of splitFormat(parsed)) {
    const g0 = c.group + 1;
    if (seg.type === 'text') { pieces.push({ ...c.literal(seg.text), empty: false, g0 }); continue; }
    if (!seg.arg) continue;
    if (seg.type === 'num') pieces.push({ ...c.num(seg.spec, seg.ls, seg.arg), g0 });
    else if (seg.type === 'ptr') pieces.push({ ...c.ptr(seg.spec, seg.arg), g0 });
    else pieces.push({ ...c.str(seg.spec, seg.arg), g0 });
  }
  let fastOk = true;
  // Blanks at the very start and end are optional (line splitters trim them; -R adds one).
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    if (p.binders.length !== 0) break;
    const re = p.re.replace(/^ +/, ' *');
    let tok = p.tok;
    if (re !== p.re) {
      if (tok?.k === T_LIT) tok = new Tok(T_LIT, tok.text.replace(/^ +/, ''), true, tok.optTrail);
      else fastOk = false;
    }
    pieces[i] = { ...p, re, tok };
    if (p.re.trim() !== '') break;
  }
  for (let i = pieces.length - 1; i >= 0; i--) {
    const p = pieces[i];
    if (p.binders.length === 0) {
      const re = p.re.replace(/ +$/, ' *');
      let tok = pieces[i].tok;
      if (re !== p.re) {
        if (tok?.k === T_LIT) tok = new Tok(T_LIT, tok.text.replace(/ +$/, ''), tok.optLead, true);
        else fastOk = false;
      }
      pieces[i] = { ...p, re, tok };
      if (p.re.trim() !== '') break;
    } else if (!p.empty) break;
  }
  const source = `^\\s*${pieces.map((p) => p.re).join('')}\\s*$`;
  return { re: new RegExp(source), binders: pieces.flatMap((p) => p.binders), needAsserts: c.needAsserts, fast: fastOk ? fastPlan(pieces, slots, c.needAsserts) : null };
}

/** The fast-path plan of the pieces: runs of opaque pieces (with the literal after them) become one sticky RegExp. */
function fastPlan(pieces: Piece[], slots: Slots, needAsserts: boolean): FastPlan | null {
  const toks: Tok[] = [];
  const fromState: boolean[] = new Array(slots.size).fill(false);
  const fastSlots = new Set<number>();
  let i = 0;
  while (i < pieces.length) {
    const p = pieces[i];
    if (p.tok) {
      toks.push(p.tok);
      if (p.tok.slot >= 0) fastSlots.add(p.tok.slot);
      i++;
      continue;
    }
    let src = '()'.repeat(Math.max(0, (p.g0 ?? 1) - 1));
    const binders: Binder[] = [];
    while (i < pieces.length && !pieces[i].tok) {
      const q = pieces[i];
      if (!q.names) return null;
      src += q.re;
      binders.push(...q.binders);
      for (const n of q.names) {
        const s = slots.get(n);
        if (s !== undefined) fromState[s] = true;
      }
      i++;
    }
    while (i < pieces.length && pieces[i].tok?.k === T_LIT) {
      const t = pieces[i].tok!;
      src += pieces[i].re;
      i++;
      if (t.text !== '' || t.optLead || t.optTrail) break;
    }
    toks.push(new Tok(T_OPAQUE, '', false, false, -1, 10, false, false, false, false, false, false, new RegExp(src, 'y'), binders));
  }
  for (const s of fastSlots) if (fromState[s]) return null;
  return finishPlan(toks, fromState, needAsserts);
}
