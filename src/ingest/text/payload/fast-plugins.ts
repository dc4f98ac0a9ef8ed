// Hand-written fast paths for the commonest libtraceevent plugin shapes (plugins.ts), which
// trace-cmd report prints by default: sched_switch `a:1 [120] R ==> b:2 [120]`, sched_wakeup /
// sched_waking `comm:pid [prio][ success=N] CPU:NNN`, kvm_entry `vcpu N[, rip 0x..]`, kvm_exit
// `[vcpu N ]reason X rip 0x.. [info a b | info1 0x.. info2 0x..[ intr_info 0x.. error_code 0x..]
// [ requests 0x..]]`, hrtimer_start and hrtimer_expire_entry. Each walks the payload [a, b) of the
// line string and leaves exactly the values the plugin's RegExp parser would set in fast.ts's
// scratch slots (then encoded by fast-encode.ts).
//
// They answer MATCH or UNKNOWN, never FAIL: whatever they do not recognise with certainty (several
// ` ==> `, a symbol after kvm_exit's rip, non-ASCII, an unknown exit reason) goes to the RegExp
// parser, so the result is always the plugin parser's. The parse runs from the right where the
// RegExp's greedy `([\s\S]*)` comm makes the last possible split win.
import type { EventFormat } from '../../tracedat/format-parser.js';
import { hexVal, isWs, MATCH, resetSlots, setDec, setHex, setSymbol, startsAt, UNKNOWN, vKind, vNum, vBig, vA, vB } from './fast.js';
import type { Slots } from './invert.js';
import { asciiBytes, asciiText } from '../lines.js';
import { exitReasonValue } from './plugins.js';
import { ownString } from './text-symbols.js';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
let S = '';
/** S's bytes, index for index, when lines.ts has them (an ASCII part); read by cc(). */
let SB: Uint8Array | null = null;
function cc(i: number): number {
  return SB !== null ? SB[i] : S.charCodeAt(i);
}

function span(slot: number | undefined, a: number, e: number): void {
  if (slot === undefined) return;
  vKind[slot] = 3;
  vA[slot] = a;
  vB[slot] = e;
}
function dec(slot: number | undefined, a: number, e: number): void {
  if (slot === undefined) return;
  if (cc(a) === 45) setDec(slot, S, a + 1, e, true);
  else setDec(slot, S, a, e, false);
}
function hex(slot: number | undefined, a: number, e: number): void {
  if (slot !== undefined) setHex(slot, S, a, e);
}
function big(slot: number | undefined, v: bigint): void {
  if (slot === undefined) return;
  if (v >= -0x1fffffffffffffn && v <= 0x1fffffffffffffn) { vKind[slot] = 1; vNum[slot] = Number(v); }
  else { vKind[slot] = 4; vBig[slot] = v; }
}
/** Start of the `-?\d+` run ending at e (exclusive), or -1. */
function decBack(e: number, lo: number): number {
  let d = e;
  while (d > lo && isDigit(cc(d - 1))) d--;
  if (d === e) return -1;
  if (d > lo && cc(d - 1) === 45) d--;
  return d;
}
/** End of the `-?\d+` / `\d+` run starting at p, or -1. */
function decFwd(p: number, b: number, minus: boolean): number {
  if (minus && p < b && cc(p) === 45) p++;
  const d = p;
  while (p < b && isDigit(cc(p))) p++;
  return p === d ? -1 : p;
}
function hexFwd(p: number, b: number): number {
  const d = p;
  while (p < b && hexVal(cc(p)) >= 0) p++;
  return p === d ? -1 : p;
}

/** `...:(-?\d+) \[(-?\d+)\]` ending at e: returns the colon position, sets pid/prio; -1 when not that. */
function commPidPrio(lo: number, e: number, pid: number | undefined, prio: number | undefined): number {
  if (cc(e - 1) !== 93) return -1;
  const p0 = decBack(e - 1, lo);
  if (p0 < 0 || cc(p0 - 1) !== 91 || cc(p0 - 2) !== 32) return -1;
  const d0 = decBack(p0 - 2, lo);
  if (d0 < 0 || d0 - 1 < lo || cc(d0 - 1) !== 58) return -1;
  dec(pid, d0, p0 - 2);
  dec(prio, p0, e - 1);
  return d0 - 1;
}

const STATE_LETTERS = 'SDTtZXxW';

/** indexOf of `t` within [p, b) of the line (String.indexOf would run on into the next lines). */
function find(t: string, p: number, b: number): number {
  const c = t.charCodeAt(0);
  for (const last = b - t.length; p <= last; p++) if (cc(p) === c && startsAt(S, t, p)) return p;
  return -1;
}

function schedSwitch(slots: Slots, a: number, b: number): number {
  const arrow = find(' ==> ', a, b);
  if (arrow < 0 || find(' ==> ', arrow + 1, b) >= 0) return UNKNOWN;
  let ss = arrow;
  while (ss > a && cc(ss - 1) !== 32) ss--;
  if (ss === arrow || ss - 1 <= a) return UNKNOWN;
  // state letters (plugin write_state): `R`, or single letters of STATE_LETTERS joined by `|`
  let bits = 0;
  if (!(arrow - ss === 1 && cc(ss) === 82)) {
    if ((arrow - ss) % 2 === 0) return UNKNOWN;
    for (let k = ss; k < arrow; k += 2) {
      const i = STATE_LETTERS.indexOf(S[k]);
      if (i < 0 || (k + 1 < arrow && cc(k + 1) !== 124)) return UNKNOWN;
      bits |= 1 << i;
    }
  }
  const c1 = commPidPrio(a, ss - 1, slots.get('prev_pid'), slots.get('prev_prio'));
  if (c1 < 0) return UNKNOWN;
  const c2 = commPidPrio(arrow + 5, b, slots.get('next_pid'), slots.get('next_prio'));
  if (c2 < 0) return UNKNOWN;
  span(slots.get('prev_comm'), a, c1);
  span(slots.get('next_comm'), arrow + 5, c2);
  const st = slots.get('prev_state');
  if (st !== undefined) { vKind[st] = 1; vNum[st] = bits; }
  return MATCH;
}

function wakeup(slots: Slots, a: number, b: number): number {
  const cd = decBack(b, a);
  if (cd < 0 || cc(cd) === 45 || cd - 5 < a || !startsAt(S, ' CPU:', cd - 5)) return UNKNOWN;
  let q = cd - 5;
  if (isDigit(cc(q - 1))) {
    const sd = decBack(q, a);
    if (sd < 0 || sd - 9 < a || !startsAt(S, ' success=', sd - 9)) return UNKNOWN;
    dec(slots.get('success'), sd, q);
    q = sd - 9;
  }
  const c = commPidPrio(a, q, slots.get('pid'), slots.get('prio'));
  if (c < 0) return UNKNOWN;
  span(slots.get('comm'), a, c);
  dec(slots.get('target_cpu'), cd, b);
  return MATCH;
}

function kvmEntry(slots: Slots, a: number, b: number): number {
  if (!startsAt(S, 'vcpu ', a)) return UNKNOWN;
  const d = decFwd(a + 5, b, false);
  if (d < 0) return UNKNOWN;
  if (d < b) {
    const r = startsAt(S, ', rip 0x', d) ? d + 8 : startsAt(S, ' rip 0x', d) ? d + 7 : -1;
    if (r < 0 || hexFwd(r, b) !== b) return UNKNOWN;
    hex(slots.get('rip'), r, b);
  }
  dec(slots.get('vcpu_id'), a + 5, d);
  return MATCH;
}

const reasonCache = new WeakMap<EventFormat, Map<string, [number, bigint] | null>>();

function kvmExit(fmt: EventFormat, slots: Slots, a: number, b: number): number {
  let p = a;
  let vcpuEnd = -1;
  if (startsAt(S, 'vcpu ', p)) {
    vcpuEnd = decFwd(p + 5, b, false);
    if (vcpuEnd < 0) return UNKNOWN;
    p = vcpuEnd;
    if (cc(p) === 44) p++;
    if (cc(p) !== 32) return UNKNOWN;
    p++;
  }
  if (!startsAt(S, 'reason ', p)) return UNKNOWN;
  const rs = p + 7;
  const rip = find(' rip 0x', rs + 1, b);
  if (rip < 0 || rip + 7 >= b) return UNKNOWN;
  for (let k = rs; k < rip; k++) {
    const c = cc(k);
    if (c >= 128 || c === 13 || c === 10) return UNKNOWN;
  }
  const he = hexFwd(rip + 7, b);
  if (he < 0) return UNKNOWN;
  // what follows the rip: nothing, ` info a b`, or ` info1 0x.. info2 0x..[ intr_info 0x.. error_code 0x..][ requests 0x..]`
  let i1 = -1, i2 = -1, i3 = -1, i4 = -1, i5 = -1;
  let e1 = 0, e2 = 0, e3 = 0, e4 = 0, e5 = 0;
  let q = he;
  if (q < b) {
    if (startsAt(S, ' info ', q)) {
      i1 = q + 6; e1 = hexFwd(i1, b);
      if (e1 < 0 || cc(e1) !== 32) return UNKNOWN;
      i2 = e1 + 1; e2 = hexFwd(i2, b);
      if (e2 !== b) return UNKNOWN;
    } else if (startsAt(S, ' info1 0x', q)) {
      i1 = q + 9; e1 = hexFwd(i1, b);
      if (e1 < 0 || !startsAt(S, ' info2 0x', e1)) return UNKNOWN;
      i2 = e1 + 9; e2 = hexFwd(i2, b);
      if (e2 < 0) return UNKNOWN;
      q = e2;
      if (startsAt(S, ' intr_info 0x', q)) {
        i3 = q + 13; e3 = hexFwd(i3, b);
        if (e3 < 0 || !startsAt(S, ' error_code 0x', e3)) return UNKNOWN;
        i4 = e3 + 14; e4 = hexFwd(i4, b);
        if (e4 < 0) return UNKNOWN;
        q = e4;
      }
      if (startsAt(S, ' requests 0x', q)) {
        i5 = q + 12; e5 = hexFwd(i5, b);
        if (e5 < 0) return UNKNOWN;
        q = e5;
      }
      if (q !== b) return UNKNOWN;
    } else return UNKNOWN;
  }
  const field = slots.has('exit_reason') ? 'exit_reason' : 'exit_code';
  let cache = reasonCache.get(fmt);
  if (!cache) reasonCache.set(fmt, (cache = new Map()));
  const name = S.slice(rs, rip);
  let r = cache.get(name);
  if (r === undefined) {
    r = exitReasonValue(fmt, field, name) ?? null;
    if (cache.size < 4096) cache.set(ownString(name), r);
  }
  if (!r) return UNKNOWN;
  if (vcpuEnd >= 0) dec(slots.get('vcpu_id'), a + 5, vcpuEnd);
  big(slots.get(field), r[1]);
  if (r[0]) big(slots.get('isa'), BigInt(r[0]));
  hex(slots.get(slots.has('guest_rip') ? 'guest_rip' : 'rip'), rip + 7, he);
  if (i1 >= 0) { hex(slots.get('info1'), i1, e1); hex(slots.get('info2'), i2, e2); }
  if (i3 >= 0) { hex(slots.get('intr_info'), i3, e3); hex(slots.get('error_code'), i4, e4); }
  if (i5 >= 0) hex(slots.get('requests'), i5, e5);
  return MATCH;
}

/** `0x<hex>` or `(nil)` at p: its end, setting the slot; -1 when neither. */
function ptrAt(slot: number | undefined, p: number, b: number): number {
  if (startsAt(S, '(nil)', p)) {
    if (slot !== undefined) { vKind[slot] = 1; vNum[slot] = 0; }
    return p + 5;
  }
  if (!startsAt(S, '0x', p)) return -1;
  const e = hexFwd(p + 2, b);
  if (e >= 0) hex(slot, p + 2, e);
  return e;
}
/** The non-blank run at p (the plugin's `\S+`), -1 on anything not plain ASCII. */
function wordAt(p: number, b: number): number {
  const d = p;
  for (; p < b; p++) {
    const c = cc(p);
    if (c >= 128) return -1;
    if (isWs(c)) break;
  }
  return p === d ? -1 : p;
}
/** plugins.ts setSym: `0x<hex>` is the address, anything else a symbol name. */
function symOrHex(slot: number | undefined, a: number, e: number): void {
  if (slot === undefined) return;
  if (e - a > 2 && cc(a) === 48 && cc(a + 1) === 120 && hexFwd(a + 2, e) === e) setHex(slot, S, a + 2, e);
  else setSymbol(slot, S, a, e);
}

function hrtimerStart(slots: Slots, a: number, b: number): number {
  if (!startsAt(S, 'hrtimer=', a)) return UNKNOWN;
  const h = ptrAt(slots.get('hrtimer'), a + 8, b);
  if (h < 0 || !startsAt(S, ' function=', h)) return UNKNOWN;
  const fe = wordAt(h + 10, b);
  if (fe < 0 || !startsAt(S, ' expires=', fe)) return UNKNOWN;
  const x = decFwd(fe + 9, b, true);
  if (x < 0 || !startsAt(S, ' softexpires=', x)) return UNKNOWN;
  const y = decFwd(x + 13, b, true);
  if (y !== b) return UNKNOWN;
  dec(slots.get('expires'), fe + 9, x);
  dec(slots.get('softexpires'), x + 13, y);
  symOrHex(slots.get('function'), h + 10, fe);
  return MATCH;
}

function hrtimerExpire(slots: Slots, a: number, b: number): number {
  if (!startsAt(S, 'hrtimer=', a)) return UNKNOWN;
  const h = ptrAt(slots.get('hrtimer'), a + 8, b);
  if (h < 0 || !startsAt(S, ' now=', h)) return UNKNOWN;
  const n = decFwd(h + 5, b, true);
  if (n < 0 || !startsAt(S, ' function=', n)) return UNKNOWN;
  const fe = wordAt(n + 10, b);
  if (fe !== b) return UNKNOWN;
  dec(slots.get('now'), h + 5, n);
  symOrHex(slots.get('function'), n + 10, fe);
  return MATCH;
}

/**
 * The plugin shape of `fmt`'s event on the payload [a, b) of s: MATCH (values in the scratch
 * slots, by slot of `fmt`) or UNKNOWN (ask plugins.ts).
 */
export function matchPlugin(fmt: EventFormat, slots: Slots, nslots: number, s: string, a: number, b: number): number {
  if (b <= a) return UNKNOWN;
  const c0 = s.charCodeAt(a);
  const cz = s.charCodeAt(b - 1);
  if (isWs(c0) || c0 >= 128 || isWs(cz) || cz >= 128) return UNKNOWN;
  resetSlots(nslots);
  S = s;
  SB = s === asciiText ? asciiBytes : null;
  let r = UNKNOWN;
  switch (fmt.name) {
    case 'sched_switch': r = schedSwitch(slots, a, b); break;
    case 'sched_wakeup': case 'sched_wakeup_new': case 'sched_waking': r = wakeup(slots, a, b); break;
    case 'kvm_entry': r = kvmEntry(slots, a, b); break;
    case 'kvm_exit': r = kvmExit(fmt, slots, a, b); break;
    case 'hrtimer_start': r = hrtimerStart(slots, a, b); break;
    case 'hrtimer_expire_entry': r = hrtimerExpire(slots, a, b); break;
    default: break;
  }
  S = '';
  SB = null;
  return r;
}
