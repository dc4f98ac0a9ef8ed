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

export const UNKNOWN = 0;
export const RUNNING = 1;
export const RUNNABLE = 2;
export const SLEEPING = 3;
export type ThreadState = typeof UNKNOWN | typeof RUNNING | typeof RUNNABLE | typeof SLEEPING;

export interface Transition {
  tid: number;
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
  private readonly state = new Map<number, ThreadState>();
  private readonly cpuOf = new Map<number, number>();
  private readonly listeners: TransitionListener[] = [];
  /** CPU → tid running there (from sched_switch). */
  readonly current = new Map<number, number>();
  /** Which scheduler events the trace has (analyses say what is missing). */
  readonly has = { sched_switch: false, sched_wakeup: false, sched_waking: false, sched_migrate_task: false };
  private readonly t: Transition = { tid: 0, from: UNKNOWN, to: UNKNOWN, ts: 0, cpu: 0, next: -1 };

  constructor(d: Dispatcher) {
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

  stateOf(tid: number): ThreadState {
    return this.state.get(tid) ?? UNKNOWN;
  }

  lastCpu(tid: number): number | undefined {
    return this.cpuOf.get(tid);
  }

  /** Another analysis saw `tid` emit an event on `cpu`: it is running there. */
  markRunning(tid: number, cpu: number, ts: number): void {
    if (this.state.get(tid) !== RUNNING) this.move(tid, RUNNING, ts, cpu, -1);
  }

  private move(tid: number, to: ThreadState, ts: number, cpu: number, next: number): void {
    const from = this.state.get(tid) ?? UNKNOWN;
    this.state.set(tid, to);
    if (to === RUNNING) this.cpuOf.set(tid, cpu);
    const t = this.t;
    t.tid = tid;
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
    if (prev !== 0) this.move(prev, sleeping ? SLEEPING : RUNNABLE, ts, cpu, next);
    if (next !== 0) this.move(next, RUNNING, ts, cpu, -1);
    this.current.set(cpu, next);
  }

  private onWakeup(b: EventBatch, i: number, pidF: FieldDef, targetF: FieldDef | undefined): void {
    const tid = readNumber(b, i, pidF);
    const s = this.state.get(tid) ?? UNKNOWN;
    // A wakeup of a running or already woken thread changes nothing (sched_waking then sched_wakeup).
    if (s === RUNNING || s === RUNNABLE) return;
    const cpu = targetF ? readNumber(b, i, targetF) : b.cpu[i];
    this.move(tid, RUNNABLE, b.ts[i], cpu, -1);
  }
}
