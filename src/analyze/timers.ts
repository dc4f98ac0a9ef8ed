// Timer fire latency (docs/analyses.md "Timers"): kvm_wait_lapic_expire deltas per vCPU (the sign
// of the number decides late or early: trace-cmd prints `delta -2907 (late)` on some kernels), and
// the injection latency from hrtimer_expire_entry of apic_timer_fn to the next kvm_entry of the
// vCPU thread it concerns (the thread it woke, else the one it interrupted).
// Upstream: arch/x86/kvm/lapic.c (kvm_wait_lapic_expire, apic_timer_fn), include/trace/events/timer.h.
import { readBigInt, readNumber } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';
import type { KernelSymbols } from './kernel-symbols.js';
import { DurationStats } from './stats/duration-stats.js';
import { SignedStats } from './stats/signed-stats.js';

export interface TimersResult {
  lapicAvailable: boolean;
  injectionAvailable: boolean;
  lapic: SignedStats;
  lapicByThread: Map<number, SignedStats>;
  maxLate: { ns: number; ts: number; tid: number } | null;
  injection: DurationStats;
  injectionByThread: Map<number, DurationStats>;
  worstInjection: { ns: number; ts: number; tid: number; cpu: number } | null;
  /** hrtimer_expire_entry events whose function could / could not be named (no kallsyms, raw text). */
  hrtimerNamed: number;
  hrtimerUnnamed: number;
}

export class Timers {
  private readonly r: TimersResult = {
    lapicAvailable: false, injectionAvailable: false, lapic: new SignedStats(), lapicByThread: new Map(), maxLate: null,
    injection: new DurationStats(), injectionByThread: new Map(), worstInjection: null, hrtimerNamed: 0, hrtimerUnnamed: 0,
  };
  /**
   * By CPU: the apic timer being expired there (`on`): its start and the thread it woke (-1 none yet).
   * Records stay in the Maps and are reused (`on` false: none): no Map churn or object per timer.
   */
  private readonly firing: Array<{ on: boolean; ts: number; interrupted: number; woken: number } | undefined> = [];
  /** By thread index (Dispatcher.tids): time the vCPU thread's timer fired (`on`), until its next kvm_entry. */
  private readonly awaiting: Array<{ on: boolean; ts: number; cpu: number } | undefined> = [];

  constructor(d: Dispatcher, syms: KernelSymbols) {
    const tids = d.tids;
    this.r.lapicAvailable = d.on('kvm_wait_lapic_expire', (fmt) => {
      const delta = fieldOf(fmt, 'delta');
      if (!delta) return null;
      return (b, i) => {
        const v = Number(readBigInt(b, i, delta));
        const tid = b.pid[i];
        this.r.lapic.add(v);
        let s = this.r.lapicByThread.get(tid);
        if (!s) this.r.lapicByThread.set(tid, (s = new SignedStats()));
        s.add(v);
        if (v > 0 && (!this.r.maxLate || v > this.r.maxLate.ns)) this.r.maxLate = { ns: v, ts: b.ts[i], tid };
      };
    }, 'kvm') > 0;
    const entryHooks = d.on('hrtimer_expire_entry', (fmt) => {
      const fn = fieldOf(fmt, 'function');
      if (!fn) return null;
      return (b, i) => {
        const name = syms.nameAt(b, i, fn);
        if (name === '') this.r.hrtimerUnnamed++;
        else this.r.hrtimerNamed++;
        if (name !== 'apic_timer_fn') return;
        const cpu = b.cpu[i];
        let f = cpu < this.firing.length ? this.firing[cpu] : undefined;
        if (!f) {
          while (this.firing.length < cpu) this.firing.push(undefined);
          this.firing[cpu] = f = { on: false, ts: 0, interrupted: 0, woken: 0 };
        }
        f.on = true;
        f.ts = b.ts[i];
        f.interrupted = b.pid[i];
        f.woken = -1;
      };
    }, 'timer');
    d.on('hrtimer_expire_exit', () => (b, i) => {
      const cpu = b.cpu[i];
      const f = cpu < this.firing.length ? this.firing[cpu] : undefined;
      if (!f?.on) return;
      f.on = false;
      const target = f.woken >= 0 ? f.woken : f.interrupted;
      if (target <= 0) return;
      const ix = tids.of(target);
      let a = ix < this.awaiting.length ? this.awaiting[ix] : undefined;
      if (a?.on) return;
      if (!a) {
        while (this.awaiting.length < ix) this.awaiting.push(undefined);
        this.awaiting[ix] = a = { on: false, ts: 0, cpu: 0 };
      }
      a.on = true;
      a.ts = f.ts;
      a.cpu = b.cpu[i];
    }, 'timer');
    for (const ev of ['sched_wakeup', 'sched_waking']) {
      d.on(ev, (fmt) => {
        const pid = fieldOf(fmt, 'pid');
        if (!pid) return null;
        return (b, i) => {
          const cpu = b.cpu[i];
          const f = cpu < this.firing.length ? this.firing[cpu] : undefined;
          if (f?.on && f.woken < 0) f.woken = readNumber(b, i, pid);
        };
      }, 'sched');
    }
    d.on('kvm_entry', () => (b, i) => {
      const tid = b.pid[i];
      const ix = tids.of(tid);
      const a = ix < this.awaiting.length ? this.awaiting[ix] : undefined;
      if (!a?.on) return;
      a.on = false;
      const ns = b.ts[i] - a.ts;
      this.r.injection.add(ns);
      let s = this.r.injectionByThread.get(tid);
      if (!s) this.r.injectionByThread.set(tid, (s = new DurationStats()));
      s.add(ns);
      if (!this.r.worstInjection || ns > this.r.worstInjection.ns) this.r.worstInjection = { ns, ts: a.ts, tid, cpu: a.cpu };
    }, 'kvm');
    this.r.injectionAvailable = entryHooks > 0 && d.find('kvm_entry').length > 0;
  }

  finish(): TimersResult {
    // Without names for the hrtimer functions (no kallsyms: `trace-cmd report -R` text, perf script
    // without symbols) apic_timer_fn cannot be told apart: not measured, rather than zero.
    if (this.r.hrtimerNamed === 0 && this.r.hrtimerUnnamed > 0) this.r.injectionAvailable = false;
    return this.r;
  }
}
