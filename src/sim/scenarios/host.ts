// Timeline builder for the scenarios: scenario code states what happens on which CPU at which time
// (switches, wakeups, migrations, forks, KVM events), in any order across CPUs; `materialize()`
// sorts everything by (ts, cpu), makes timestamps globally unique (a tie is pushed 1 ns later, which
// keeps the order) and resolves what depends on the timeline: the common_pid of an event is the
// thread running on that CPU at that time, sched_switch's prev_* is whoever was running, comms are
// the thread's name at that time. The invariant checker (check.ts) then verifies the result.
import type { FieldValue } from '../../model/payload-encoder.js';
import type { Isa, ScenarioEvent } from './types.js';

export { rng } from '../rng.js';

/** Integer in [lo, hi] from a PRNG. */
export function between(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** prev_state values as the kernel writes them (__trace_sched_switch_state). */
export const STATE = { R: 0, S: 1, D: 2, PREEMPTED: 0x100 } as const;

interface Pending {
  ts: number;
  cpu: number;
  event: string;
  pid?: number;
  values: Record<string, FieldValue>;
  seq: number;
  /** For sched_switch: the next thread and prev_state (prev resolved when materializing). */
  next?: number;
  prevState?: number;
  /** Fields holding a tid whose comm is resolved when materializing: field name → tid. */
  commOf?: Array<[string, number]>;
}

export class HostBuilder {
  readonly cpus: number;
  private readonly initial: number[];
  private readonly pending: Pending[] = [];
  private seq = 0;
  private readonly comms = new Map<number, Array<[number, string]>>();

  /** `initial[cpu]` = tid running on each CPU when the trace starts (default 0, the idle task). */
  constructor(cpus: number, initial: number[] = []) {
    this.cpus = cpus;
    this.initial = Array.from({ length: cpus }, (_, i) => initial[i] ?? 0);
  }

  /** Threads alive but sleeping when the trace starts, with the CPU they last ran on. */
  readonly sleepers: Array<[number, number]> = [];

  sleeper(tid: number, comm: string, cpu: number): void {
    this.setComm(tid, comm);
    this.sleepers.push([tid, cpu]);
  }

  /** What the invariant checker needs to know about the start of the trace. */
  checkOptions(): { initial: number[]; sleepingAtStart: Array<[number, number]> } {
    return { initial: [...this.initial], sleepingAtStart: [...this.sleepers] };
  }

  /** The thread's comm from `fromTs` on (a rename, e.g. pthread_setname_np after the fork). */
  setComm(tid: number, comm: string, fromTs = -Infinity): void {
    const l = this.comms.get(tid) ?? [];
    l.push([fromTs, comm]);
    l.sort((a, b) => a[0] - b[0]);
    this.comms.set(tid, l);
  }

  commAt(tid: number, ts: number, cpu: number): string {
    if (tid === 0) return `swapper/${cpu}`;
    const l = this.comms.get(tid);
    let c = `<${tid}>`;
    if (l) for (const [from, name] of l) if (from <= ts) c = name;
    return c;
  }

  /** Final comm of every named thread (for the cmdlines list). */
  finalComms(): Array<[number, string]> {
    return [...this.comms.entries()].map(([tid, l]) => [tid, l[l.length - 1][1]] as [number, string]).sort((a, b) => a[0] - b[0]);
  }

  /** An event on `cpu` at `ts`; pid defaults to the thread running there. */
  emit(cpu: number, ts: number, event: string, values: Record<string, FieldValue> = {}, pid?: number): void {
    if (!Number.isSafeInteger(ts)) throw new Error(`bad timestamp ${ts}`);
    if (!(cpu >= 0 && cpu < this.cpus)) throw new Error(`cpu ${cpu} out of range`);
    this.pending.push({ ts, cpu, event, pid, values, seq: this.seq++ });
  }

  private emitP(p: Omit<Pending, 'seq'>): void {
    this.pending.push({ ...p, seq: this.seq++ });
  }

  /** sched_switch on `cpu` from whoever runs there to `next`; prevState per STATE. */
  switchTo(cpu: number, ts: number, next: number, prevState: number): void {
    this.emitP({ ts, cpu, event: 'sched_switch', values: {}, next, prevState });
  }

  /**
   * try_to_wake_up of `tid` run on `cpu` (the waker's CPU): sched_waking (target_cpu = the CPU the
   * thread is on, `fromCpu`), sched_migrate_task when `toCpu` differs, sched_wakeup (target_cpu =
   * `toCpu`), spread over `gap` ns.
   */
  wake(cpu: number, ts: number, tid: number, fromCpu: number, toCpu: number, gap = 900): void {
    this.emitP({ ts, cpu, event: 'sched_waking', values: { pid: tid, prio: 120, target_cpu: fromCpu }, commOf: [['comm', tid]] });
    if (toCpu !== fromCpu) this.migrate(cpu, ts + Math.floor(gap / 2), tid, fromCpu, toCpu);
    this.emitP({ ts: ts + gap, cpu, event: 'sched_wakeup', values: { pid: tid, prio: 120, target_cpu: toCpu }, commOf: [['comm', tid]] });
  }

  wakeNew(cpu: number, ts: number, tid: number, target: number): void {
    this.emitP({ ts, cpu, event: 'sched_wakeup_new', values: { pid: tid, prio: 120, target_cpu: target }, commOf: [['comm', tid]] });
  }

  migrate(cpu: number, ts: number, tid: number, orig: number, dest: number): void {
    this.emitP({ ts, cpu, event: 'sched_migrate_task', values: { pid: tid, prio: 120, orig_cpu: orig, dest_cpu: dest }, commOf: [['comm', tid]] });
  }

  /** sched_process_fork by the thread running on `cpu`. */
  fork(cpu: number, ts: number, parent: number, child: number): void {
    this.emitP({
      ts, cpu, event: 'sched_process_fork', pid: parent, values: { parent_pid: parent, child_pid: child },
      commOf: [['parent_comm', parent], ['child_comm', child]],
    });
  }

  materialize(): ScenarioEvent[] {
    const ps = [...this.pending].sort((a, b) => a.ts - b.ts || a.cpu - b.cpu || a.seq - b.seq);
    let last = -Infinity;
    for (const p of ps) {
      if (p.ts <= last) p.ts = last + 1;
      last = p.ts;
    }
    const cur = [...this.initial];
    const out: ScenarioEvent[] = [];
    for (const p of ps) {
      const values = { ...p.values };
      for (const [field, tid] of p.commOf ?? []) values[field] = this.commAt(tid, p.ts, p.cpu);
      let pid = p.pid ?? cur[p.cpu];
      if (p.event === 'sched_switch') {
        const prev = cur[p.cpu];
        const next = p.next!;
        Object.assign(values, {
          prev_comm: this.commAt(prev, p.ts, p.cpu), prev_pid: prev, prev_prio: 120, prev_state: p.prevState ?? 0,
          next_comm: this.commAt(next, p.ts, p.cpu), next_pid: next, next_prio: 120,
        });
        pid = prev;
        cur[p.cpu] = next;
      }
      out.push({ ts: p.ts, cpu: p.cpu, event: p.event, pid, values });
    }
    return out;
  }
}

// ---- KVM helpers ---------------------------------------------------------------------------------

export interface VcpuThread {
  tid: number;
  vcpu: number;
  isa: Isa;
}

/** VMX basic exit reasons and SVM exit codes used by the scenarios (arch/x86/include/uapi/asm). */
export const VMX = {
  EXTERNAL_INTERRUPT: 1, CPUID: 10, HLT: 12, IO_INSTRUCTION: 30, MSR_READ: 31, MSR_WRITE: 32,
  PAUSE_INSTRUCTION: 40, EPT_VIOLATION: 48, EPT_MISCONFIG: 49, PREEMPTION_TIMER: 52,
} as const;
export const SVM = { interrupt: 0x60, cpuid: 0x72, pause: 0x77, hlt: 0x78, io: 0x7b, msr: 0x7c, npf: 0x400 } as const;

const GUEST_RIP = 0xffffffff81e7a2bcn;

export function kvmExit(
  b: HostBuilder, cpu: number, ts: number, v: VcpuThread, reason: number,
  extra: { info1?: number | bigint; info2?: number | bigint; intr_info?: number; rip?: bigint } = {},
): void {
  b.emit(cpu, ts, 'kvm_exit', {
    exit_reason: reason, guest_rip: extra.rip ?? GUEST_RIP, isa: v.isa, info1: extra.info1 ?? 0, info2: extra.info2 ?? 0,
    intr_info: extra.intr_info ?? 0, error_code: 0, vcpu_id: v.vcpu,
  }, v.tid);
}

export function kvmEntry(b: HostBuilder, cpu: number, ts: number, v: VcpuThread): void {
  b.emit(cpu, ts, 'kvm_entry', { vcpu_id: v.vcpu, rip: GUEST_RIP }, v.tid);
}

/** A tiny kallsyms (sorted by address) naming what the scenarios reference. */
export const SYM = {
  hrtimer_wakeup: 0xffffffff8112a0f0n,
  tick_nohz_handler: 0xffffffff81134560n,
  handle_pause: 0xffffffffc0b01230n,
  pause_interception: 0xffffffffc0c02340n,
  kvm_vcpu_on_spin: 0xffffffffc0a1b2c0n,
  apic_timer_fn: 0xffffffffc0a3c100n,
} as const;

export const KALLSYMS = [
  'ffffffff81000000 T _stext',
  'ffffffff8112a0f0 T hrtimer_wakeup',
  'ffffffff81134560 T tick_nohz_handler',
  'ffffffffc0a1b2c0 t kvm_vcpu_on_spin\t[kvm]',
  'ffffffffc0a1b3a0 t kvm_vcpu_yield_to\t[kvm]',
  'ffffffffc0a3c100 t apic_timer_fn\t[kvm]',
  'ffffffffc0a3c200 t kvm_lapic_expired_hv_timer\t[kvm]',
  'ffffffffc0b01230 t handle_pause\t[kvm_intel]',
  'ffffffffc0b01300 t handle_halt\t[kvm_intel]',
  'ffffffffc0c02340 t pause_interception\t[kvm_amd]',
  'ffffffffc0c02400 t halt_interception\t[kvm_amd]',
].join('\n') + '\n';
