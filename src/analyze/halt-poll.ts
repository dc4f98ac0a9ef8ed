// Halt polling (docs/analyses.md "Halt polling"): kvm_vcpu_wakeup after each halt — polled (the
// poll caught the wakeup, waited = 0) or waited, valid or not, with the halt time — and the
// per-vCPU poll window from kvm_halt_poll_ns grow/shrink. Both events are emitted by the vCPU
// thread itself (virt/kvm/kvm_main.c kvm_vcpu_halt, update_halt_poll_stats / grow/shrink_halt_poll_ns).
import type { EventBatch } from '../model/event-batch.js';
import { readNumber } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';

export interface HaltPollThread {
  wakeups: number;
  polled: number;
  waited: number;
  invalid: number;
  /** Σ ns of polled wakeups + Σ min(ns, window) of waited ones whose window is known. */
  pollNs: number;
  /** Waited wakeups that came within twice the poll window: a longer window would have caught them. */
  waitedJustAfterWindow: number;
  grow: number;
  shrink: number;
  window: number | null;
}

export class HaltPoll {
  readonly available: boolean;
  readonly hasWindowEvents: boolean;
  private readonly threads = new Map<number, HaltPollThread>();

  constructor(d: Dispatcher) {
    this.available = d.on('kvm_vcpu_wakeup', (fmt) => {
      const ns = fieldOf(fmt, 'ns');
      const waited = fieldOf(fmt, 'waited');
      const valid = fieldOf(fmt, 'valid');
      if (!ns || !waited) return null;
      return (b, i) => {
        const t = this.thread(b.pid[i]);
        const halt = readNumber(b, i, ns);
        t.wakeups++;
        if (valid && readNumber(b, i, valid) === 0) t.invalid++;
        if (readNumber(b, i, waited) === 0) {
          t.polled++;
          t.pollNs += halt;
        } else {
          t.waited++;
          if (t.window !== null) {
            t.pollNs += Math.min(halt, t.window);
            if (halt > t.window && halt <= 2 * t.window) t.waitedJustAfterWindow++;
          }
        }
      };
    }, 'kvm') > 0;
    this.hasWindowEvents = d.on('kvm_halt_poll_ns', (fmt) => {
      const grow = fieldOf(fmt, 'grow');
      const nw = fieldOf(fmt, 'new');
      if (!grow || !nw) return null;
      return (b: EventBatch, i: number) => {
        const t = this.thread(b.pid[i]);
        if (readNumber(b, i, grow)) t.grow++;
        else t.shrink++;
        t.window = readNumber(b, i, nw);
      };
    }, 'kvm') > 0;
  }

  private thread(tid: number): HaltPollThread {
    let t = this.threads.get(tid);
    if (!t) this.threads.set(tid, (t = { wakeups: 0, polled: 0, waited: 0, invalid: 0, pollNs: 0, waitedJustAfterWindow: 0, grow: 0, shrink: 0, window: null }));
    return t;
  }

  finish(): Map<number, HaltPollThread> {
    return this.threads;
  }
}
