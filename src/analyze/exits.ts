// VM exits (docs/analyses.md "VM exits"): each kvm_exit of a thread is paired with that thread's
// next kvm_entry; counts and duration percentiles per reason and per vCPU; each exit's time split
// into handling / scheduled out / user space / halted from the scheduler state of its thread; the
// longest exits ranked by the time not spent halted. Reason names come from the trace's own
// kvm_exit format (VMX table when isa == 1, SVM otherwise) — never from a table built in here.
// Upstream: arch/x86/kvm/trace.h (kvm_exit, kvm_entry), include/trace/events/kvm.h
// (kvm_userspace_exit); perf kvm stat's pairing (kvm-tracepoints.md §4.1) is the same exit → entry.
import type { FieldDef } from '../ingest/tracedat/format-parser.js';
import type { EventBatch } from '../model/event-batch.js';
import { readNumber } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';
import type { ExitReasons } from './exit-reasons.js';
import { RUNNABLE, RUNNING, SLEEPING, type SchedTracker, type ThreadState } from './sched-state.js';
import { DurationStats } from './stats/duration-stats.js';
import type { Threads } from './threads.js';
import type { TidIndex } from './tid-index.js';

const HANDLING = 0;
const SCHED_OUT = 1;
const USERSPACE = 2;
const HALTED = 3;

interface Open {
  /** An exit is open (no kvm_entry yet). */
  active: boolean;
  start: number;
  reason: number;
  cpu: number;
  last: number;
  cat: number;
  user: boolean;
  acc: Float64Array;
  /** The thread's totals (the `threads` entry). */
  t: PerThread;
  /** What Threads.noteVcpu last recorded for the thread: a repeat of that number changes nothing and is skipped. */
  vcpu: number;
  /** Threads that ran on the vCPU's CPU when it was switched out during the exit (first few). */
  ranInstead: number[];
}

interface Reason { count: number; stats: DurationStats }
/** What the longest exits are ranked by: their time not halted. */
const rankOf = (x: Longest) => x.durationNs - x.split[HALTED];
interface PerThread { count: number; totalNs: number; split: Float64Array }
interface Longest { ts: number; cpu: number; tid: number; reason: number; durationNs: number; split: Float64Array; ranInstead: number[] }

export interface ExitsResult {
  available: boolean;
  total: number;
  /** Exits that never reached a kvm_entry (another kvm_exit came first, or the trace ended). */
  unpaired: number;
  /** kvm_entry events with no kvm_exit open on their thread (normal once per vCPU at the trace start). */
  entriesWithoutExit?: number;
  /** Exit/entry pairs whose entry is older than the exit (time went backwards): left out of every time. */
  backwardPairs?: number;
  byReason: Array<{ reason: string; isa: string; code: number; count: number; totalNs: number; p50Ns: number | null; p90Ns: number | null; p99Ns: number | null; p999Ns: number | null; maxNs: number | null; exact: boolean }>;
  byThread: Map<number, { count: number; totalNs: number; handlingNs: number; scheduledOutNs: number; userspaceNs: number; haltedNs: number }>;
  longest: Array<{ ts: number; cpu: number; tid: number; reason: string; isa: string; durationNs: number; handlingNs: number; scheduledOutNs: number; userspaceNs: number; haltedNs: number; ranInstead: number[] }>;
}

export class Exits {
  /** By thread index (Dispatcher.tids): the thread's exit record, made on its first exit. */
  private readonly open: Array<Open | undefined> = [];
  private readonly tids: TidIndex;
  private readonly reasons: Reason[] = [];
  private readonly threads = new Map<number, PerThread>();
  private longest: Longest[] = [];
  /** The rank of `longest[longestN - 1]` (records never change once kept): an exit ranked below it is not kept. */
  private cut = NaN;
  private total = 0;
  private unpaired = 0;
  private entriesWithoutExit = 0;
  private backwardPairs = 0;
  /** Called with (reason index, entry ts − exit ts) for every exit paired with its entry, backward pairs included. */
  private readonly pairListeners: Array<(reason: number, ns: number) => void> = [];
  readonly available: boolean;

  constructor(d: Dispatcher, private readonly sched: SchedTracker, private readonly thr: Threads, private readonly names: ExitReasons, private readonly longestN = 20) {
    this.tids = d.tids;
    this.available = d.on('kvm_exit', (fmt) => {
      const reason = names.reader(fmt, d);
      if (!reason) return null;
      const vcpuF = fieldOf(fmt, 'vcpu_id');
      return (b, i) => this.onExit(b, i, reason(b, i), vcpuF);
    }, 'kvm') > 0;
    d.on('kvm_entry', (fmt) => {
      const vcpuF = fieldOf(fmt, 'vcpu_id');
      return (b, i) => this.onEntry(b, i, vcpuF);
    }, 'kvm');
    d.on('kvm_userspace_exit', () => (b, i) => this.onUserspace(b, i), 'kvm');
    sched.subscribe((t) => {
      const o = t.ix < this.open.length ? this.open[t.ix] : undefined;
      if (!o?.active) return;
      this.flush(o, t.ts);
      o.cat = this.category(t.to, o.user);
      if (t.from === RUNNING && t.next > 0 && o.ranInstead.length < 3 && !o.ranInstead.includes(t.next)) o.ranInstead.push(t.next);
    });
  }

  /** Another analysis wants this pairing's exits (reason index and duration, as paired here). */
  onPair(l: (reason: number, ns: number) => void): void {
    this.pairListeners.push(l);
  }

  private category(s: ThreadState, user: boolean): number {
    if (s === SLEEPING) return HALTED;
    if (s === RUNNABLE) return SCHED_OUT;
    return user ? USERSPACE : HANDLING;
  }

  private flush(o: Open, ts: number): void {
    if (ts > o.last) {
      o.acc[o.cat] += ts - o.last;
      o.last = ts;
    }
  }

  private onExit(b: EventBatch, i: number, r: number, vcpuF: FieldDef | undefined): void {
    const tid = b.pid[i];
    const ts = b.ts[i];
    const cpu = b.cpu[i];
    const ix = this.tids.of(tid);
    this.sched.markRunning(tid, ix, cpu, ts);
    // One record per thread, kept for the whole run (`active` while an exit is open): no object per exit.
    let o = ix < this.open.length ? this.open[ix] : undefined;
    const vcpu = vcpuF ? readNumber(b, i, vcpuF) : -1;
    const noted = vcpu !== o?.vcpu ? this.thr.noteVcpu(tid, vcpu, false) : vcpu;
    while (this.reasons.length <= r) this.reasons.push({ count: 0, stats: new DurationStats() });
    this.reasons[r].count++;
    this.total++;
    if (!o) {
      const t = { count: 0, totalNs: 0, split: new Float64Array(4) };
      this.threads.set(tid, t);
      while (this.open.length < ix) this.open.push(undefined);
      this.open[ix] = o = { active: false, start: 0, reason: 0, cpu: 0, last: 0, cat: HANDLING, user: false, acc: new Float64Array(4), t, vcpu: noted, ranInstead: [] };
    } else if (o.active) this.unpaired++;
    o.vcpu = noted;
    o.t.count++;
    o.active = true;
    o.start = ts;
    o.reason = r;
    o.cpu = cpu;
    o.last = ts;
    o.cat = HANDLING;
    o.user = false;
    const acc = o.acc;
    acc[0] = acc[1] = acc[2] = acc[3] = 0;
    if (o.ranInstead.length !== 0) o.ranInstead.length = 0; // setting length is a runtime call: only when needed
  }

  private onUserspace(b: EventBatch, i: number): void {
    const ix = this.tids.of(b.pid[i]);
    const o = ix < this.open.length ? this.open[ix] : undefined;
    if (!o?.active) return;
    this.flush(o, b.ts[i]);
    o.user = true;
    o.cat = USERSPACE;
  }

  private onEntry(b: EventBatch, i: number, vcpuF: FieldDef | undefined): void {
    const tid = b.pid[i];
    const ts = b.ts[i];
    const ix = this.tids.of(tid);
    this.sched.markRunning(tid, ix, b.cpu[i], ts);
    const o = ix < this.open.length ? this.open[ix] : undefined;
    const vcpu = vcpuF ? readNumber(b, i, vcpuF) : -1;
    if (vcpu !== o?.vcpu) {
      const now = this.thr.noteVcpu(tid, vcpu);
      if (o) o.vcpu = now;
    }
    if (!o?.active) {
      this.entriesWithoutExit++;
      return;
    }
    o.active = false;
    const d = ts - o.start;
    const ls = this.pairListeners;
    for (let k = 0; k < ls.length; k++) ls[k](o.reason, d);
    if (!(d >= 0)) {
      this.backwardPairs++; // a negative duration would corrupt the percentiles: counted, not timed
      return;
    }
    this.flush(o, ts);
    this.reasons[o.reason].stats.add(d);
    const t = o.t;
    t.totalNs += d;
    for (let k = 0; k < 4; k++) t.split[k] += o.acc[k];
    if (!this.keepLongest(o, tid, d)) return;
    o.acc = new Float64Array(4); // kept: `longest` owns the old arrays now
    o.ranInstead = [];
  }

  /** Keeps the exit among the longest candidates (it then owns `o.acc`/`o.ranInstead`); false when not kept. */
  private keepLongest(o: Open, tid: number, d: number): boolean {
    const n = this.longestN;
    if (this.longest.length >= 4 * n) {
      this.longest.sort((a, b) => rankOf(b) - rankOf(a) || a.ts - b.ts);
      this.longest.length = n;
      this.cut = n > 0 ? rankOf(this.longest[n - 1]) : NaN;
    }
    // Decided before building the record: most exits are not kept, and allocate nothing.
    if (this.longest.length >= n && d - o.acc[HALTED] < this.cut) return false;
    this.longest.push({ ts: o.start, cpu: o.cpu, tid, reason: o.reason, durationNs: d, split: o.acc, ranInstead: o.ranInstead });
    if (this.longest.length === n) this.cut = rankOf(this.longest[n - 1]);
    return true;
  }

  finish(): ExitsResult {
    for (const o of this.open) if (o?.active) this.unpaired++;
    const perThread = new Map<number, { count: number; totalNs: number; handlingNs: number; scheduledOutNs: number; userspaceNs: number; haltedNs: number }>();
    // count = every kvm_exit of the thread; times only over exits that reached their kvm_entry.
    for (const [tid, t] of this.threads) {
      perThread.set(tid, { count: t.count, totalNs: t.totalNs, handlingNs: t.split[HANDLING], scheduledOutNs: t.split[SCHED_OUT], userspaceNs: t.split[USERSPACE], haltedNs: t.split[HALTED] });
    }
    const longest = this.longest.sort((a, b) => rankOf(b) - rankOf(a) || a.ts - b.ts).slice(0, this.longestN).map((l) => ({
      ts: l.ts, cpu: l.cpu, tid: l.tid, reason: this.names.list[l.reason].reason, isa: this.names.list[l.reason].isa, durationNs: l.durationNs,
      handlingNs: l.split[HANDLING], scheduledOutNs: l.split[SCHED_OUT], userspaceNs: l.split[USERSPACE], haltedNs: l.split[HALTED], ranInstead: l.ranInstead,
    }));
    const q = (s: DurationStats, p: number) => (s.count ? s.quantile(p) : null);
    const byReason = this.reasons.map((r, k) => ({
      reason: this.names.list[k].reason, isa: this.names.list[k].isa, code: this.names.list[k].code, count: r.count, totalNs: r.stats.total,
      p50Ns: q(r.stats, 0.5), p90Ns: q(r.stats, 0.9), p99Ns: q(r.stats, 0.99), p999Ns: q(r.stats, 0.999), maxNs: r.stats.count ? r.stats.max : null, exact: r.stats.isExact,
    })).filter((r) => r.count > 0).sort((a, b) => b.count - a.count || a.code - b.code);
    return { available: this.available, total: this.total, unpaired: this.unpaired, entriesWithoutExit: this.entriesWithoutExit, backwardPairs: this.backwardPairs, byReason, byThread: perThread, longest };
  }
}
