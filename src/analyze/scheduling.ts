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

export interface SchedThread {
  wakeups: number;
  affineWakeups: number;
  migrations: number;
  runqueueWait: DurationStats;
  /** Sorted tids of the other vCPU threads co-located with this one → ns. */
  stacked: Map<string, number>;
}

interface OnCpu { tids: number[]; hash: number; since: number }
/** A set of co-located vCPU threads (sorted tids) and, per tid, the key naming the others. */
interface StackSet { tids: number[]; keys: string[] }

const mix = (tid: number) => {
  const h = Math.imul(tid ^ (tid >>> 16), 0x45d9f3b);
  return h ^ (h >>> 13);
};

export class Scheduling {
  readonly available: boolean;
  private readonly threads = new Map<number, SchedThread>();
  /** undefined: not runnable (entries are reset, not deleted: no Map churn per switch). */
  private readonly runnableSince = new Map<number, number | undefined>();
  /** vCPU thread → CPU it is runnable or running on (undefined: none). */
  private readonly placedOn = new Map<number, number | undefined>();
  /** CPU → vCPU threads placed there (sorted), and since when that set holds. */
  private readonly onCpu = new Map<number, OnCpu>();
  /** Sets of co-located threads met so far, by an order-independent hash of their tids. */
  private readonly sets = new Map<number, StackSet[]>();

  constructor(d: Dispatcher, sched: SchedTracker, private readonly thr: Threads) {
    this.available = sched.has.sched_switch;
    for (const ev of ['sched_wakeup', 'sched_wakeup_new']) {
      d.on(ev, (fmt) => {
        const pid = fieldOf(fmt, 'pid');
        const target = fieldOf(fmt, 'target_cpu');
        if (!pid) return null;
        return (b, i) => {
          const tid = readNumber(b, i, pid);
          const t = this.thread(tid);
          t.wakeups++;
          if (!target) return;
          const to = readNumber(b, i, target);
          const last = sched.lastCpu(tid);
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
        this.thread(tid).migrations++;
        if (this.placedOn.get(tid) !== undefined) this.place(tid, to, b.ts[i]);
      };
    }, 'sched');
    sched.subscribe((t) => {
      if (t.to === RUNNABLE) this.runnableSince.set(t.tid, t.ts);
      else if (t.to === RUNNING) {
        const since = this.runnableSince.get(t.tid);
        if (since !== undefined) {
          this.thread(t.tid).runqueueWait.add(t.ts - since);
          this.runnableSince.set(t.tid, undefined);
        }
      } else if (this.runnableSince.get(t.tid) !== undefined) this.runnableSince.set(t.tid, undefined);
      if (!this.thr.isVcpu(t.tid)) return;
      if (t.to === RUNNING || t.to === RUNNABLE) this.place(t.tid, t.cpu, t.ts);
      else this.place(t.tid, -1, t.ts);
    });
  }

  private thread(tid: number): SchedThread {
    let t = this.threads.get(tid);
    if (!t) this.threads.set(tid, (t = { wakeups: 0, affineWakeups: 0, migrations: 0, runqueueWait: new DurationStats(), stacked: new Map() }));
    return t;
  }

  /** Moves a vCPU thread to `cpu` (-1: off every run queue), closing the stacking intervals it ends. */
  private place(tid: number, cpu: number, ts: number): void {
    const from = this.placedOn.get(tid);
    if (from === cpu) return;
    if (from !== undefined) this.change(from, ts, tid, false);
    if (cpu >= 0) {
      this.placedOn.set(tid, cpu);
      this.change(cpu, ts, tid, true);
    } else this.placedOn.set(tid, undefined);
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
    if (add && !has) {
      a.splice(at, 0, tid);
      c.hash = (c.hash + mix(tid)) | 0;
    } else if (!add && has) {
      a.splice(at, 1);
      c.hash = (c.hash - mix(tid)) | 0;
    }
  }

  /** The interned set equal to `c.tids`, with each tid's key (the other tids, sorted, comma-joined). */
  private setOf(c: OnCpu): StackSet {
    let list = this.sets.get(c.hash);
    if (!list) this.sets.set(c.hash, (list = []));
    const a = c.tids;
    for (const s of list) if (s.tids.length === a.length && s.tids.every((x, k) => x === a[k])) return s;
    const all = a.slice();
    const s = { tids: all, keys: all.map((tid) => all.filter((x) => x !== tid).join(',')) };
    list.push(s);
    return s;
  }

  private account(c: OnCpu, ts: number): void {
    if (c.tids.length >= 2 && ts > c.since) {
      const set = this.setOf(c);
      for (let k = 0; k < set.tids.length; k++) {
        const key = set.keys[k];
        const st = this.thread(set.tids[k]).stacked;
        st.set(key, (st.get(key) ?? 0) + (ts - c.since));
      }
    }
    c.since = ts;
  }

  /** Per-thread results; `endTs` closes the stacking intervals still open at the end of the trace. */
  finish(endTs: number): Map<number, SchedThread> {
    for (const c of this.onCpu.values()) this.account(c, endTs);
    return this.threads;
  }
}
