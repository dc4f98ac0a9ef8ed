// Invariant checker for scenario event lists: what a real host's trace guarantees, so the analyses
// are tested on traces a kernel could have written. Returns the violations (empty = consistent).
//
// * timestamps strictly increase over the whole list (so per CPU too, and merges have no ties);
// * per CPU, sched_switch chains: prev_pid is the thread running there, the event's common_pid is
//   prev_pid, and every other event's common_pid is the thread running on that CPU;
// * a thread is switched in only when runnable (woken, new, or preempted) and queued on that CPU
//   (its last CPU, wakeup target or migration destination); it never runs on two CPUs;
// * sched_waking/sched_wakeup only for sleeping threads, wakeup_new only for forked ones; their
//   target_cpu and sched_migrate_task's orig_cpu agree with where the thread is queued;
// * a vCPU thread alternates kvm_exit / kvm_entry, switches out only inside an exit (in host
//   kernel mode), and emits kvm_vcpu_wakeup / kvm_userspace_exit / kvm_msr / kvm_apic_ipi only
//   inside an exit;
// * hrtimer_expire_exit closes the hrtimer_expire_entry of the same hrtimer on that CPU.
import type { ScenarioEvent } from './types.js';

type State = 'none' | 'new' | 'run' | 'sleep' | 'waking' | 'wait';

interface Th {
  state: State;
  cpu: number;
  inExit: boolean | undefined;
  isVcpu: boolean;
}

const IN_EXIT_ONLY = new Set(['kvm_vcpu_wakeup', 'kvm_userspace_exit', 'kvm_msr', 'kvm_apic_ipi', 'kvm_pio', 'kvm_page_fault', 'kvm_halt_poll_ns', 'kvm_wait_lapic_expire', 'kvm_ple_window_update']);

export interface CheckOptions {
  /** Thread running on each CPU at the start (default: the common_pid of the CPU's first event). */
  initial?: number[];
  /** Threads alive before the trace whose first appearance is a wakeup (state sleep, on this CPU). */
  sleepingAtStart?: Array<[number, number]>;
}

export function checkInvariants(evs: ScenarioEvent[], opts: CheckOptions = {}): string[] {
  const errs: string[] = [];
  const err = (i: number, msg: string): void => {
    if (errs.length < 50) errs.push(`#${i} ${evs[i].ts} cpu${evs[i].cpu} ${evs[i].event}: ${msg}`);
  };
  const cur = new Map<number, number>();
  opts.initial?.forEach((t, c) => cur.set(c, t));
  const th = new Map<number, Th>();
  const get = (tid: number): Th => {
    let t = th.get(tid);
    if (!t) th.set(tid, (t = { state: 'none', cpu: -1, inExit: undefined, isVcpu: false }));
    return t;
  };
  for (const [tid, cpu] of opts.sleepingAtStart ?? []) Object.assign(get(tid), { state: 'sleep', cpu });
  for (const [c, tid] of cur) if (tid !== 0) Object.assign(get(tid), { state: 'run', cpu: c });
  const timers = new Map<number, bigint | number>();
  let lastTs = -Infinity;
  evs.forEach((e, i) => {
    if (!(e.ts > lastTs)) err(i, `timestamp ${e.ts} not after ${lastTs}`);
    lastTs = e.ts;
    if (!cur.has(e.cpu)) {
      cur.set(e.cpu, e.pid);
      if (e.pid !== 0) {
        const t = get(e.pid);
        if (t.state === 'none') Object.assign(t, { state: 'run', cpu: e.cpu });
      }
    }
    const running = cur.get(e.cpu)!;
    const v = e.values;
    const num = (k: string): number => Number(v[k] ?? 0);
    if (e.event === 'sched_switch') {
      const prev = num('prev_pid');
      const next = num('next_pid');
      if (prev !== running) err(i, `prev_pid ${prev} but ${running} is running`);
      if (e.pid !== prev) err(i, `common_pid ${e.pid} ≠ prev_pid ${prev}`);
      if (prev !== 0) {
        const t = get(prev);
        if (t.isVcpu && t.inExit === false) err(i, `vCPU thread ${prev} switched out in guest mode`);
        const st = num('prev_state');
        t.state = st === 0 || st === 0x100 ? 'wait' : 'sleep';
        t.cpu = e.cpu;
      }
      if (next !== 0) {
        const t = get(next);
        if (t.state !== 'wait') err(i, `switch-in of ${next} in state ${t.state}`);
        if (t.cpu !== e.cpu) err(i, `switch-in of ${next} on cpu${e.cpu} but queued on cpu${t.cpu}`);
        for (const [c, r] of cur) if (r === next && c !== e.cpu) err(i, `${next} already running on cpu${c}`);
        t.state = 'run';
      }
      cur.set(e.cpu, next);
      return;
    }
    if (e.pid !== running) err(i, `common_pid ${e.pid} but ${running} is running`);
    switch (e.event) {
      case 'sched_process_fork': {
        const c = get(num('child_pid'));
        if (c.state !== 'none') err(i, `fork of existing thread ${num('child_pid')}`);
        Object.assign(c, { state: 'new', cpu: e.cpu });
        if (num('parent_pid') !== e.pid) err(i, 'parent_pid is not the forking thread');
        break;
      }
      case 'sched_wakeup_new': {
        const t = get(num('pid'));
        if (t.state !== 'new') err(i, `wakeup_new of ${num('pid')} in state ${t.state}`);
        Object.assign(t, { state: 'wait', cpu: num('target_cpu') });
        break;
      }
      case 'sched_waking': {
        const t = get(num('pid'));
        if (t.state !== 'sleep') err(i, `waking of ${num('pid')} in state ${t.state}`);
        if (t.cpu !== num('target_cpu')) err(i, `waking target_cpu ${num('target_cpu')} but thread is on cpu${t.cpu}`);
        t.state = 'waking';
        break;
      }
      case 'sched_migrate_task': {
        const t = get(num('pid'));
        if (t.state === 'run') err(i, `migration of running thread ${num('pid')}`);
        if (t.cpu !== num('orig_cpu')) err(i, `orig_cpu ${num('orig_cpu')} but thread is on cpu${t.cpu}`);
        if (num('orig_cpu') === num('dest_cpu')) err(i, 'orig_cpu = dest_cpu');
        t.cpu = num('dest_cpu');
        break;
      }
      case 'sched_wakeup': {
        const t = get(num('pid'));
        if (t.state !== 'waking' && t.state !== 'sleep') err(i, `wakeup of ${num('pid')} in state ${t.state}`);
        if (t.cpu !== num('target_cpu')) err(i, `wakeup target_cpu ${num('target_cpu')} but thread is on cpu${t.cpu}`);
        t.state = 'wait';
        break;
      }
      case 'kvm_exit': {
        const t = get(e.pid);
        t.isVcpu = true;
        if (t.inExit === true) err(i, 'kvm_exit inside an exit');
        t.inExit = true;
        break;
      }
      case 'kvm_entry': {
        const t = get(e.pid);
        t.isVcpu = true;
        if (t.inExit === false) err(i, 'kvm_entry without kvm_exit');
        t.inExit = false;
        break;
      }
      case 'hrtimer_expire_entry':
        if (timers.has(e.cpu)) err(i, 'nested hrtimer_expire_entry');
        timers.set(e.cpu, v.hrtimer as bigint);
        break;
      case 'hrtimer_expire_exit':
        if (timers.get(e.cpu) !== v.hrtimer) err(i, 'hrtimer_expire_exit without its entry');
        timers.delete(e.cpu);
        break;
      default:
        if (IN_EXIT_ONLY.has(e.event) && get(e.pid).inExit !== true) err(i, `${e.event} outside an exit of thread ${e.pid}`);
    }
  });
  return errs;
}
