// What the first bytes of a text input look like: every complete line of the head is scanned
// leniently and counted by style, so each grammar's sniff is a cheap test on these counts.
import { K_CPUS, K_EVENT, K_LOST, K_SKIP, LineRecord, hasIpSym, scanLine, type ScanMode } from './scan.js';

export interface HeadStats {
  /** Lines that are not blank, comments or headers (the last, possibly cut, line excluded). */
  lines: number;
  events: number;
  /** Events by style. */
  perfStyle: number;
  commPid: number;
  withCpu: number;
  flags: number;
  latency: number;
  tgid: number;
  noTs: number;
  ipSym: number;
  prefixed: number;
  lostLines: number;
  /** Lines not understood that follow an event (wrapped lines of a pasted excerpt). */
  orphans: number;
  cpus?: number;
  ftraceHeader: boolean;
  perfHeader: boolean;
  binary: boolean;
}

const dec = new TextDecoder('utf-8');
const cache = new WeakMap<Uint8Array, HeadStats>();

export function looksBinary(head: Uint8Array): boolean {
  let ctl = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === 0) return true;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) ctl++;
  }
  return ctl > head.length / 100;
}

export function headStats(head: Uint8Array, isKnownEvent: ScanMode['isKnownEvent'], full = false): HeadStats {
  const hit = cache.get(head);
  if (hit) return hit;
  const st: HeadStats = {
    lines: 0, events: 0, perfStyle: 0, commPid: 0, withCpu: 0, flags: 0, latency: 0, tgid: 0, noTs: 0, ipSym: 0,
    prefixed: 0, lostLines: 0, orphans: 0, ftraceHeader: false, perfHeader: false, binary: looksBinary(head),
  };
  cache.set(head, st);
  if (st.binary) return st;
  const text = dec.decode(head);
  const mode: ScanMode = { prefix: true, stripIpSym: false, callchain: true, noTs: true, isKnownEvent };
  const r = new LineRecord();
  let pos = 0;
  let afterEvent = false;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    // the last line may be cut by the head size
    if (nl < 0 && !full) break;
    let end = nl < 0 ? text.length : nl;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    const line = text.slice(pos, end);
    if (/^# tracer: |^# entries-in-buffer\/entries-written: /.test(line)) st.ftraceHeader = true;
    if (/^# ========$|^# captured on\s*:|^# perf version : /.test(line)) st.perfHeader = true;
    const k = scanLine(text, pos, end, mode, r);
    if (k === K_CPUS) st.cpus = r.lostCpu;
    else if (k === K_LOST) st.lostLines++;
    else if (k !== K_SKIP) {
      st.lines++;
      if (k !== K_EVENT && afterEvent) st.orphans++;
      else afterEvent = k === K_EVENT;
      if (k === K_EVENT) {
        st.events++;
        if (r.tsKind === 0) st.noTs++;
        if (r.cpu >= 0) st.withCpu++;
        if (r.latency) st.latency++;
        else if (r.flags >= 0) st.flags++;
        if (r.tgid >= 0 && r.pidSep === 45) st.tgid++;
        if (r.bufStart >= 0) st.prefixed++;
        if (r.pidSep === 45) st.commPid++;
        else if (r.sysStart >= 0 && (r.pidSep === 32 || r.pidSep === 47)) st.perfStyle++;
        if (r.sysStart >= 0 && hasIpSym(text, r)) st.ipSym++;
      }
    }
    if (nl < 0) break;
    pos = nl + 1;
  }
  return st;
}

/** Most of the head's lines are events (text of some other kind fails this). */
export function mostlyEvents(st: HeadStats): boolean {
  return st.events > 0 && st.events >= 0.6 * st.lines;
}
