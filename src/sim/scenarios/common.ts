// Building blocks shared by the scenarios: a QEMU process that forks its vCPU and helper threads,
// and the common exit shapes (short exits, HLT that polls, HLT that blocks until a timer wakes it).
import { HostBuilder, KALLSYMS, STATE, SYM, VMX, kvmEntry, kvmExit } from './host.js';
import type { VcpuThread } from './host.js';
import type { Isa } from './types.js';

/** First timestamp of every scenario: 5000 s of uptime. */
export const T0 = 5_000_000_000_000;

export const INTR_LOCAL_TIMER = 0x800000ec;
export const INTR_POSTED = 0x800000f2;

export interface VmSpec {
  pid: number;
  isa: Isa;
  /** The CPU the QEMU main thread runs on when the trace starts (it must be `initial` there). */
  mainCpu: number;
  /** CPU of each vCPU thread (vCPU i gets tid pid + 10 + i). */
  vcpuCpus: number[];
  /** Helper threads forked by the main thread: comm and CPU (tids pid + 20, pid + 21, ...). */
  helpers?: Array<{ comm: string; cpu: number }>;
  t0: number;
}

export interface Vm {
  pid: number;
  vcpus: VcpuThread[];
  /** Time of each vCPU's first kvm_entry. */
  start: number[];
  helpers: number[];
  /** When the helpers have run once and gone to sleep. */
  ready: number;
}

export function hrtimerOf(v: VcpuThread): bigint {
  return 0xffff9e8c7f4a1e28n + BigInt(v.tid) * 0x1000n;
}

/**
 * QEMU with debug-threads: the main thread forks every vCPU thread (`CPU <n>/KVM` after it names
 * itself) and the helpers, then sleeps; each vCPU thread starts on its CPU and enters the guest.
 */
export function setupVm(b: HostBuilder, s: VmSpec): Vm {
  const main = s.pid;
  b.setComm(main, 'qemu-system-x86');
  const vcpus: VcpuThread[] = s.vcpuCpus.map((_, i) => ({ tid: s.pid + 10 + i, vcpu: i, isa: s.isa }));
  const helpers = (s.helpers ?? []).map((_, k) => s.pid + 20 + k);
  const start: number[] = [];
  let t = s.t0;
  vcpus.forEach((v, i) => {
    const cpu = s.vcpuCpus[i];
    if (cpu === s.mainCpu) throw new Error('a vCPU cannot start on the main thread\'s CPU');
    b.setComm(v.tid, 'qemu-system-x86');
    b.fork(s.mainCpu, t, main, v.tid);
    b.wakeNew(s.mainCpu, t + 1000, v.tid, cpu);
    b.switchTo(cpu, t + 6000, v.tid, STATE.R);
    b.setComm(v.tid, `CPU ${i}/KVM`, t + 6500);
    start.push(t + 12_000);
    kvmEntry(b, cpu, t + 12_000, v);
    t += 20_000;
  });
  (s.helpers ?? []).forEach((h, k) => {
    b.setComm(helpers[k], h.comm);
    b.fork(s.mainCpu, t, main, helpers[k]);
    b.wakeNew(s.mainCpu, t + 1000, helpers[k], h.cpu);
    t += 20_000;
  });
  b.switchTo(s.mainCpu, t, 0, STATE.S);
  t += 10_000;
  (s.helpers ?? []).forEach((h, k) => {
    b.switchTo(h.cpu, t, helpers[k], STATE.R);
    b.switchTo(h.cpu, t + 8_000, 0, STATE.S);
    t += 30_000;
  });
  return { pid: s.pid, vcpus, start, helpers, ready: t };
}

/** cmdlines for the writer: every named thread plus the VM's kvm-pit kthread. */
export function cmdlinesOf(b: HostBuilder, vmPids: number[]): Array<[number, string]> {
  const l = b.finalComms();
  for (const p of vmPids) l.push([p + 40, `kvm-pit/${p}`]);
  return l.sort((a, c) => a[0] - c[0]);
}

export const WRITER_BASE = { kallsyms: KALLSYMS, clock: 'local' } as const;

/** A short exit: kvm_exit at t, optional follow-up events, kvm_entry after `ns`. Returns the entry time. */
export function shortExit(
  b: HostBuilder, cpu: number, t: number, v: VcpuThread, reason: number, ns: number,
  extra: { info1?: number | bigint; info2?: number | bigint; intr_info?: number } = {},
  follow?: (t: number) => void,
): number {
  kvmExit(b, cpu, t, v, reason, extra);
  follow?.(t);
  kvmEntry(b, cpu, t + ns, v);
  return t + ns;
}

/** A guest timer (MSR_WRITE of IA32_TSC_DEADLINE) on VMX or SVM. */
export function tscDeadlineWrite(b: HostBuilder, cpu: number, t: number, v: VcpuThread, ns: number): number {
  return shortExit(b, cpu, t, v, v.isa === 1 ? VMX.MSR_WRITE : 0x7c, ns, { info1: v.isa === 1 ? 0 : 1 }, (x) =>
    b.emit(cpu, x + 300, 'kvm_msr', { write: 1, ecx: 0x6e0, data: BigInt(x) * 3n, exception: 0 }, v.tid));
}

/**
 * HLT whose halt polling succeeds: the guest's LAPIC timer (apic_timer_fn) fires in the vCPU
 * thread's context after `pollNs`; kvm_vcpu_wakeup poll; entry. Returns the entry time.
 */
export function haltPolled(b: HostBuilder, cpu: number, t: number, v: VcpuThread, pollNs: number): number {
  kvmExit(b, cpu, t, v, v.isa === 1 ? VMX.HLT : 0x78);
  const f = t + pollNs;
  b.emit(cpu, f, 'hrtimer_expire_entry', { hrtimer: hrtimerOf(v), now: BigInt(f), function: SYM.apic_timer_fn }, v.tid);
  b.emit(cpu, f + 600, 'hrtimer_expire_exit', { hrtimer: hrtimerOf(v) }, v.tid);
  b.emit(cpu, f + 900, 'kvm_vcpu_wakeup', { ns: BigInt(f + 900 - t), waited: 0, valid: 1 }, v.tid);
  kvmEntry(b, cpu, f + 1500, v);
  return f + 1500;
}

export interface WaitedHalt {
  /** Polling before blocking (the thread stays on CPU). */
  pollNs: number;
  /** Time from the HLT exit to the timer that ends the halt. */
  haltNs: number;
  /** From the timer to the switch-in (≥ 2500). */
  switchDelay?: number;
  /** Something else runs first: comm/tid of a thread woken in the same interrupt and its run time. */
  intruder?: { tid: number; runNs: number };
  /** kvm_halt_poll_ns emitted after kvm_vcpu_wakeup. */
  pollEvent?: { grow: boolean; old: number; new: number };
  /** kvm_wait_lapic_expire delta emitted before the entry. */
  lapicDelta?: number;
}

/**
 * HLT that blocks: poll, sched_switch (S) to idle, apic_timer_fn fires in idle and wakes the vCPU
 * thread (and maybe an intruder that runs first), switch-in, kvm_vcpu_wakeup wait, optional
 * kvm_halt_poll_ns / kvm_wait_lapic_expire, entry. Returns the entry time.
 */
export function haltWaited(b: HostBuilder, cpu: number, t: number, v: VcpuThread, h: WaitedHalt): number {
  kvmExit(b, cpu, t, v, v.isa === 1 ? VMX.HLT : 0x78);
  const sleepAt = t + h.pollNs + 1000;
  b.switchTo(cpu, sleepAt, 0, STATE.S);
  const fire = Math.max(t + h.haltNs, sleepAt + 2000);
  b.emit(cpu, fire, 'hrtimer_expire_entry', { hrtimer: hrtimerOf(v), now: BigInt(fire), function: SYM.apic_timer_fn }, 0);
  b.wake(cpu, fire + 300, v.tid, cpu, cpu);
  let at = fire + 1300;
  if (h.intruder) {
    b.wake(cpu, at, h.intruder.tid, cpu, cpu, 400);
    at += 500;
  }
  b.emit(cpu, at + 300, 'hrtimer_expire_exit', { hrtimer: hrtimerOf(v) }, 0);
  let inAt = fire + Math.max(2500, h.switchDelay ?? 2500);
  if (h.intruder) {
    b.switchTo(cpu, inAt, h.intruder.tid, STATE.R);
    inAt += h.intruder.runNs;
    b.switchTo(cpu, inAt, v.tid, STATE.S);
  } else {
    b.switchTo(cpu, inAt, v.tid, STATE.R);
  }
  b.emit(cpu, inAt + 1000, 'kvm_vcpu_wakeup', { ns: BigInt(inAt + 1000 - t), waited: 1, valid: 1 }, v.tid);
  let e = inAt + 1300;
  if (h.pollEvent) {
    b.emit(cpu, e, 'kvm_halt_poll_ns', { grow: h.pollEvent.grow ? 1 : 0, vcpu_id: v.vcpu, new: h.pollEvent.new, old: h.pollEvent.old }, v.tid);
    e += 300;
  }
  if (h.lapicDelta !== undefined) {
    b.emit(cpu, e, 'kvm_wait_lapic_expire', { vcpu_id: v.vcpu, delta: BigInt(h.lapicDelta) }, v.tid);
    e += 300;
  }
  kvmEntry(b, cpu, e + 500, v);
  return e + 500;
}

/** The kernel's halt-poll window update (kvm_main.c, defaults: max 200000, grow 2, start 10000, shrink 2). */
export function nextPollWindow(w: number, haltNs: number, max = 200_000): { grow: boolean; old: number; new: number } | null {
  if (haltNs <= w) return null;
  if (w > 0 && haltNs > max) {
    const nw = Math.floor(w / 2);
    return { grow: false, old: w, new: nw < 10_000 ? 0 : nw };
  }
  if (w < max && haltNs < max) {
    const nw = Math.min(max, Math.max(10_000, w * 2));
    return nw === w ? null : { grow: true, old: w, new: nw };
  }
  return null;
}
