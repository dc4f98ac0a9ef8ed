// The scenarios' truth: a deliberately simple, brute-force reading of a scenario's event list that
// follows docs/analyses.md rule by rule. It never looks at the parameters the scenario used to
// generate the events, only at the events (and the kallsyms text), so a generator bug shows up as
// a truth that disagrees with the scenario's intent (the tests assert hand-computed values).
// Speed does not matter here (a few thousand events): every question is answered by re-scanning.
import type {
  ExitReasonTruth, ExitSplit, ExitVcpuTruth, LongExitTruth, ScenarioEvent, ScenarioTruth, TruthVm,
} from './types.js';

/** Nearest-rank percentile: the value at 1-based rank ⌈p/100 · n⌉ of the ascending values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1];
}

const VMX_NAMES: Record<number, string> = {
  0: 'EXCEPTION_NMI', 1: 'EXTERNAL_INTERRUPT', 7: 'INTERRUPT_WINDOW', 10: 'CPUID', 12: 'HLT', 18: 'VMCALL',
  28: 'CR_ACCESS', 30: 'IO_INSTRUCTION', 31: 'MSR_READ', 32: 'MSR_WRITE', 40: 'PAUSE_INSTRUCTION',
  44: 'APIC_ACCESS', 48: 'EPT_VIOLATION', 49: 'EPT_MISCONFIG', 52: 'PREEMPTION_TIMER', 56: 'APIC_WRITE',
};
const SVM_NAMES: Record<number, string> = {
  0x60: 'interrupt', 0x64: 'vintr', 0x72: 'cpuid', 0x77: 'pause', 0x78: 'hlt', 0x7b: 'io', 0x7c: 'msr',
  0x81: 'hypercall', 0x400: 'npf',
};

export function exitReasonName(isa: number, code: number): string {
  const n = isa === 1 ? VMX_NAMES[code & 0xffff] : SVM_NAMES[code];
  if (n === undefined) throw new Error(`truth: no name for exit reason ${code} isa ${isa}`);
  return n;
}

/** kallsyms text → resolver (the symbol with the greatest address ≤ ip). */
export function kallsymsResolver(text: string): (ip: bigint) => string | null {
  const syms: Array<[bigint, string]> = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)\s+\S\s+(\S+)/i.exec(line);
    if (m) syms.push([BigInt(`0x${m[1]}`), m[2]]);
  }
  syms.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return (ip) => {
    let best: string | null = null;
    for (const [a, n] of syms) if (a <= ip) best = n;
    return best;
  };
}

type RunState = 'none' | 'run' | 'sleep' | 'wait';

interface Segment {
  from: number;
  state: RunState;
  /** Current CPU (run), or the CPU it waits on / would run on (wait). */
  cpu: number;
}

const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(Number(v ?? 0)));
const n = (v: unknown): number => Number(v ?? 0);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

export interface TruthMeta {
  kallsyms: string;
  /** Final thread names (cmdlines); else the last name seen in the events. */
  cmdlines?: Array<[number, string]>;
}

export function computeTruth(evs: readonly ScenarioEvent[], meta: TruthMeta): Omit<ScenarioTruth, 'expectedVerdicts'> {
  const resolve = kallsymsResolver(meta.kallsyms);

  // ---- threads, VMs, vCPUs ------------------------------------------------------------------------
  const comm = new Map<number, string>();
  for (const e of evs) {
    if (e.event === 'sched_switch') {
      comm.set(n(e.values.prev_pid), String(e.values.prev_comm));
      comm.set(n(e.values.next_pid), String(e.values.next_comm));
    } else if (e.event.startsWith('sched_wak') || e.event === 'sched_migrate_task') {
      comm.set(n(e.values.pid), String(e.values.comm));
    }
  }
  for (const [tid, c] of meta.cmdlines ?? []) comm.set(tid, c);
  const vcpuOf = new Map<number, number>();
  for (const e of evs) {
    if ((e.event === 'kvm_exit' || e.event === 'kvm_entry') && !vcpuOf.has(e.pid)) vcpuOf.set(e.pid, n(e.values.vcpu_id));
  }
  for (const [tid, c] of comm) {
    const m = /^CPU (\d+)\/KVM$/.exec(c);
    if (m && !vcpuOf.has(tid)) vcpuOf.set(tid, Number(m[1]));
  }
  const parent = new Map<number, number>();
  for (const e of evs) if (e.event === 'sched_process_fork') parent.set(n(e.values.child_pid), n(e.values.parent_pid));
  const vmPidOf = new Map<number, number>();
  for (const tid of vcpuOf.keys()) {
    const p = parent.get(tid);
    if (p === undefined) throw new Error(`truth: vCPU thread ${tid} has no fork event (scenarios always fork)`);
    vmPidOf.set(tid, p);
  }
  const vmId = (pid: number): string => `vm-${pid}`;
  const vms: TruthVm[] = [...new Set(vmPidOf.values())].sort((a, b) => a - b).map((pid) => ({
    id: vmId(pid), name: comm.get(pid) ?? `<${pid}>`, pid,
    vcpus: [...vcpuOf.keys()].filter((t) => vmPidOf.get(t) === pid)
      .map((tid) => ({ vcpu: vcpuOf.get(tid)!, tid, comm: comm.get(tid) ?? `<${tid}>` }))
      .sort((a, b) => a.vcpu - b.vcpu),
  }));
  const vcpuThreads = [...vcpuOf.keys()].sort((a, b) => a - b);
  const key = (tid: number): { vm: string; vcpu: number } => ({ vm: vmId(vmPidOf.get(tid)!), vcpu: vcpuOf.get(tid)! });
  const byKey = <T extends { vm: string; vcpu: number }>(a: T, b: T): number => (a.vm < b.vm ? -1 : a.vm > b.vm ? 1 : a.vcpu - b.vcpu);

  // ---- per-thread run-state timeline (sched events only) -------------------------------------------
  const segs = new Map<number, Segment[]>();
  const push = (tid: number, from: number, state: RunState, cpu: number): void => {
    const l = segs.get(tid)!;
    l.push({ from, state, cpu });
  };
  for (const tid of vcpuThreads) {
    // Before anything is known: a thread forked in the trace does not exist yet; any other thread
    // is taken to be running where it first shows up.
    const forked = parent.has(tid);
    const first = evs.find((e) => e.pid === tid);
    segs.set(tid, [{ from: -Infinity, state: forked ? 'none' : 'run', cpu: first?.cpu ?? -1 }]);
  }
  for (const e of evs) {
    const v = e.values;
    const last = (tid: number): Segment => segs.get(tid)![segs.get(tid)!.length - 1];
    if (e.event === 'sched_switch') {
      const prev = n(v.prev_pid);
      const next = n(v.next_pid);
      if (segs.has(prev)) {
        const st = n(v.prev_state);
        push(prev, e.ts, st === 0 || st === 0x100 ? 'wait' : 'sleep', e.cpu);
      }
      if (segs.has(next)) push(next, e.ts, 'run', e.cpu);
    } else if (e.event === 'sched_waking' || e.event === 'sched_wakeup' || e.event === 'sched_wakeup_new') {
      const tid = n(v.pid);
      if (!segs.has(tid)) continue;
      const s = last(tid);
      if (s.state === 'sleep' || s.state === 'none') push(tid, e.ts, 'wait', n(v.target_cpu));
      else if (s.state === 'wait' && s.cpu !== n(v.target_cpu)) push(tid, e.ts, 'wait', n(v.target_cpu));
    } else if (e.event === 'sched_migrate_task') {
      const tid = n(v.pid);
      if (!segs.has(tid)) continue;
      const s = last(tid);
      if (s.state !== 'run') push(tid, e.ts, s.state, n(v.dest_cpu));
    }
  }
  /** Time in [a, b) spent by `tid` in each state. */
  const timeIn = (tid: number, a: number, b: number): Record<RunState, number> => {
    const r: Record<RunState, number> = { none: 0, run: 0, sleep: 0, wait: 0 };
    const l = segs.get(tid)!;
    for (let i = 0; i < l.length; i++) {
      const s = Math.max(a, l[i].from);
      const e = Math.min(b, i + 1 < l.length ? l[i + 1].from : Infinity);
      if (e > s) r[l[i].state] += e - s;
    }
    return r;
  };
  const stateAt = (tid: number, t: number): Segment => {
    const l = segs.get(tid)!;
    let lo = 0; // binary search: the last segment starting at or before t (l[0] starts at -Infinity)
    let hi = l.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (l[mid].from <= t) lo = mid;
      else hi = mid - 1;
    }
    return l[lo];
  };

  // ---- exits ----------------------------------------------------------------------------------------
  interface Exit extends ExitSplit { tid: number; ts: number; cpu: number; reason: string; isa: 1 | 2; duration: number | null }
  const exits: Exit[] = [];
  const open = new Map<number, Exit>();
  const userspaceFrom = new Map<number, number>();
  for (const e of evs) {
    if (e.event === 'kvm_exit') {
      const prev = open.get(e.pid);
      if (prev) exits.push(prev); // ended without a duration
      const isa = n(e.values.isa) === 1 ? 1 : 2;
      open.set(e.pid, {
        tid: e.pid, ts: e.ts, cpu: e.cpu, isa, reason: exitReasonName(isa, n(e.values.exit_reason)), duration: null,
        handlingNs: 0, scheduledOutNs: 0, userspaceNs: 0, haltedNs: 0,
      });
      userspaceFrom.delete(e.pid);
    } else if (e.event === 'kvm_userspace_exit') {
      if (open.has(e.pid) && !userspaceFrom.has(e.pid)) userspaceFrom.set(e.pid, e.ts);
    } else if (e.event === 'kvm_entry') {
      const x = open.get(e.pid);
      if (!x) continue;
      open.delete(e.pid);
      x.duration = e.ts - x.ts;
      const all = timeIn(e.pid, x.ts, e.ts);
      const u = userspaceFrom.get(e.pid);
      const user = u === undefined ? 0 : timeIn(e.pid, u, e.ts).run;
      x.haltedNs = all.sleep;
      x.scheduledOutNs = all.wait;
      x.userspaceNs = user;
      x.handlingNs = all.run - user;
      if (all.none !== 0) throw new Error('truth: exit of a thread that does not exist');
      if (x.haltedNs + x.scheduledOutNs + x.userspaceNs + x.handlingNs !== x.duration) throw new Error('truth: split does not add up');
      exits.push(x);
    }
  }
  for (const x of open.values()) exits.push(x);
  exits.sort((a, b) => a.ts - b.ts);
  const done = exits.filter((x) => x.duration !== null);
  const reasons = [...new Set(exits.map((x) => `${x.isa}|${x.reason}`))];
  const byReason: ExitReasonTruth[] = reasons.map((k) => {
    const [isa, reason] = [Number(k.split('|')[0]) as 1 | 2, k.split('|')[1]];
    const ds = done.filter((x) => x.reason === reason && x.isa === isa).map((x) => x.duration!);
    return {
      reason, isa, count: exits.filter((x) => x.reason === reason && x.isa === isa).length, totalNs: sum(ds),
      p50Ns: percentile(ds, 50), p90Ns: percentile(ds, 90), p99Ns: percentile(ds, 99), maxNs: ds.length ? Math.max(...ds) : null,
    };
  }).sort((a, b) => b.totalNs - a.totalNs || (a.reason < b.reason ? -1 : 1));
  const exitByVcpu: ExitVcpuTruth[] = vcpuThreads.map((tid) => {
    const mine = exits.filter((x) => x.tid === tid);
    const d = mine.filter((x) => x.duration !== null);
    return {
      ...key(tid), count: mine.length, totalNs: sum(d.map((x) => x.duration!)),
      handlingNs: sum(d.map((x) => x.handlingNs)), scheduledOutNs: sum(d.map((x) => x.scheduledOutNs)),
      userspaceNs: sum(d.map((x) => x.userspaceNs)), haltedNs: sum(d.map((x) => x.haltedNs)),
    };
  }).filter((r) => r.count > 0).sort(byKey);
  const longest: LongExitTruth[] = [...done]
    .sort((a, b) => (b.duration! - b.haltedNs) - (a.duration! - a.haltedNs) || a.ts - b.ts)
    .slice(0, 10)
    .map((x) => ({
      tsNs: x.ts, cpu: x.cpu, ...key(x.tid), reason: x.reason, durationNs: x.duration!,
      handlingNs: x.handlingNs, scheduledOutNs: x.scheduledOutNs, userspaceNs: x.userspaceNs, haltedNs: x.haltedNs,
    }));

  // ---- spinning -----------------------------------------------------------------------------------------
  const spinEvents = evs.filter((e) => vcpuOf.has(e.pid) && (
    (e.event === 'function' && resolve(big(e.values.ip)) === 'kvm_vcpu_on_spin') || e.event === 'kvm_vcpu_on_spin'));
  const lhp = (e: ScenarioEvent): boolean => vcpuThreads.some((o) => o !== e.pid && vmPidOf.get(o) === vmPidOf.get(e.pid) && stateAt(o, e.ts).state === 'wait');
  const isPause = (x: Exit): boolean => x.reason === 'PAUSE_INSTRUCTION' || x.reason === 'pause';
  const spinBy = vcpuThreads.map((tid) => ({
    ...key(tid),
    onSpinEvents: spinEvents.filter((e) => e.pid === tid).length,
    pauseExits: exits.filter((x) => x.tid === tid && isPause(x)).length,
    lockHolderPreemptions: spinEvents.filter((e) => e.pid === tid && lhp(e)).length,
  })).filter((r) => r.onSpinEvents + r.pauseExits > 0).sort(byKey);

  // ---- timers ---------------------------------------------------------------------------------------------
  const deltas = evs.filter((e) => e.event === 'kvm_wait_lapic_expire').map((e) => n(e.values.delta));
  const late = deltas.filter((d) => d > 0);
  const injections: number[] = [];
  evs.forEach((e, i) => {
    if (e.event !== 'hrtimer_expire_entry' || resolve(big(e.values.function)) !== 'apic_timer_fn') return;
    let target = e.pid;
    for (let j = i + 1; j < evs.length; j++) {
      const f = evs[j];
      if (f.cpu !== e.cpu) continue;
      if (f.event === 'hrtimer_expire_exit' && big(f.values.hrtimer) === big(e.values.hrtimer)) break;
      if (f.event === 'sched_wakeup') { target = n(f.values.pid); break; }
    }
    if (!vcpuOf.has(target)) return;
    const entry = evs.find((f) => f.ts > e.ts && f.event === 'kvm_entry' && f.pid === target);
    if (entry) injections.push(entry.ts - e.ts);
  });

  // ---- halt polling ---------------------------------------------------------------------------------------
  const window = new Map<string, number>();
  const hp = vcpuThreads.map((tid) => ({ ...key(tid), wakeups: 0, polled: 0, waited: 0, invalid: 0, pollNs: 0 }));
  const hpOf = (tid: number): (typeof hp)[number] => hp[vcpuThreads.indexOf(tid)];
  let grows = 0;
  let shrinks = 0;
  for (const e of evs) {
    if (e.event === 'kvm_halt_poll_ns' && vmPidOf.has(e.pid)) {
      window.set(`${vmPidOf.get(e.pid)}/${n(e.values.vcpu_id)}`, n(e.values.new));
      if (n(e.values.grow)) grows++;
      else shrinks++;
    } else if (e.event === 'kvm_vcpu_wakeup' && vcpuOf.has(e.pid)) {
      const r = hpOf(e.pid);
      const ns = n(e.values.ns);
      r.wakeups++;
      if (!n(e.values.valid)) r.invalid++;
      if (n(e.values.waited)) {
        r.waited++;
        const w = window.get(`${vmPidOf.get(e.pid)}/${vcpuOf.get(e.pid)}`);
        if (w !== undefined) r.pollNs += Math.min(ns, w);
      } else {
        r.polled++;
        r.pollNs += ns;
      }
    }
  }
  const hpBy = hp.filter((r) => r.wakeups > 0).sort(byKey);

  // ---- scheduling ------------------------------------------------------------------------------------------
  const sched = vcpuThreads.map((tid) => {
    let wakeups = 0;
    let affine = 0;
    let migrations = 0;
    let lastRan: number | undefined;
    for (const e of evs) {
      const v = e.values;
      if (e.event === 'sched_switch' && (n(v.prev_pid) === tid || n(v.next_pid) === tid)) lastRan = e.cpu;
      else if ((e.event === 'sched_wakeup' || e.event === 'sched_wakeup_new') && n(v.pid) === tid) {
        wakeups++;
        if (n(v.target_cpu) === e.cpu && lastRan !== undefined && lastRan !== e.cpu) affine++;
      } else if (e.event === 'sched_migrate_task' && n(v.pid) === tid && n(v.orig_cpu) !== n(v.dest_cpu)) migrations++;
    }
    // Runqueue waits: each 'wait' stretch (from the wakeup or the preemption) to the next 'run'.
    const waits: number[] = [];
    const l = segs.get(tid)!;
    for (let i = 0; i < l.length; i++) {
      if (l[i].state !== 'wait' || (i > 0 && l[i - 1].state === 'wait')) continue;
      let j = i + 1;
      while (j < l.length && l[j].state === 'wait') j++;
      if (j < l.length && l[j].state === 'run') waits.push(l[j].from - l[i].from);
    }
    // Stacked: brute force over every interval between two consecutive timestamps of the trace.
    let stacked = 0;
    const sibs = vcpuThreads.filter((o) => o !== tid && vmPidOf.get(o) === vmPidOf.get(tid));
    for (let i = 0; i + 1 < evs.length; i++) {
      const t = evs[i].ts;
      const me = stateAt(tid, t);
      if (me.state !== 'run' && me.state !== 'wait') continue;
      if (sibs.some((o) => { const s = stateAt(o, t); return (s.state === 'run' || s.state === 'wait') && s.cpu === me.cpu; })) {
        stacked += evs[i + 1].ts - t;
      }
    }
    return {
      ...key(tid), wakeups, migrations, affineWakeups: affine,
      runqueueWaitP50Ns: percentile(waits, 50), runqueueWaitP99Ns: percentile(waits, 99), stackedNs: stacked,
    };
  }).sort(byKey);

  // ---- IPIs -------------------------------------------------------------------------------------------------
  const ipiEvs = evs.filter((e) => e.event === 'kvm_apic_ipi');
  let unmapped = 0;
  const ipi = vcpuThreads.map((tid) => ({ ...key(tid), sent: 0, received: 0 }));
  for (const e of ipiEvs) {
    if (!vcpuOf.has(e.pid)) { unmapped++; continue; }
    ipi[vcpuThreads.indexOf(e.pid)].sent++;
    const dest = vcpuThreads.find((t) => vmPidOf.get(t) === vmPidOf.get(e.pid) && vcpuOf.get(t) === n(e.values.dest_id));
    if (dest === undefined) unmapped++;
    else ipi[vcpuThreads.indexOf(dest)].received++;
  }

  return {
    vms,
    exits: { total: exits.length, withoutDuration: exits.length - done.length, byReason, byVcpu: exitByVcpu, longest },
    spin: {
      onSpinEvents: spinEvents.length,
      pauseExits: exits.filter(isPause).length,
      lockHolderPreemptions: spinEvents.filter(lhp).length,
      byVcpu: spinBy,
    },
    timers: {
      lapicExpire: {
        count: deltas.length, late: late.length, early: deltas.filter((d) => d < 0).length,
        p50Ns: percentile(deltas, 50), p99Ns: percentile(deltas, 99), maxLateNs: late.length ? Math.max(...late) : 0,
      },
      injection: {
        count: injections.length, p50Ns: percentile(injections, 50), p99Ns: percentile(injections, 99),
        maxNs: injections.length ? Math.max(...injections) : null,
      },
    },
    haltPoll: {
      wakeups: sum(hp.map((r) => r.wakeups)), polled: sum(hp.map((r) => r.polled)), waited: sum(hp.map((r) => r.waited)),
      invalid: sum(hp.map((r) => r.invalid)), pollNs: sum(hp.map((r) => r.pollNs)), grows, shrinks, byVcpu: hpBy,
    },
    scheduling: { byVcpu: sched },
    ipis: {
      total: ipiEvs.length,
      icrWrites: evs.filter((e) => e.event === 'kvm_msr' && n(e.values.write) === 1 && n(e.values.ecx) === 0x830).length,
      unmapped,
      byVcpu: ipi.filter((r) => r.sent + r.received > 0).sort(byKey),
    },
  };
}
