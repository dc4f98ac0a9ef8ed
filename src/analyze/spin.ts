// Spinning vCPUs (docs/analyses.md "Spinning"): kvm_vcpu_on_spin calls recorded by the function
// tracer (ftrace `function` events whose ip is kvm_vcpu_on_spin) or by a kprobe named after it,
// PAUSE exits, PLE window changes, and — at each spin — which other vCPU threads were runnable but
// not running (lock-holder preemption when one of them belongs to the same VM).
// Upstream: virt/kvm/kvm_main.c kvm_vcpu_on_spin; arch/x86/kvm/vmx/vmx.c handle_pause; trace.h
// kvm_ple_window_update; kvm-tracepoints.md §2.10, §2.22, §5.7.
import { readBigInt } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';
import type { ExitReasons } from './exit-reasons.js';
import type { KernelSymbols } from './kernel-symbols.js';
import { RUNNABLE, type SchedTracker } from './sched-state.js';
import type { Threads } from './threads.js';

const PAUSE_NAMES = new Set(['PAUSE_INSTRUCTION', 'pause']);

export interface SpinThread {
  onSpinEvents: number;
  pauseExits: number;
  pleGrow: number;
  pleShrink: number;
  /** Sorted tids of the other vCPU threads runnable-but-waiting at a spin → number of spins. */
  waitingSets: Map<string, number>;
}

export interface SpinResult {
  /** Which evidence the trace carries. */
  hasOnSpin: boolean;
  hasExits: boolean;
  hasPle: boolean;
  byThread: Map<number, SpinThread>;
}

export class Spin {
  private readonly r: SpinResult = { hasOnSpin: false, hasExits: false, hasPle: false, byThread: new Map() };
  /** vCPU threads runnable but not running, in no particular order (a spin's key sorts them). */
  private readonly runnableVcpus: number[] = [];
  /** By thread index (Dispatcher.tids): 1 while the thread is in `runnableVcpus`. */
  private inSet = new Uint8Array(256);
  private readonly isPause: boolean[] = [];

  constructor(d: Dispatcher, sched: SchedTracker, private readonly threads: Threads, reasons: ExitReasons, syms: KernelSymbols) {
    const fn = d.on('function', (fmt) => {
      const ip = fieldOf(fmt, 'ip');
      if (!ip) return null;
      return (b, i) => {
        if (syms.nameAt(b, i, ip) === 'kvm_vcpu_on_spin') this.onSpin(b.pid[i]);
      };
    }, 'ftrace');
    const probe = d.on('kvm_vcpu_on_spin', () => (b, i) => this.onSpin(b.pid[i]));
    this.r.hasOnSpin = fn + probe > 0;
    this.r.hasExits = d.on('kvm_exit', (fmt) => {
      const reason = reasons.reader(fmt, d);
      if (!reason) return null;
      return (b, i) => {
        const k = reason(b, i);
        let p = this.isPause[k];
        if (p === undefined) p = this.isPause[k] = PAUSE_NAMES.has(reasons.list[k].reason);
        if (p) this.thread(b.pid[i]).pauseExits++;
      };
    }, 'kvm') > 0;
    for (const name of ['kvm_ple_window_update', 'kvm_ple_window']) {
      this.r.hasPle = d.on(name, (fmt) => {
        const oldF = fieldOf(fmt, 'old');
        const newF = fieldOf(fmt, 'new');
        if (!oldF || !newF) return null;
        return (b, i) => {
          const t = this.thread(b.pid[i]);
          if (readBigInt(b, i, newF) > readBigInt(b, i, oldF)) t.pleGrow++;
          else t.pleShrink++;
        };
      }, 'kvm') > 0 || this.r.hasPle;
    }
    sched.subscribe((t) => {
      const ix = t.ix;
      if (t.to === RUNNABLE && this.threads.isVcpuAt(ix)) {
        if (ix >= this.inSet.length) {
          const grown = new Uint8Array(Math.max(ix + 1, this.inSet.length * 2));
          grown.set(this.inSet);
          this.inSet = grown;
        }
        if (this.inSet[ix] === 0) this.runnableVcpus.push(t.tid);
        this.inSet[ix] = 1;
      } else if (ix < this.inSet.length && this.inSet[ix] === 1) {
        const list = this.runnableVcpus;
        const at = list.indexOf(t.tid);
        list[at] = list[list.length - 1];
        list.pop();
        this.inSet[ix] = 0;
      }
    });
  }

  private thread(tid: number): SpinThread {
    let t = this.r.byThread.get(tid);
    if (!t) this.r.byThread.set(tid, (t = { onSpinEvents: 0, pauseExits: 0, pleGrow: 0, pleShrink: 0, waitingSets: new Map() }));
    return t;
  }

  private onSpin(tid: number): void {
    const t = this.thread(tid);
    t.onSpinEvents++;
    const list = this.runnableVcpus;
    if (list.length === 0 || (list.length === 1 && list[0] === tid)) return;
    const key = list.filter((x) => x !== tid).sort((a, b) => a - b).join(',');
    t.waitingSets.set(key, (t.waitingSets.get(key) ?? 0) + 1);
  }

  finish(): SpinResult {
    return this.r;
  }
}
