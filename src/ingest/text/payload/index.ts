// Field values from the payload TEXT of one event line (`perf script`, `trace-cmd report` with or
// without plugins, `trace-cmd report -R`, tracefs `trace`), using the kernel's print fmt in reverse.
// The text line grammar (comm/pid/cpu/ts/event) is parsed elsewhere (src/ingest/text/); this module
// only sees the event name and the text after it.
//
// Order per line: the raw `name=value` form of each candidate layout, then each layout's print fmt,
// then the libtraceevent plugin shapes (plugins.ts). Candidates come newest layout first. The last
// (candidate, form) that worked for an event is tried first next time.
//
// Recovered values: numeric fields as bigint, normalised to the field's size and signedness exactly
// as the binary decoder (model/field-access.ts readBigInt) returns them; char arrays and __data_loc
// strings as string. Fields the text does not carry stay 0n / ''. `%ps`-printed pointers (function
// tracer ip/parent_ip, hrtimer function, ftrace print ip) have no address in the text: their symbol
// text goes to `symbols` (field name → symbol) and the field stays 0n.
import type { EventFormat } from '../../tracedat/format-parser.js';
import { shippedFormats } from '../formats/index.js';
import { FAIL, MATCH, matchFast, type FastPlan } from './fast.js';
import { fmtMatcher } from './fmt-matcher.js';
import type { MatchState } from './invert.js';
import { matchPlugin } from './fast-plugins.js';
import { PLUGINS } from './plugins.js';
import { rawMatcher } from './raw-matcher.js';
import { SlotMap } from './slot-map.js';

export interface FormatCatalog {
  /** Candidate layouts for an event (system optional, e.g. `kvm` or perf's `probe`), newest layout first. */
  lookup(system: string | undefined, event: string): EventFormat[];
  all(): EventFormat[];
}

export type PayloadForm = 'raw' | 'fmt' | 'plugin';

export interface ParsedPayload {
  format: EventFormat;
  values: Map<string, bigint | string>;
  /** Which text form was recognised. */
  form: PayloadForm;
  /** Symbol text of pointer fields printed as symbols (%ps, plugins): field name → symbol. */
  symbols?: Map<string, string>;
}

export function catalogFrom(formats: EventFormat[]): FormatCatalog {
  const byName = new Map<string, EventFormat[]>();
  for (const f of formats) {
    const l = byName.get(f.name);
    if (l) l.push(f); else byName.set(f.name, [f]);
  }
  const memo = new Map<string, EventFormat[]>();
  const none: EventFormat[] = [];
  return {
    lookup(system, event) {
      const key = system === undefined ? event : `${system}:${event}`;
      let hit = memo.get(key);
      if (hit) return hit;
      const l = byName.get(event) ?? none;
      hit = system === undefined ? l : l.filter((f) => f.system === system);
      // perf names kprobes `probe:x`, tracefs `kprobes:x`: fall back to the bare name.
      if (hit.length === 0 && system !== undefined) hit = l;
      memo.set(key, hit);
      return hit;
    },
    all: () => formats,
  };
}

let shipped: FormatCatalog | undefined;
export function shippedCatalog(): FormatCatalog {
  return (shipped ??= catalogFrom(shippedFormats().map((s) => s.format)));
}

// ---- per-format value templates and normalisation

export interface FormatInfo {
  names: string[];
  slots: Map<string, number>;
  init: Array<bigint | string>;
  /** [slot, min, max, bits, signed] of the numeric fields. */
  nums: Array<[number, bigint, bigint, number, boolean]>;
  /** A fresh MatchState (the fast path's opaque binders). */
  fresh: (asserts: boolean) => MatchState;
}
const infoCache = new WeakMap<EventFormat, FormatInfo>();
function infoOf(fmt: EventFormat): FormatInfo {
  let i = infoCache.get(fmt);
  if (i) return i;
  const info: FormatInfo = { names: [], slots: new Map(), init: [], nums: [], fresh: (asserts) => newState(info, asserts) };
  i = info;
  for (const f of fmt.fields) {
    if (f.common) continue;
    const slot = i.names.length;
    i.names.push(f.name);
    i.slots.set(f.name, slot);
    const scalar = !f.isArray && f.dynamic === 'none' && f.size > 0 && f.size <= 8;
    i.init.push(scalar ? 0n : '');
    const bits = f.size * 8;
    if (scalar) {
      const lo = f.signed ? -(1n << BigInt(bits - 1)) : 0n;
      const hi = f.signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
      i.nums.push([slot, lo, hi, bits, f.signed]);
    }
  }
  infoCache.set(fmt, i);
  return i;
}

function newState(info: FormatInfo, asserts: boolean): MatchState {
  return { vals: info.init.slice(), asserts: asserts ? new Map() : null, symbols: null };
}

function finish(fmt: EventFormat, info: FormatInfo, st: MatchState, form: PayloadForm): ParsedPayload {
  const vals = st.vals;
  for (const [slot, lo, hi, bits, signed] of info.nums) {
    const v = vals[slot];
    if (typeof v !== 'bigint') { vals[slot] = 0n; continue; }
    if (v < lo || v > hi) vals[slot] = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
  }
  const out: ParsedPayload = { format: fmt, values: new SlotMap(info.names, info.slots, vals), form };
  if (st.symbols) out.symbols = st.symbols;
  return out;
}

function tryForm(fmt: EventFormat, form: PayloadForm, payload: string): ParsedPayload | null {
  const info = infoOf(fmt);
  if (form === 'raw') {
    const rm = rawMatcher(fmt, info.slots);
    const m = rm?.re.exec(payload);
    if (!m) return null;
    const st = newState(info, false);
    for (const b of rm!.binders) b(m, st);
    return finish(fmt, info, st, form);
  }
  if (form === 'fmt') {
    const fm = fmtMatcher(fmt, info.slots);
    const m = fm?.re.exec(payload);
    if (!m) return null;
    const st = newState(info, fm!.needAsserts);
    for (const b of fm!.binders) b(m, st);
    return finish(fmt, info, st, form);
  }
  const plugin = PLUGINS.get(fmt.name);
  if (!plugin) return null;
  const st = newState(info, false);
  if (!plugin(fmt, payload, st, info.slots)) return null;
  return finish(fmt, info, st, form);
}

const FORMS: PayloadForm[] = ['raw', 'fmt', 'plugin'];

/**
 * The last (layout, form) that worked for a candidate list, tried first next time. One mutable
 * object per list (shared by parsePayload and parseRange), so a text source can hold it and skip
 * the lookups; `plan`/`nslots` cache that pair's fast matcher.
 */
export interface RangeMemo {
  cands: EventFormat[];
  fmt: EventFormat | null;
  form: PayloadForm;
  plan: FastPlan | null;
  info: FormatInfo | null;
}
const lastHit = new WeakMap<EventFormat[], RangeMemo>();

export function memoOf(cands: EventFormat[]): RangeMemo {
  let m = lastHit.get(cands);
  if (!m) {
    m = { cands, fmt: null, form: 'raw', plan: null, info: null };
    lastHit.set(cands, m);
  }
  return m;
}

function remember(m: RangeMemo, fmt: EventFormat, form: PayloadForm): void {
  m.fmt = fmt;
  m.form = form;
  m.info = infoOf(fmt);
  m.plan = fastPlanOf(fmt, form, m.info);
}

/** Tries raw `a=1 b=x` form, then the kernel print fmt of each candidate layout, then known plugin shapes. null = not understood. */
export function parsePayload(catalog: FormatCatalog, system: string | undefined, event: string, payload: string): ParsedPayload | null {
  const cands = catalog.lookup(system, event);
  if (cands.length === 0) return null;
  const last = memoOf(cands);
  const lf = last.fmt;
  const lform = last.form;
  if (lf) {
    const r = tryForm(lf, lform, payload);
    if (r) return r;
  }
  for (const form of FORMS) {
    for (const fmt of cands) {
      if (lf === fmt && lform === form) continue;
      const r = tryForm(fmt, form, payload);
      if (r) { remember(last, fmt, form); return r; }
    }
  }
  return null;
}

// ---- the text source's path: same order and memo as parsePayload, on a range of the line

/** parseRange outcomes. */
export const P_NONE = 0;
/** Matched by the fast path: the values are in fast.ts's scratch arrays, by slot of `rangeFormat`. */
export const P_FAST = 1;
/** Matched by the RegExp path: `rangeParsed`. */
export const P_SLOW = 2;

export let rangeFormat: EventFormat | null = null;
export let rangeParsed: ParsedPayload | null = null;

function fastPlanOf(fmt: EventFormat, form: PayloadForm, info: FormatInfo): FastPlan | null {
  if (form === 'raw') return rawMatcher(fmt, info.slots)?.fast ?? null;
  if (form === 'fmt') return fmtMatcher(fmt, info.slots)?.fast ?? null;
  return null;
}

/**
 * Whether the hand-written fast paths run (fast.ts, fast-plugins.ts, fast-encode.ts). Off, every
 * payload takes the RegExp parsers and PayloadEncoder: the reference the fast paths must equal
 * byte for byte (test/ingest/text/fast-vs-regexp.test.ts).
 */
export let fastPaths = true;
export function setFastPaths(on: boolean): void {
  fastPaths = on;
}

function attemptWith(fmt: EventFormat, form: PayloadForm, info: FormatInfo, plan: FastPlan | null, s: string, a: number, b: number): number {
  if (!fastPaths) {
    // reference path: the RegExp parsers only
  } else if (plan) {
    const r = matchFast(plan, info.names.length, s, a, b, plan.hasOpaque ? info.fresh : null);
    if (r === MATCH) {
      rangeFormat = fmt;
      return P_FAST;
    }
    if (r === FAIL) return P_NONE;
  } else if (form === 'plugin') {
    const r = matchPlugin(fmt, info.slots, info.names.length, s, a, b);
    if (r === MATCH) {
      rangeFormat = fmt;
      return P_FAST;
    }
  }
  const p = tryForm(fmt, form, s.slice(a, b));
  if (!p) return P_NONE;
  rangeFormat = fmt;
  rangeParsed = p;
  return P_SLOW;
}

function attempt(fmt: EventFormat, form: PayloadForm, s: string, a: number, b: number): number {
  const info = infoOf(fmt);
  return attemptWith(fmt, form, info, fastPlanOf(fmt, form, info), s, a, b);
}

/**
 * parsePayload of `s.slice(a, b)` for the candidates of `memo` (memoOf(catalog.lookup(...))),
 * without the slice and, where the fast path decides, without RegExp or BigInt: P_FAST (scratch
 * values), P_SLOW (`rangeParsed`) or P_NONE. Same candidate/form order and the same last-hit memo.
 */
export function parseRange(memo: RangeMemo, s: string, a: number, b: number): number {
  rangeParsed = null;
  rangeFormat = null;
  const cands = memo.cands;
  if (cands.length === 0) return P_NONE;
  const lf = memo.fmt;
  const lform = memo.form;
  if (lf) {
    const r = attemptWith(lf, lform, memo.info!, memo.plan, s, a, b);
    if (r !== P_NONE) return r;
  }
  for (const form of FORMS) {
    for (const fmt of cands) {
      if (lf === fmt && lform === form) continue;
      const r = attempt(fmt, form, s, a, b);
      if (r !== P_NONE) { remember(memo, fmt, form); return r; }
    }
  }
  return P_NONE;
}

/** The format's own (non-common) field names, in slot order. */
export function slotNames(fmt: EventFormat): readonly string[] {
  return infoOf(fmt).names;
}
