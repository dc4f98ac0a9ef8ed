// The one line scanner behind every text grammar. It finds the timestamp anchor — the first
// `<digits>[.<digits>]:` that follows a space, `]` or the line start and is followed by whitespace
// and an event token (`name:` or `system:name:`, optionally after perf's period column) — and then
// reads what stands before it from the right: ftrace flags (`d..2.`) or trace-cmd -l's CPU+flags
// (`0d..2.`), `[cpu]`, ftrace's `(tgid)`, and the task: `comm-pid` (trace-cmd, ftrace), `comm tid`
// or `comm pid/tid` (perf), a bare tid, a bare comm, or nothing. Comms may contain spaces, slashes,
// dashes and colons (`CPU 0/KVM`, `kworker/1:1`, `kvm-nx-lpage-re`, `vhost-1234`): the pid is
// always the last `-<digits>` / `<space><digits>` before the CPU column.
//
// No regex and no allocation per line: results are index ranges into the line's string, written
// into a reused LineRecord. Characters are read from the string's shape (lines.ts shapeOf: the
// part's bytes) in a local typed array, with no helper call per character: in a function this
// large V8 stops inlining small helpers (an `at(s, i)` helper was left a call at about half of its
// call sites, one call per character read). Timestamps stay exact integers: seconds (`hi`) and
// nanoseconds (`lo`, the fraction scaled to 9 digits); an integer timestamp (raw counter) is split
// the same way.

import { addToken, knownToken, tokHash, tokSys } from './event-tokens.js';
import { shapeOf, viewOf } from './lines.js';
import { startsAt } from './payload/fast.js';

export const K_EVENT = 1;
export const K_SKIP = 2;
export const K_LOST = 3;
export const K_UNPARSED = 4;
export const K_CPUS = 5;

export interface ScanMode {
  /** trace-cmd multi-input / instance prefix `name: ` at the very start of the line. */
  prefix: boolean;
  /** perf -F ...,ip,sym: strip the trailing ` <hex ip> <sym>[ (<dso>)]` after the payload. */
  stripIpSym: boolean;
  /** perf -g: indented `<hex> <sym>` lines under a sample are callchain lines (skipped). */
  callchain: boolean;
  /** Excerpts: accept `event: payload` lines without timestamp when the event is known. */
  noTs: boolean;
  isKnownEvent?: (s: string, start: number, end: number) => boolean;
}

export class LineRecord {
  bufStart = -1;
  bufEnd = -1;
  commStart = -1;
  commEnd = -1;
  pid = -1;
  tgid = -1;
  cpu = -1;
  /** 0 none, 1 `sec.frac`, 2 integer (raw counter). */
  tsKind = 0;
  tsHi = 0;
  tsLo = 0;
  fracDigits = 0;
  sysStart = -1;
  sysEnd = -1;
  evStart = -1;
  evEnd = -1;
  /** Hash of the event token (`system:name` or `name`): h = h * 31 + char, over its characters. */
  evHash = 0;
  /** Id of the event token among those scan.ts has seen (same id, same text), -1 when none. */
  evTok = -1;
  payStart = -1;
  payEnd = -1;
  /** common_flags / common_preempt_count from a flags column, -1 when absent. */
  flags = -1;
  preempt = -1;
  /** K_LOST: cpu and count (-1 unknown); K_CPUS: the count in `lostCpu`. */
  lostCpu = -1;
  lostCount = -1;
  reason = '';
  /** Character before the pid: 45 `-` (comm-pid), 32 space (perf comm tid), 47 `/` (pid/tid); 0 none. */
  pidSep = 0;
  /** trace-cmd -l: the CPU was glued to the flags (`0d..2.`). */
  latency = false;
  ipLen = 0;

  reset(): void {
    this.bufStart = this.bufEnd = this.commStart = this.commEnd = -1;
    this.pid = this.tgid = this.cpu = -1;
    this.tsKind = 0;
    this.sysStart = this.sysEnd = this.evStart = this.evEnd = this.payStart = this.payEnd = this.evTok = -1;
    this.flags = this.preempt = -1;
    this.pidSep = 0;
    this.latency = false;
  }
}

const STACK = /<(user )?stack trace>/;
const POW10 = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
/** Event-token characters [A-Za-z0-9_.-] as a table (one load instead of six comparisons). */
const IDENT = new Uint8Array(256);
for (let c = 0; c < 128; c++) IDENT[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 ? 1 : 0;
function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function num(u: Uint8Array, a: number, b: number): number {
  let v = 0;
  for (let i = a; i < b; i++) v = v * 10 + (u[i] - 48);
  return v;
}

/** Sets the payload range after the event token's colon at e. */
function payloadAfter(u: Uint8Array, e: number, b: number, r: LineRecord): void {
  let p = e + 1;
  let c = 0;
  while (p < b && ((c = u[p]) === 32 || c === 9)) p++;
  let pe = b;
  while (pe > p && ((c = u[pe - 1]) === 32 || c === 9)) pe--;
  r.payStart = p;
  r.payEnd = pe;
}

/**
 * Reads `[period ]event:` or `[period ]system:event:` at q (after the timestamp colon); sets the
 * event and payload ranges. Returns false when no event token is there.
 */
function eventAt(u: Uint8Array, q: number, b: number, r: LineRecord, allowPeriod: boolean): boolean {
  let c = 0;
  while (q < b && ((c = u[q]) === 32 || c === 9)) q++;
  // a token read before (event-tokens.ts): compared whole, not read character by character
  let k = q;
  while (k < b && ((c = u[k]) !== 58 || (k + 1 < b && u[k + 1] !== 32))) k++; // the first `: `
  const id = k > q && k + 1 < b ? knownToken(u, viewOf(u), q, k + 1 - q) : -1;
  if (id >= 0) {
    const sys = tokSys[id];
    r.sysStart = sys >= 0 ? q : -1;
    r.sysEnd = sys >= 0 ? q + sys : -1;
    r.evStart = sys >= 0 ? q + sys + 1 : q;
    r.evEnd = k;
    r.evHash = tokHash[id];
    r.evTok = id;
    payloadAfter(u, k, b, r);
    return true;
  }
  let e = q;
  let h = 0; // hash of the event token (text-source.ts looks its entry up by it)
  for (; e < b && IDENT[(c = u[e])] === 1; e++) h = (Math.imul(h, 31) + c) | 0;
  if (e === q) return false;
  if (allowPeriod && e < b && ((c = u[e]) === 32 || c === 9)) {
    // perf's period column: a number between the time and the event
    for (let j = q; j < e; j++) if ((c = u[j]) < 48 || c > 57) return false;
    return eventAt(u, e, b, r, false);
  }
  if (e >= b || u[e] !== 58) return false;
  let sysStart = -1;
  let sysEnd = -1;
  let evStart = q;
  if (e + 1 < b && isIdentStart(u[e + 1])) {
    // system:event
    let e2 = e + 1;
    h = (Math.imul(h, 31) + 58) | 0;
    for (; e2 < b && IDENT[(c = u[e2])] === 1; e2++) h = (Math.imul(h, 31) + c) | 0;
    if (e2 < b && u[e2] === 58 && (e2 + 1 >= b || (c = u[e2 + 1]) === 32 || c === 9)) {
      sysStart = q;
      sysEnd = e;
      evStart = e + 1;
      e = e2;
    } else return false;
  } else if (e + 1 < b && (c = u[e + 1]) !== 32 && c !== 9) return false;
  r.sysStart = sysStart;
  r.sysEnd = sysEnd;
  r.evStart = evStart;
  r.evEnd = e;
  r.evHash = h;
  r.evTok = e + 1 < b && u[e + 1] === 32 ? addToken(u, viewOf(u), q, e + 1 - q, sysStart >= 0 ? sysEnd - q : -1, h) : -1;
  payloadAfter(u, e, b, r);
  return true;
}

// ftrace flag characters by column (kernel trace_output.c trace_print_lat_fmt).
const IRQ = '.dDX';
const RESCHED = '.NnpPLlBb';
const HARDSOFT = '.hHsSzZb';

/** Checks an ftrace flags token [a, b) (4 or 5 chars) and sets common_flags/preempt_count. */
function flagsToken(s: string, u: Uint8Array, a: number, b: number, r: LineRecord): boolean {
  const n = b - a;
  if (n < 4 || n > 5) return false;
  const c0 = s[a];
  const c1 = s[a + 1];
  const c2 = s[a + 2];
  if (IRQ.indexOf(c0) < 0 || RESCHED.indexOf(c1) < 0 || HARDSOFT.indexOf(c2) < 0) return false;
  for (let k = a + 3; k < b; k++) {
    const c = u[k];
    if (c !== 46 && !isHex(c)) return false;
  }
  // TRACE_FLAG_IRQS_OFF 0x01, IRQS_NOSUPPORT 0x02, NEED_RESCHED 0x04, HARDIRQ 0x08, SOFTIRQ 0x10,
  // PREEMPT_RESCHED 0x20, NMI 0x40, BH_OFF 0x80
  let f = 0;
  if (c0 === 'd') f |= 0x01;
  else if (c0 === 'X') f |= 0x02;
  else if (c0 === 'D') f |= 0x81;
  if (c1 === 'N') f |= 0x24;
  else if (c1 === 'n') f |= 0x04;
  else if (c1 === 'p') f |= 0x20;
  if (c2 === 'h') f |= 0x08;
  else if (c2 === 's') f |= 0x10;
  else if (c2 === 'H') f |= 0x18;
  else if (c2 === 'z') f |= 0x48;
  else if (c2 === 'Z') f |= 0x58;
  else if (c2 === 'b') f |= 0x80;
  let pc = 0;
  const pd = u[a + 3];
  if (pd !== 46) pc = parseInt(s[a + 3], 16);
  if (n === 5) {
    const md = u[a + 4];
    if (md !== 46) pc |= parseInt(s[a + 4], 16) << 4;
  }
  r.flags = f;
  r.preempt = pc;
  return true;
}

function lostLine(s: string, u: Uint8Array, h: number, b: number, r: LineRecord): boolean {
  // CPU:<n> [<count> EVENTS DROPPED] | CPU:<n> [EVENTS DROPPED] | CPU:<n> [LOST <count> EVENTS]
  let p = h + 4;
  const d0 = p;
  while (p < b && isDigit(u[p])) p++;
  if (p === d0 || !startsAt(s, ' [', p)) return false;
  r.lostCpu = num(u, d0, p);
  p += 2;
  if (startsAt(s, 'LOST ', p)) {
    p += 5;
    const c0 = p;
    while (p < b && isDigit(u[p])) p++;
    if (p === c0 || !startsAt(s, ' EVENTS]', p)) return false;
    r.lostCount = num(u, c0, p);
    return true;
  }
  const c0 = p;
  while (p < b && isDigit(u[p])) p++;
  if (p > c0) {
    if (u[p] !== 32) return false;
    r.lostCount = num(u, c0, p);
    p++;
  } else r.lostCount = -1;
  return startsAt(s, 'EVENTS DROPPED]', p);
}

/** Scans one line [a, b) of s into r; returns its kind (K_*). */
export function scanLine(s: string, a: number, b: number, m: ScanMode, r: LineRecord): number {
  const u = shapeOf(s);
  r.reset();
  let c = 0;
  let p = a;
  while (p < b && ((c = u[p]) === 32 || c === 9)) p++;
  if (p === b) return K_SKIP;
  const c0 = u[p];
  if (c0 === 35) return K_SKIP; // '#': perf / ftrace headers and comments
  let h = p;
  if (m.prefix) {
    // `name: ` (trace-cmd several -i: right-aligned file names; instances: `foo: `)
    let q = p;
    let alpha = false;
    c = 0;
    while (q < b && (c = u[q]) !== 32 && c !== 58) {
      if (!isDigit(c) && c !== 46) alpha = true;
      q++;
    }
    if (alpha && c === 58 && q + 1 < b && u[q + 1] === 32 && !(q - p === 3 && startsAt(s, 'CPU', p))) {
      r.bufStart = p;
      r.bufEnd = q;
      h = q + 2;
      while (h < b && ((c = u[h]) === 32 || c === 9)) h++;
    }
  }
  const ch = h < b ? u[h] : 0;
  if (ch === 67 /* C */) {
    if (startsAt(s, 'CPU:', h)) {
      if (lostLine(s, u, h, b, r)) return K_LOST;
    } else if (startsAt(s, ' is empty', b - 9) && startsAt(s, 'CPU ', h)) return K_SKIP;
  } else if (ch === 99 /* c */ && startsAt(s, 'cpus=', h)) {
    let q = h + 5;
    while (q < b && isDigit(u[q])) q++;
    if (q === b && q > h + 5) {
      r.lostCpu = num(u, h + 5, q);
      return K_CPUS;
    }
  } else if (ch === 118 /* v */ && startsAt(s, 'version = ', h)) return K_SKIP;

  // The timestamp anchor: the first `<digits>[.<digits>]: <event token>`.
  let tsStart = -1;
  let dot = -1;
  // (String.indexOf: a vectorised search, cheaper than a loop over the ~35 characters before it)
  let colon = s.indexOf(':', h);
  for (; colon >= 0 && colon < b; colon = s.indexOf(':', colon + 1)) {
    const nx = colon + 1 < b ? u[colon + 1] : 32;
    if ((nx !== 32 && nx !== 9) || colon === h) continue;
    let j = colon - 1;
    let d = -1;
    for (; j >= h; j--) {
      c = u[j];
      if (c >= 48 && c <= 57) continue;
      if (c === 46 && d < 0) {
        d = j;
        continue;
      }
      break;
    }
    const t0 = j + 1;
    const before = j >= h ? u[j] : 32;
    if (t0 < colon && d !== t0 && d !== colon - 1 && (before === 32 || before === 9 || before === 93) && eventAt(u, colon + 1, b, r, true)) {
      tsStart = t0;
      dot = d;
      break;
    }
  }

  if (tsStart < 0) {
    // kernel stack traces under an event (`=> func`, `<stack trace>`): not events, not garbage
    if (c0 === 61 && startsAt(s, '=> ', p)) return K_SKIP;
    if (STACK.test(s.slice(p, b))) return K_SKIP; // (not s.indexOf: it would search on past the line)
    if (m.callchain && p > a && isHex(c0)) {
      let q = p;
      while (q < b && isHex(u[q])) q++;
      if (q - p >= 4 && (q === b || isSpace(u[q]))) return K_SKIP;
    }
    if (m.noTs && isIdentStart(c0)) {
      // `comm-pid: event: payload` (comm and pid, nothing else)
      const c = s.indexOf(': ', p);
      if (c > p && c < b) {
        let d = c;
        while (d > p && isDigit(u[d - 1])) d--;
        if (d < c && d - 1 > p && u[d - 1] === 45 && s.lastIndexOf(' ', c) < p && eventAt(u, c + 1, b, r, false)) {
          r.pid = num(u, d, c);
          r.pidSep = 45;
          r.commStart = p;
          r.commEnd = d - 1;
          const ks = r.sysStart >= 0 ? r.sysStart : r.evStart;
          if (!m.isKnownEvent || m.isKnownEvent(s, ks, r.evEnd)) return K_EVENT;
          r.reset();
        }
      }
    }
    if (m.noTs && isIdentStart(c0) && eventAt(u, p, b, r, false)) {
      const ks = r.sysStart >= 0 ? r.sysStart : r.evStart;
      if (!m.isKnownEvent || m.isKnownEvent(s, ks, r.evEnd)) return K_EVENT;
      r.reason = 'unknown event without timestamp';
      return K_UNPARSED;
    }
    r.reason = 'no timestamp and event';
    return K_UNPARSED;
  }

  // Timestamp value.
  if (dot < 0) {
    const n = colon - tsStart;
    if (n > 24) {
      r.reason = 'timestamp too long';
      return K_UNPARSED;
    }
    if (n > 9) {
      r.tsHi = num(u, tsStart, colon - 9);
      r.tsLo = num(u, colon - 9, colon);
    } else {
      r.tsHi = 0;
      r.tsLo = num(u, tsStart, colon);
    }
    r.tsKind = 2;
    r.fracDigits = 0;
  } else {
    if (dot - tsStart > 15) {
      r.reason = 'timestamp too long';
      return K_UNPARSED;
    }
    let hi = 0;
    for (let i = tsStart; i < dot; i++) hi = hi * 10 + (u[i] - 48);
    r.tsHi = hi;
    const f = colon - dot - 1;
    const fe = f > 9 ? dot + 10 : colon;
    let lo = 0;
    for (let i = dot + 1; i < fe; i++) lo = lo * 10 + (u[i] - 48);
    r.tsLo = lo * POW10[fe - dot - 1];
    r.tsKind = 1;
    r.fracDigits = f;
  }

  // What stands before the timestamp, from the right.
  let e = tsStart;
  while (e > h && ((c = u[e - 1]) === 32 || c === 9)) e--;
  if (e > h && u[e - 1] !== 93) {
    let t = e;
    while (t > h && (c = u[t - 1]) !== 32 && c !== 9) t--;
    let d = t;
    while (d < e && (c = u[d]) >= 48 && c <= 57) d++;
    if (d < e && flagsToken(s, u, d, e, r)) {
      if (d > t) {
        r.cpu = num(u, t, d); // trace-cmd -l: CPU digits glued to the flags
        r.latency = true;
      }
      e = t;
      while (e > h && ((c = u[e - 1]) === 32 || c === 9)) e--;
    }
  }
  if (e > h && u[e - 1] === 93) {
    let lb = e - 2; // lastIndexOf('[') within the line (the builtin is a call, and runs on past h)
    while (lb >= h && u[lb] !== 91) lb--;
    if (lb < h || lb + 1 >= e - 1) {
      r.reason = 'bad CPU column';
      return K_UNPARSED;
    }
    let cpu = 0;
    for (let k = lb + 1; k < e - 1; k++) {
      c = u[k];
      if (c < 48 || c > 57) {
        r.reason = 'bad CPU column';
        return K_UNPARSED;
      }
      cpu = cpu * 10 + (c - 48);
    }
    r.cpu = cpu;
    e = lb;
    while (e > h && ((c = u[e - 1]) === 32 || c === 9)) e--;
  }
  if (e > h && u[e - 1] === 41) {
    // ftrace record-tgid: `(  123)` or `(-------)`
    let lp = e - 2;
    while (lp >= h && u[lp] !== 40) lp--;
    if (lp >= h) {
      let q = lp + 1;
      while (q < e - 1 && u[q] === 32) q++;
      const d0 = q;
      while (q < e - 1 && isDigit(u[q])) q++;
      if (q > d0 && q === e - 1) r.tgid = num(u, d0, q);
      e = lp;
      while (e > h && ((c = u[e - 1]) === 32 || c === 9)) e--;
    }
  }
  let d = e;
  while (d > h && (c = u[d - 1]) >= 48 && c <= 57) d--;
  let ce = e;
  if (d < e && e - d <= 10) {
    const bc = d > h ? u[d - 1] : 32;
    if (bc === 45) {
      r.pid = num(u, d, e);
      r.pidSep = 45;
      ce = d - 1;
    } else if (bc === 47) {
      // perf -F +pid: pid/tid
      let d2 = d - 1;
      while (d2 > h && isDigit(u[d2 - 1])) d2--;
      const bc2 = d2 > h ? u[d2 - 1] : 32;
      if (d2 < d - 1 && isSpace(bc2)) {
        r.pid = num(u, d, e);
        r.tgid = num(u, d2, d - 1);
        r.pidSep = 47;
        ce = d2;
      }
    } else if (bc === 32 || bc === 9) {
      let pid = 0;
      for (let i = d; i < e; i++) pid = pid * 10 + (u[i] - 48);
      r.pid = pid;
      r.pidSep = 32;
      ce = d;
    }
  }
  let cs = h;
  while (ce > cs && ((c = u[ce - 1]) === 32 || c === 9)) ce--;
  while (cs < ce && ((c = u[cs]) === 32 || c === 9)) cs++;
  if (ce > cs) {
    r.commStart = cs;
    r.commEnd = ce;
  }

  if (m.stripIpSym) stripIpSym(s, u, r);
  return K_EVENT;
}

/** perf -F ...,ip,sym[,dso]: ` <hex ip> <sym>[+off][ (<dso>)]` after the trace payload. */
function stripIpSym(s: string, u: Uint8Array, r: LineRecord): void {
  let e = r.payEnd;
  const a = r.payStart;
  if (e > a && u[e - 1] === 41) {
    const lp = s.lastIndexOf(' (', e - 1);
    if (lp <= a) return;
    e = lp;
  }
  const sp = s.lastIndexOf(' ', e - 1);
  if (sp < a) return;
  let q = sp;
  while (q > a && u[q - 1] === 32) q--;
  let x = q;
  while (x > a && isHex(u[x - 1])) x--;
  if (x === q || q - x > 16 || (x > a && u[x - 1] !== 32)) return;
  r.ipLen = q - x;
  while (x > a && u[x - 1] === 32) x--;
  r.payEnd = x;
}

/** True when the line ends with perf's ip/sym columns (used by the sniff). */
export function hasIpSym(s: string, r: LineRecord): boolean {
  const before = r.payEnd;
  r.ipLen = 0;
  stripIpSym(s, shapeOf(s), r);
  const changed = r.payEnd !== before && r.ipLen === 16;
  r.payEnd = before;
  return changed;
}
