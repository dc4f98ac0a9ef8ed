// Where every thread is, from the scheduler tracepoints: running (on a CPU), runnable (woken or
// preempted, waiting on a run queue) or sleeping. Analyses subscribe to the transitions (exit time
// split, lock-holder preemption, stacking, run-queue waits).
// sched_switch prev_state: a sleeping state when `prev_state & mask` ≠ 0, where mask is the one the
// kernel's own print fmt applies before __print_flags (0xff on 6.x: S D T t X Z P I); 0 prints as
// R (preempted, still runnable). Upstream: include/trace/events/sched.h (__trace_sched_switch_state).
import type { FieldDef } from '../ingest/tracedat/format-parser.js';
import { extractSymbolTables } from '../ingest/tracedat/symbol-tables.js';
import type { EventBatch } from '../model/event-batch.js';
import { readNumber } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';
import type { TidIndex } from './tid-index.js';

export const UNKNOWN = 0;
export const RUNNING = 1;
export const RUNNABLE = 2;
export const SLEEPING = 3;
export type ThreadState = typeof UNKNOWN | typeof RUNNING | typeof RUNNABLE | typeof SLEEPING;

export interface Transition {
  tid: number;
  /** The thread's dense index (Dispatcher.tids). */
  ix: number;
  from: ThreadState;
  to: ThreadState;
  ts: number;
  /** CPU the thread runs on (RUNNING), was switched out of, or was woken onto. */
  cpu: number;
  /** For RUNNING → other: the thread switched in instead (-1 when unknown). */
  next: number;
}

export type TransitionListener = (t: Transition) => void;

export class SchedTracker {
  /** By thread index (Dispatcher.tids): state, and the CPU it last ran on (-1: never seen running). */
  private state = new Uint8Array(256);
  private cpuOf = new Int32Array(256).fill(-1);
  private readonly tids: TidIndex;
  private readonly listeners: TransitionListener[] = [];
  /** CPU → tid running there (from sched_switch). */
  readonly current = new Map<number, number>();
  /** Which scheduler events the trace has (analyses say what is missing). */
  readonly has = { sched_switch: false, sched_wakeup: false, sched_waking: false, sched_migrate_task: false };
  private readonly t: Transition = { tid: 0, ix: 0, from: UNKNOWN, to: UNKNOWN, ts: 0, cpu: 0, next: -1 };

  constructor(d: Dispatcher) {
    this.tids = d.tids;
    this.has.sched_switch = d.on('sched_switch', (fmt) => {
      const prev = fieldOf(fmt, 'prev_pid');
      const next = fieldOf(fmt, 'next_pid');
      const st = fieldOf(fmt, 'prev_state');
      if (!prev || !next || !st) return null;
      const table = extractSymbolTables(fmt).find((x) => x.field === 'prev_state' && x.kind === 'flags');
      const mask = table?.mask !== undefined ? Number(table.mask & 0xffffffffn) : 0xff;
      return (b, i) => this.onSwitch(b, i, prev, next, st, mask);
    }, 'sched') > 0;
    for (const name of ['sched_wakeup', 'sched_wakeup_new', 'sched_waking'] as const) {
      const n = d.on(name, (fmt) => {
        const pid = fieldOf(fmt, 'pid');
        const target = fieldOf(fmt, 'target_cpu');
        if (!pid) return null;
        return (b, i) => this.onWakeup(b, i, pid, target);
      }, 'sched');
      if (n > 0) this.has[name === 'sched_waking' ? 'sched_waking' : 'sched_wakeup'] = true;
    }
    this.has.sched_migrate_task = d.find('sched_migrate_task', 'sched').length > 0;
  }

  subscribe(l: TransitionListener): void {
    this.listeners.push(l);
  }

  /** The state of the thread of index `ix` (Dispatcher.tids). */
  stateAt(ix: number): ThreadState {
    return ix < this.state.length ? (this.state[ix] as ThreadState) : UNKNOWN;
  }

  stateOf(tid: number): ThreadState {
    return this.stateAt(this.tids.of(tid));
  }

  lastCpu(tid: number): number | undefined {
    return this.lastCpuAt(this.tids.of(tid));
  }

  /** lastCpu by thread index (Dispatcher.tids). */
  lastCpuAt(ix: number): number | undefined {
    const c = ix < this.cpuOf.length ? this.cpuOf[ix] : -1;
    return c < 0 ? undefined : c;
  }

  /** Another analysis saw `tid` (index `ix`) emit an event on `cpu`: it is running there. */
  markRunning(tid: number, ix: number, cpu: number, ts: number): void {
    if (ix >= this.state.length || this.state[ix] !== RUNNING) this.move(tid, ix, RUNNING, ts, cpu, -1);
  }

  private grow(ix: number): void {
    let n = this.state.length * 2;
    while (n <= ix) n *= 2;
    const st = new Uint8Array(n);
    st.set(this.state);
    this.state = st;
    const c = new Int32Array(n).fill(-1);
    c.set(this.cpuOf);
    this.cpuOf = c;
  }

  private move(tid: number, ix: number, to: ThreadState, ts: number, cpu: number, next: number): void {
    if (ix >= this.state.length) this.grow(ix);
    const from = this.state[ix] as ThreadState;
    this.state[ix] = to;
    if (to === RUNNING) this.cpuOf[ix] = cpu;
    const t = this.t;
    t.tid = tid;
    t.ix = ix;
    t.from = from;
    t.to = to;
    t.ts = ts;
    t.cpu = cpu;
    t.next = next;
    for (const l of this.listeners) l(t);
  }

  private onSwitch(b: EventBatch, i: number, prevF: FieldDef, nextF: FieldDef, stF: FieldDef, mask: number): void {
    const ts = b.ts[i];
    const cpu = b.cpu[i];
    const prev = readNumber(b, i, prevF);
    const next = readNumber(b, i, nextF);
    const sleeping = (readNumber(b, i, stF) & mask) !== 0;
    if (prev !== 0) this.move(prev, this.tids.of(prev), sleeping ? SLEEPING : RUNNABLE, ts, cpu, next);
    if (next !== 0) this.move(next, this.tids.of(next), RUNNING, ts, cpu, -1);
    this.current.set(cpu, next);
  }

  private onWakeup(b: EventBatch, i: number, pidF: FieldDef, targetF: FieldDef | undefined): void {
    const tid = readNumber(b, i, pidF);
    const ix = this.tids.of(tid);
    const s = this.stateAt(ix);
    // A wakeup of a running or already woken thread changes nothing (sched_waking then sched_wakeup).
    if (s === RUNNING || s === RUNNABLE) return;
    const cpu = targetF ? readNumber(b, i, targetF) : b.cpu[i];
    this.move(tid, ix, RUNNABLE, b.ts[i], cpu, -1);
  }
}
