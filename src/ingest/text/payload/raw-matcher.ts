// `trace-cmd report -R` (and perf/libtraceevent raw) payloads: ` name=value name=value ...` with
// every non-common field of the format, in format order. Compiled once per format into a RegExp:
// string values are lazy (so they may hold spaces and `=`; a value runs to the first ` <next name>=`,
// like test/helpers/tracecmd.ts splitRawFields), numeric values are strict, so a kernel-format
// line that merely looks like `a=1 b=2` (sched_switch `prev_state=R ==>`, softirq `vec=1 [action=..]`)
// does not pass as raw.
//
// libtraceevent 1.7 print_field (raw mode): a field consumed by the next conversions of the print
// fmt (walking the fmt in order; the argument is `REC->f` or a cast of it) is printed with that
// conversion, with `0x` in front when the fmt text before it ends in `0x`; otherwise strings as
// text, arrays `ARRAY[..]`, longs/pointers 0x%llx, signed %d (2-byte %2d: leading blank), else %llu.
// So values are decimal, 0x-hex, bare hex (a `%x` consumer without `0x`), `(nil)`, or a symbol
// (a `%ps` consumer; newer libtraceevent may print `sym (0x..)`: the address is then used).
import type { EventFormat } from '../../tracedat/format-parser.js';
import { parsePrintFmt, type Expr } from '../../tracedat/print-fmt.js';
import { splitFormat } from '../../tracedat/evaluate.js';
import { finishPlan, lit, T_RAWNUM, T_STR, Tok, type FastPlan } from './fast.js';
import { ALL, compileInvert, parseDec, parseHex, symbolName, type MatchState, type Setter, type Slots } from './invert.js';

export type RawBinder = (m: RegExpExecArray, st: MatchState) => void;
export interface RawMatcher { re: RegExp; binders: RawBinder[]; fast: FastPlan | null }

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const SYM = '[A-Za-z_.$][\\w.$]*(?:[+/]0x[0-9a-fA-F]+)*(?: \\(0x[0-9a-fA-F]+\\))?';

/** The field a conversion's argument prints in raw mode: `REC->f`, or a cast/shift/mask of it (not ternaries, tables, calls). */
function consumedField(e: Expr | undefined): string | undefined {
  if (!e) return undefined;
  if (e.kind === 'field') return e.name;
  if (e.kind === 'cast' || (e.kind === 'unary' && e.op !== '!')) return consumedField(e.arg);
  if (e.kind === 'binary' && ['&', '>>', '<<', '+', '-', '|'].includes(e.op)) return consumedField(e.left);
  return undefined;
}

interface Consumer { spec: string; has0x: boolean; arg: Expr; ls: number }
const LS_BITS: Record<number, number> = { [-2]: 8, [-1]: 16, 0: 32, 1: 64, 2: 64 };

/** Per field: the conversion that prints it in raw mode ('' = default rule) and whether `0x` precedes. */
function rawConversions(fmt: EventFormat): { conv: Map<string, Consumer>; symbolic: Set<string> } {
  const conv = new Map<string, Consumer>();
  const symbolic = new Set<string>();
  if (!fmt.printFmt) return { conv, symbolic };
  let segs;
  try { segs = splitFormat(parsePrintFmt(fmt.printFmt)); } catch { return { conv, symbolic }; }
  const convs: { field?: string; c: Consumer }[] = [];
  let prevText = '';
  for (const s of segs) {
    if (s.type === 'text') { prevText = s.text; continue; }
    const field = consumedField(s.arg);
    if (s.arg) convs.push({ field, c: { spec: s.spec, has0x: prevText.endsWith('0x'), arg: s.arg, ls: s.ls } });
    if (s.type === 'ptr' && /p[FSfs]/.test(s.spec) && field) symbolic.add(field);
    prevText = '';
  }
  let p = 0;
  for (const f of fmt.fields) {
    if (f.common) continue;
    for (let k = p; k < convs.length; k++) {
      if (convs[k].field === f.name) { conv.set(f.name, convs[k].c); p = k + 1; break; }
    }
  }
  return { conv, symbolic };
}

const cache = new WeakMap<EventFormat, RawMatcher | null>();

export function rawMatcher(fmt: EventFormat, slots: Slots): RawMatcher | null {
  const hit = cache.get(fmt);
  if (hit !== undefined) return hit;
  const own = fmt.fields.filter((f) => !f.common);
  if (own.length === 0) { cache.set(fmt, null); return null; }
  const { conv, symbolic } = rawConversions(fmt);
  const parts: string[] = [];
  const binders: RawBinder[] = [];
  const toks: Tok[] = [];
  let fastOk = true;
  own.forEach((f, i) => {
    const last = i === own.length - 1;
    const g = i + 1;
    const name = f.name;
    const slot = slots.get(name)!;
    parts.push(`${i ? ' ' : ''}${escapeRe(name)}=`);
    toks.push(lit(`${i ? ' ' : ''}${name}=`));
    if (f.isString) {
      toks.push(new Tok(T_STR, '', false, false, slot));
      parts.push(last ? '([\\s\\S]*?)' : '([\\s\\S]*?)');
      binders.push((m, st) => { st.vals[slot] = m[g]; });
      return;
    }
    if (f.isArray || f.dynamic !== 'none' || f.size > 8 || f.size === 0) {
      parts.push('(ARRAY\\[[^\\]]*\\]|[\\s\\S]*?)');
      fastOk = false;
      return;
    }
    const cons = conv.get(name);
    const spec = cons?.spec ?? '';
    const bareHex = !cons?.has0x && /%[-+ #0-9.]*[hlLzqjt]*[xX]$/.test(spec) && !spec.includes('#');
    // A consumer that is an expression of the field (`(u8)(REC->e >> 56)`) prints that expression's value.
    let set: Setter = (st, v) => { st.vals[slot] = v; };
    if (cons && cons.arg.kind !== 'field' && !(cons.arg.kind === 'cast' && cons.arg.arg.kind === 'field' && /long long|64/.test(cons.arg.type))) {
      const bits = LS_BITS[cons.ls] ?? 64;
      const inv = compileInvert(cons.arg, slots, bits >= 64 ? ALL : (1n << BigInt(bits)) - 1n);
      if (inv) { set = inv; fastOk = false; }
    }
    const sym = symbolic.has(name);
    toks.push(new Tok(T_RAWNUM, '', false, false, slot, 10, true, true, false, false, false, bareHex, null, [], sym));
    parts.push(` ?(-?\\d+|0x[0-9a-fA-F]+|[0-9a-fA-F]+|\\(nil\\)${sym ? '|' + SYM : ''})`);
    binders.push((m, st) => {
      const t = m[g];
      const c = t.charCodeAt(0);
      let v: bigint;
      if (t.length > 1 && c === 48 && (t[1] === 'x' || t[1] === 'X')) v = parseHex(t);
      else if (bareHex && /^[0-9a-fA-F]+$/.test(t)) v = parseHex(t);
      else if (/^-?\d+$/.test(t)) v = parseDec(t);
      else if (t === '(nil)') v = 0n;
      else if (/^[0-9a-fA-F]+$/.test(t)) v = parseHex(t);
      else {
        const addr = / \((0x[0-9a-fA-F]+)\)$/.exec(t);
        (st.symbols ??= new Map()).set(name, symbolName(addr ? t.slice(0, addr.index) : t));
        if (!addr) return;
        v = BigInt(addr[1]);
      }
      set(st, v);
    });
  });
  const out: RawMatcher = { re: new RegExp(`^\\s*${parts.join('')}\\s*$`), binders, fast: fastOk ? finishPlan(toks, new Array(slots.size).fill(false), false) : null };
  cache.set(fmt, out);
  return out;
}
