// Scheduling of vCPU threads (docs/analyses.md "Scheduling of vCPU threads"): wakeups and affine
// wakeups (target CPU = the waker's CPU ≠ the CPU the thread last ran on), sched_migrate_task
// migrations, run-queue waits (runnable → running), and stacking: time during which two or more
// vCPU threads are runnable or running with the same CPU as their current or target CPU. Which of
// the stacked threads share a VM is only known at the end, so stacked time is kept per set of
// co-located threads and resolved then. Upstream: kernel/sched/core.c (ttwu, set_task_cpu),
// include/trace/events/sched.h.
import { readNumber } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';
import { RUNNABLE, RUNNING, type SchedTracker } from './sched-state.js';
import { DurationStats } from './stats/duration-stats.js';
import type { Threads } from './threads.js';
import type { TidIndex } from './tid-index.js';

export interface SchedThread {
  wakeups: number;
  affineWakeups: number;
  migrations: number;
  runqueueWait: DurationStats;
  /** Sorted tids of the other vCPU threads co-located with this one → ns. */
  stacked: Map<string, number>;
}

interface OnCpu { tids: number[]; hash: number; since: number }
/**
 * A set of co-located vCPU threads (sorted tids) and, per tid, the key naming the others; `ns`: its
 * stacked time so far (each tid's `stacked` entry for its key, written at the end: a (tid, key)
 * pair names exactly one set, so the sum and its order of additions are the same).
 */
interface StackSet { tids: number[]; keys: string[]; ns: number }

const mix = (tid: number) => {
  const h = Math.imul(tid ^ (tid >>> 16), 0x45d9f3b);
  return h ^ (h >>> 13);
};

function sameTids(x: number[], y: number[]): boolean {
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}

export class Scheduling {
  readonly available: boolean;
  private readonly threads = new Map<number, SchedThread>();
  /** The same records by thread index (Dispatcher.tids). */
  private readonly threadAt: Array<SchedThread | undefined> = [];
  private readonly tids: TidIndex;
  /** By thread index: runnable since (when `isRunnable` is 1). */
  private runnableSince = new Float64Array(256);
  private isRunnable = new Uint8Array(256);
  /** By thread index: the CPU a vCPU thread is runnable or running on (-1: none). */
  private placedOn = new Float64Array(256).fill(-1);
  /** Sets in the order they were first given stacked time (each thread's `stacked` keys are written in this order). */
  private readonly accounted: StackSet[] = [];
  /** CPU → vCPU threads placed there (sorted), and since when that set holds. */
  private readonly onCpu = new Map<number, OnCpu>();
  /** Sets of co-located threads met so far, by an order-independent hash of their tids. */
  private readonly sets = new Map<number, StackSet[]>();

  constructor(d: Dispatcher, sched: SchedTracker, private readonly thr: Threads) {
    this.available = sched.has.sched_switch;
    const tids = (this.tids = d.tids);
    for (const ev of ['sched_wakeup', 'sched_wakeup_new']) {
      d.on(ev, (fmt) => {
        const pid = fieldOf(fmt, 'pid');
        const target = fieldOf(fmt, 'target_cpu');
        if (!pid) return null;
        return (b, i) => {
          const tid = readNumber(b, i, pid);
          const ix = tids.of(tid);
          const t = this.thread(tid, ix);
          t.wakeups++;
          if (!target) return;
          const to = readNumber(b, i, target);
          const last = sched.lastCpuAt(ix);
          if (to === b.cpu[i] && last !== undefined && to !== last) t.affineWakeups++;
        };
      }, 'sched');
    }
    d.on('sched_migrate_task', (fmt) => {
      const pid = fieldOf(fmt, 'pid');
      const orig = fieldOf(fmt, 'orig_cpu');
      const dest = fieldOf(fmt, 'dest_cpu');
      if (!pid || !orig || !dest) return null;
      return (b, i) => {
        const tid = readNumber(b, i, pid);
        const to = readNumber(b, i, dest);
        if (readNumber(b, i, orig) === to) return;
        const ix = tids.of(tid);
        this.thread(tid, ix).migrations++;
        if (ix < this.placedOn.length && this.placedOn[ix] >= 0) this.place(tid, ix, to, b.ts[i]);
      };
    }, 'sched');
    sched.subscribe((t) => {
      const ix = t.ix;
      if (ix >= this.isRunnable.length) this.grow(ix);
      if (t.to === RUNNABLE) {
        this.runnableSince[ix] = t.ts;
        this.isRunnable[ix] = 1;
      } else if (t.to === RUNNING) {
        if (this.isRunnable[ix] === 1) {
          this.thread(t.tid, ix).runqueueWait.add(t.ts - this.runnableSince[ix]);
          this.isRunnable[ix] = 0;
        }
      } else this.isRunnable[ix] = 0;
      if (!this.thr.isVcpuAt(ix)) return;
      if (t.to === RUNNING || t.to === RUNNABLE) this.place(t.tid, ix, t.cpu, t.ts);
      else this.place(t.tid, ix, -1, t.ts);
    });
  }

  /** Room in the per-index arrays for index `ix`. */
  private grow(ix: number): void {
    const n = Math.max(ix + 1, this.isRunnable.length * 2);
    const since = new Float64Array(n);
    since.set(this.runnableSince);
    this.runnableSince = since;
    const r = new Uint8Array(n);
    r.set(this.isRunnable);
    this.isRunnable = r;
    const p = new Float64Array(n).fill(-1);
    p.set(this.placedOn);
    this.placedOn = p;
  }

  private thread(tid: number, ix = this.tids.of(tid)): SchedThread {
    let t = ix < this.threadAt.length ? this.threadAt[ix] : undefined;
    if (!t) {
      this.threads.set(tid, (t = { wakeups: 0, affineWakeups: 0, migrations: 0, runqueueWait: new DurationStats(), stacked: new Map() }));
      while (this.threadAt.length < ix) this.threadAt.push(undefined);
      this.threadAt[ix] = t;
    }
    return t;
  }

  /** Moves a vCPU thread (index `ix`) to `cpu` (-1: off every run queue), closing the stacking intervals it ends. */
  private place(tid: number, ix: number, cpu: number, ts: number): void {
    if (ix >= this.placedOn.length) this.grow(ix);
    const from = this.placedOn[ix];
    if (from === cpu) return;
    if (from >= 0) this.change(from, ts, tid, false);
    if (cpu >= 0) {
      this.placedOn[ix] = cpu;
      this.change(cpu, ts, tid, true);
    } else this.placedOn[ix] = -1;
  }

  /** Adds `tid` to (or removes it from) the threads placed on `cpu`, after accounting the set until `ts`. */
  private change(cpu: number, ts: number, tid: number, add: boolean): void {
    let c = this.onCpu.get(cpu);
    if (!c) this.onCpu.set(cpu, (c = { tids: [], hash: 0, since: ts }));
    this.account(c, ts);
    const a = c.tids;
    let at = 0;
    while (at < a.length && a[at] < tid) at++;
    const has = at < a.length && a[at] === tid;
    // Shifted by hand: splice would allocate the array of removed elements on every change.
    if (add && !has) {
      a.push(0);
      for (let k = a.length - 1; k > at; k--) a[k] = a[k - 1];
      a[at] = tid;
      c.hash = (c.hash + mix(tid)) | 0;
    } else if (!add && has) {
      for (let k = at; k < a.length - 1; k++) a[k] = a[k + 1];
      a.pop();
      c.hash = (c.hash - mix(tid)) | 0;
    }
  }

  /** The interned set equal to `c.tids`, with each tid's key (the other tids, sorted, comma-joined). */
  private setOf(c: OnCpu): StackSet {
    let list = this.sets.get(c.hash);
    if (!list) this.sets.set(c.hash, (list = []));
    const a = c.tids;
    for (const s of list) if (sameTids(s.tids, a)) return s;
    const all = a.slice();
    const s = { tids: all, keys: all.map((tid) => all.filter((x) => x !== tid).join(',')), ns: -1 };
    list.push(s);
    return s;
  }

  private account(c: OnCpu, ts: number): void {
    if (c.tids.length >= 2 && ts > c.since) {
      const set = this.setOf(c);
      if (set.ns < 0) {
        // First time: its threads get their records now, in the order they would have been written to.
        set.ns = 0;
        this.accounted.push(set);
        for (const tid of set.tids) this.thread(tid);
      }
      set.ns += ts - c.since;
    }
    c.since = ts;
  }

  /** Per-thread results; `endTs` closes the stacking intervals still open at the end of the trace. */
  finish(endTs: number): Map<number, SchedThread> {
    for (const c of this.onCpu.values()) this.account(c, endTs);
    for (const set of this.accounted) {
      for (let k = 0; k < set.tids.length; k++) this.thread(set.tids[k]).stacked.set(set.keys[k], set.ns);
    }
    return this.threads;
  }
}
