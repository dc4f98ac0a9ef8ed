// The scenarios: small deterministic KVM-host traces, each built to show one thing (or nothing, for
// healthy-pinned). The truth of each is computed from its events by truth.ts.
import {
  INTR_LOCAL_TIMER, INTR_POSTED, T0, WRITER_BASE, cmdlinesOf, haltPolled, haltWaited, nextPollWindow,
  setupVm, shortExit, tscDeadlineWrite,
} from './common.js';
import { HostBuilder, STATE, SVM, SYM, VMX, between, kvmEntry, kvmExit, rng } from './host.js';
import type { VcpuThread } from './host.js';
import { computeTruth } from './truth.js';
import type { Scenario, ScenarioBuild, ScenarioBuildOptions } from './types.js';

function finish(b: HostBuilder, vmPids: number[], expectedVerdicts: string[]): ScenarioBuild {
  const events = b.materialize();
  const cmdlines = cmdlinesOf(b, vmPids);
  const truth = { ...computeTruth(events, { kallsyms: WRITER_BASE.kallsyms, cmdlines }), expectedVerdicts };
  return { events, writerOptions: { ...WRITER_BASE, cpus: b.cpus, cmdlines }, truth, check: b.checkOptions() };
}

const seedOf = (o?: ScenarioBuildOptions): number => o?.seed ?? 1;

/** A pinned vCPU's ordinary life until `end`: guest runs, short exits, polled HLTs (first one blocks). */
function quietLoop(b: HostBuilder, cpu: number, v: VcpuThread, t: number, end: number, r: () => number): void {
  let window = 0;
  while (t < end) {
    t += between(r, 300_000, 900_000);
    const x = r();
    if (x < 0.6) t = shortExit(b, cpu, t, v, v.isa === 1 ? VMX.EXTERNAL_INTERRUPT : SVM.interrupt, between(r, 1500, 3000), { intr_info: v.isa === 1 ? INTR_LOCAL_TIMER : 0 });
    else if (x < 0.88) t = tscDeadlineWrite(b, cpu, t, v, between(r, 800, 1500));
    else if (window === 0) {
      const haltNs = between(r, 30_000, 60_000);
      const upd = nextPollWindow(0, haltNs + 5000)!;
      t = haltWaited(b, cpu, t, v, { pollNs: 0, haltNs, pollEvent: upd });
      window = upd.new;
    } else t = haltPolled(b, cpu, t, v, between(r, 2000, 8000));
  }
}

const healthyPinned: Scenario = {
  name: 'healthy-pinned',
  description: '1 VM, 2 vCPUs pinned 1:1 on CPUs 1 and 2, few short exits, halt polling that succeeds: nothing to report.',
  build(o) {
    const r = rng(seedOf(o));
    const b = new HostBuilder(3, [2000]);
    const vm = setupVm(b, { pid: 2000, isa: 1, mainCpu: 0, vcpuCpus: [1, 2], helpers: [{ comm: 'vhost-2000', cpu: 0 }], t0: T0 });
    vm.vcpus.forEach((v, i) => quietLoop(b, i + 1, v, vm.start[i], T0 + 50_000_000, r));
    return finish(b, [2000], []);
  },
};

const oneLongExit: Scenario = {
  name: 'one-long-exit',
  description: 'A steady 2-vCPU trace with fixed exit durations; in its middle one IO_INSTRUCTION exit of 2.58 ms on vCPU 0 (20 µs handling, preempted 2 ms by a kworker, 30 µs more handling, 500 µs in QEMU after kvm_userspace_exit) and one 5 ms HLT on vCPU 1 that is mostly halted.',
  build() {
    const b = new HostBuilder(3, [2100]);
    const kworker = 150;
    b.sleeper(kworker, 'kworker/1:1', 1);
    const vm = setupVm(b, { pid: 2100, isa: 1, mainCpu: 0, vcpuCpus: [1, 2], helpers: [{ comm: 'vhost-2100', cpu: 0 }], t0: T0 });
    const [v0, v1] = vm.vcpus;
    const end = T0 + 40_000_000;
    // vCPU 0 on CPU 1: every 500 µs alternately a 2 µs EXTERNAL_INTERRUPT and a 1 µs MSR_WRITE.
    let t = vm.start[0];
    let k = 0;
    let longDone = false;
    while (t < end) {
      t += 500_000;
      if (!longDone && t >= T0 + 20_000_000) {
        longDone = true;
        const x = t;
        kvmExit(b, 1, x, v0, VMX.IO_INSTRUCTION, { info1: 0x3f80008 });
        b.emit(1, x + 1000, 'kvm_pio', { rw: 1, port: 0x3f8, size: 1, count: 1, val: 0x41 }, v0.tid);
        b.emit(1, x + 40_000, 'local_timer_entry', { vector: 236 }, v0.tid);
        b.wake(1, x + 41_000, kworker, 1, 1);
        b.emit(1, x + 43_000, 'local_timer_exit', { vector: 236 }, v0.tid);
        b.switchTo(1, x + 50_000, kworker, STATE.PREEMPTED);
        b.switchTo(1, x + 2_050_000, v0.tid, STATE.S);
        b.emit(1, x + 2_080_000, 'kvm_userspace_exit', { reason: 2, errno: 0 }, v0.tid);
        kvmEntry(b, 1, x + 2_580_000, v0);
        t = x + 2_580_000;
        continue;
      }
      t = k++ % 2 === 0
        ? shortExit(b, 1, t, v0, VMX.EXTERNAL_INTERRUPT, 2000, { intr_info: INTR_LOCAL_TIMER })
        : tscDeadlineWrite(b, 1, t, v0, 1000);
    }
    // vCPU 1 on CPU 2, 137 ns out of step with CPU 1; one long HLT at about 25 ms.
    t = vm.start[1] + 137;
    k = 0;
    let hltDone = false;
    while (t < end) {
      t += 500_000;
      if (!hltDone && t >= T0 + 25_000_000) {
        hltDone = true;
        t = haltWaited(b, 2, t, v1, { pollNs: 2000, haltNs: 5_003_000, switchDelay: 3000 });
        continue;
      }
      t = k++ % 2 === 0
        ? shortExit(b, 2, t, v1, VMX.EXTERNAL_INTERRUPT, 2000, { intr_info: INTR_LOCAL_TIMER })
        : tscDeadlineWrite(b, 2, t, v1, 1000);
    }
    return finish(b, [2100], ['long-exits']);
  },
};

const stackedSpinning: Scenario = {
  name: 'stacked-spinning',
  description: '4 vCPUs of one VM start on CPUs 1-4, halt, and are all woken by vhost on CPU 0 (affine wakeups + migrations), then share CPU 0: the running one spins (PAUSE exits, kvm_vcpu_on_spin via the function tracer, PLE window growth) while its siblings wait runnable, and yields or is preempted.',
  build(o) {
    const r = rng(seedOf(o));
    const b = new HostBuilder(5, [3000]);
    const vm = setupVm(b, { pid: 3000, isa: 1, mainCpu: 0, vcpuCpus: [1, 2, 3, 4], helpers: [{ comm: 'vhost-3000', cpu: 0 }], t0: T0 });
    const vhost = vm.helpers[0];
    // Phase 1: each runs a little on its own CPU and halts (blocks).
    const hltAt: number[] = [];
    vm.vcpus.forEach((v, i) => {
      const c = i + 1;
      let t = vm.start[i] + 200_000 + i * 1000;
      t = shortExit(b, c, t, v, VMX.EXTERNAL_INTERRUPT, 2000, { intr_info: INTR_LOCAL_TIMER });
      hltAt.push(t + 300_000);
      kvmExit(b, c, t + 300_000, v, VMX.HLT);
      b.switchTo(c, t + 302_000, 0, STATE.S);
    });
    // Phase 2: vhost on CPU 0 (woken by its hrtimer) wakes them all, affine, 10 µs apart.
    const W = T0 + 2_000_000;
    b.emit(0, W - 20_000, 'hrtimer_expire_entry', { hrtimer: 0xffff9e8c00001000n, now: BigInt(W - 20_000), function: SYM.hrtimer_wakeup }, 0);
    b.wake(0, W - 19_000, vhost, 0, 0);
    b.emit(0, W - 17_000, 'hrtimer_expire_exit', { hrtimer: 0xffff9e8c00001000n }, 0);
    b.switchTo(0, W - 15_000, vhost, STATE.R);
    vm.vcpus.forEach((v, i) => b.wake(0, W + i * 10_000, v.tid, i + 1, 0));
    // Phase 3: round robin on CPU 0. A vCPU resumes inside the exit it was switched out in (the
    // first time: its HLT, ended by kvm_vcpu_wakeup). The running one spins: PAUSE exits with
    // kvm_vcpu_on_spin; at the end of its slice it yields (R) from the spin or is preempted (R+)
    // by the tick (EXTERNAL_INTERRUPT).
    const ple = vm.vcpus.map(() => 4096);
    const halted = vm.vcpus.map(() => true);
    let t = W + 50_000;
    let cur = 0;
    b.switchTo(0, t, vm.vcpus[0].tid, STATE.S);
    const end = T0 + 30_000_000;
    while (t < end) {
      const v = vm.vcpus[cur];
      if (halted[cur]) {
        t += 1000;
        b.emit(0, t, 'kvm_vcpu_wakeup', { ns: BigInt(t - hltAt[cur]), waited: 1, valid: 1 }, v.tid);
        halted[cur] = false;
      }
      t += 800;
      kvmEntry(b, 0, t, v);
      const sliceEnd = t + between(r, 400_000, 800_000);
      let yielded = false;
      while (true) {
        t += between(r, 15_000, 40_000);
        kvmExit(b, 0, t, v, VMX.PAUSE_INSTRUCTION);
        if (ple[cur] < 65536 && r() < 0.2) {
          b.emit(0, t + 200, 'kvm_ple_window_update', { vcpu_id: v.vcpu, new: ple[cur] * 2, old: ple[cur] }, v.tid);
          ple[cur] *= 2;
        }
        b.emit(0, t + 400, 'function', { ip: SYM.kvm_vcpu_on_spin, parent_ip: SYM.handle_pause }, v.tid);
        if (t > sliceEnd && r() < 0.5) {
          yielded = true;
          t += 1500;
          break;
        }
        kvmEntry(b, 0, t + 1500, v);
        t += 1500;
        if (t > sliceEnd) {
          t += between(r, 5_000, 20_000);
          kvmExit(b, 0, t, v, VMX.EXTERNAL_INTERRUPT, { intr_info: INTR_LOCAL_TIMER });
          t += 1000;
          break;
        }
      }
      cur = (cur + 1) % vm.vcpus.length;
      b.switchTo(0, t, vm.vcpus[cur].tid, yielded ? STATE.R : STATE.PREEMPTED);
    }
    return finish(b, [3000], ['vcpu-stacking', 'wake-affine-migrations', 'pause-loop-spinning']);
  },
};


const lateLapicTimers: Scenario = {
  name: 'late-lapic-timers',
  description: '2 pinned vCPUs whose guest timers are software LAPIC timers (apic_timer_fn hrtimers) firing while the vCPU is halted; kvm_wait_lapic_expire mostly late (some early), and one wakeup in five is delayed by ksoftirqd running first.',
  build(o) {
    const r = rng(seedOf(o));
    const b = new HostBuilder(3, [4000]);
    const soft = [0, 161, 162];
    b.sleeper(161, 'ksoftirqd/1', 1);
    b.sleeper(162, 'ksoftirqd/2', 2);
    const vm = setupVm(b, { pid: 4000, isa: 1, mainCpu: 0, vcpuCpus: [1, 2], helpers: [{ comm: 'vhost-4000', cpu: 0 }], t0: T0 });
    vm.vcpus.forEach((v, i) => {
      const cpu = i + 1;
      let t = vm.start[i];
      while (t < T0 + 40_000_000) {
        t += between(r, 200_000, 600_000);
        t = tscDeadlineWrite(b, cpu, t, v, between(r, 800, 1500));
        t += between(r, 20_000, 80_000);
        const delayed = r() < 0.2;
        const early = !delayed && r() < 0.15;
        t = haltWaited(b, cpu, t, v, {
          pollNs: 0, haltNs: between(r, 100_000, 800_000),
          switchDelay: between(r, 2500, 6000),
          intruder: delayed ? { tid: soft[cpu], runNs: between(r, 30_000, 80_000) } : undefined,
          lapicDelta: early ? -between(r, 500, 3000) : delayed ? between(r, 60_000, 200_000) : between(r, 2000, 30_000),
        });
      }
    });
    return finish(b, [4000], ['timer-late']);
  },
};

const haltPollWasted: Scenario = {
  name: 'halt-poll-wasted',
  description: '2 pinned vCPUs that halt often, mostly for longer than the poll window: kvm_vcpu_wakeup is mostly "wait" after burning the window, kvm_halt_poll_ns grows and shrinks following the kernel algorithm (max 200 µs).',
  build(o) {
    const r = rng(seedOf(o));
    const b = new HostBuilder(3, [5000]);
    const vm = setupVm(b, { pid: 5000, isa: 1, mainCpu: 0, vcpuCpus: [1, 2], helpers: [{ comm: 'vhost-5000', cpu: 0 }], t0: T0 });
    vm.vcpus.forEach((v, i) => {
      const cpu = i + 1;
      let t = vm.start[i];
      let w = 0;
      while (t < T0 + 60_000_000) {
        t += between(r, 50_000, 300_000);
        if (r() < 0.3) t = shortExit(b, cpu, t, v, VMX.EXTERNAL_INTERRUPT, between(r, 1500, 3000), { intr_info: INTR_LOCAL_TIMER });
        t += between(r, 10_000, 50_000);
        const x = r();
        const halt = x < 0.55 ? between(r, 500_000, 3_000_000) : x < 0.9 ? between(r, 20_000, 180_000) : between(r, 3000, 8000);
        if (halt + 900 <= w) {
          t = haltPolled(b, cpu, t, v, halt);
          continue;
        }
        const haltNs = Math.max(halt, w + 3000);
        const ns = haltNs + 2500 + 1000; // the kvm_vcpu_wakeup ns of haltWaited with the default switch delay
        const upd = nextPollWindow(w, ns);
        t = haltWaited(b, cpu, t, v, { pollNs: w, haltNs, pollEvent: upd ?? undefined });
        if (upd) w = upd.new;
      }
    });
    return finish(b, [5000], ['halt-poll-wasted']);
  },
};

const ipiStorm: Scenario = {
  name: 'ipi-storm',
  description: '4 pinned vCPUs sending IPIs to each other through the x2APIC ICR (MSR_WRITE exits to 0x830 with kvm_msr, kvm_apic_ipi, kvm_apic_accept_irq); posted-interrupt notifications on the receivers.',
  build(o) {
    const r = rng(seedOf(o));
    const b = new HostBuilder(5, [6000]);
    const vm = setupVm(b, { pid: 6000, isa: 1, mainCpu: 0, vcpuCpus: [1, 2, 3, 4], helpers: [{ comm: 'vhost-6000', cpu: 0 }], t0: T0 });
    vm.vcpus.forEach((v, i) => {
      const cpu = i + 1;
      let t = vm.start[i] + i * 111;
      while (t < T0 + 20_000_000) {
        t += between(r, 20_000, 80_000);
        if (r() < 0.7) {
          let dest = between(r, 0, 2);
          if (dest >= v.vcpu) dest++;
          t = shortExit(b, cpu, t, v, VMX.MSR_WRITE, between(r, 1600, 2600), {}, (x) => {
            b.emit(cpu, x + 400, 'kvm_msr', { write: 1, ecx: 0x830, data: (BigInt(dest) << 32n) | 0x40fbn, exception: 0 }, v.tid);
            b.emit(cpu, x + 700, 'kvm_apic_ipi', { icr_low: 0x40fb, dest_id: dest }, v.tid);
            b.emit(cpu, x + 900, 'kvm_apic_accept_irq', { apicid: dest, dm: 0, tm: 0, vec: 0xfb }, v.tid);
          });
        } else {
          t = shortExit(b, cpu, t, v, VMX.EXTERNAL_INTERRUPT, between(r, 800, 1500), { intr_info: INTR_POSTED });
        }
      }
    });
    return finish(b, [6000], ['ipi-exits']);
  },
};

const eptViolations: Scenario = {
  name: 'ept-violations',
  description: '2 pinned busy vCPUs faulting guest memory in: EPT_VIOLATION exits (with kvm_page_fault, a few slow ones up to 400 µs) dominate the exit time; some EXTERNAL_INTERRUPT and EPT_MISCONFIG.',
  build(o) {
    const r = rng(seedOf(o));
    const b = new HostBuilder(3, [7000]);
    const vm = setupVm(b, { pid: 7000, isa: 1, mainCpu: 0, vcpuCpus: [1, 2], helpers: [{ comm: 'vhost-7000', cpu: 0 }], t0: T0 });
    vm.vcpus.forEach((v, i) => {
      const cpu = i + 1;
      let t = vm.start[i];
      while (t < T0 + 30_000_000) {
        t += between(r, 20_000, 100_000);
        const x = r();
        if (x < 0.65) {
          const gpa = BigInt(between(r, 0x100000, 0x3fffff)) << 12n;
          const qual = r() < 0.7 ? 0x181 : 0x182;
          const ns = r() < 0.03 ? between(r, 150_000, 400_000) : between(r, 4000, 40_000);
          t = shortExit(b, cpu, t, v, VMX.EPT_VIOLATION, ns, { info1: qual }, (e) =>
            b.emit(cpu, e + 500, 'kvm_page_fault', { vcpu_id: v.vcpu, guest_rip: 0xffffffff8108a3c4n, fault_address: gpa, error_code: qual }, v.tid));
        } else if (x < 0.85) {
          t = shortExit(b, cpu, t, v, VMX.EXTERNAL_INTERRUPT, between(r, 1500, 3000), { intr_info: INTR_LOCAL_TIMER });
        } else {
          t = shortExit(b, cpu, t, v, VMX.EPT_MISCONFIG, between(r, 2000, 4000));
        }
      }
    });
    return finish(b, [7000], ['ept-violations']);
  },
};

const amdHost: Scenario = {
  name: 'amd-host',
  description: 'An AMD host (SVM, isa 2): 2 pinned vCPUs with interrupt, msr, npf (with kvm_page_fault), rare pause exits (kvm_vcpu_on_spin from pause_interception) and polled hlt exits, all under their SVM names.',
  build(o) {
    const r = rng(seedOf(o));
    const b = new HostBuilder(3, [8000]);
    const vm = setupVm(b, { pid: 8000, isa: 2, mainCpu: 0, vcpuCpus: [1, 2], helpers: [{ comm: 'vhost-8000', cpu: 0 }], t0: T0 });
    vm.vcpus.forEach((v, i) => {
      const cpu = i + 1;
      let t = vm.start[i];
      let window = 0;
      while (t < T0 + 40_000_000) {
        t += between(r, 100_000, 400_000);
        const x = r();
        if (x < 0.35) t = shortExit(b, cpu, t, v, SVM.interrupt, between(r, 1200, 2500));
        else if (x < 0.6) t = tscDeadlineWrite(b, cpu, t, v, between(r, 800, 1500));
        else if (x < 0.8) {
          const gpa = BigInt(between(r, 0x100000, 0x3fffff)) << 12n;
          t = shortExit(b, cpu, t, v, SVM.npf, between(r, 5000, 20_000), { info1: 0x100000006n, info2: gpa }, (e) =>
            b.emit(cpu, e + 500, 'kvm_page_fault', { vcpu_id: v.vcpu, guest_rip: 0xffffffff8108a3c4n, fault_address: gpa, error_code: 0x100000006n }, v.tid));
        } else if (x < 0.83) {
          t = shortExit(b, cpu, t, v, SVM.pause, between(r, 800, 1500), {}, (e) =>
            b.emit(cpu, e + 300, 'function', { ip: SYM.kvm_vcpu_on_spin, parent_ip: SYM.pause_interception }, v.tid));
        } else if (window === 0) {
          const haltNs = between(r, 30_000, 60_000);
          const upd = nextPollWindow(0, haltNs + 5000)!;
          t = haltWaited(b, cpu, t, v, { pollNs: 0, haltNs, pollEvent: upd });
          window = upd.new;
        } else t = haltPolled(b, cpu, t, v, between(r, 2000, 8000));
      }
    });
    return finish(b, [8000], []);
  },
};

const migrations: Scenario = {
  name: 'migrations',
  description: '2 unpinned vCPUs: vCPU 0 moves between CPUs 1 and 3, vCPU 1 between CPUs 2 and 0. A halted vCPU is woken affinely by vhost (or the iothread) on the other CPU (sched_migrate_task + wakeup targeting the waker\'s CPU); there the waker\'s next run preempts it and the idle CPU it came from pulls it back (load-balance migration).',
  build(o) {
    const r = rng(seedOf(o));
    const b = new HostBuilder(4, [9000]);
    const vm = setupVm(b, {
      pid: 9000, isa: 1, mainCpu: 0, vcpuCpus: [1, 2],
      helpers: [{ comm: 'vhost-9000', cpu: 3 }, { comm: 'IO iothread1', cpu: 0 }], t0: T0,
    });
    vm.vcpus.forEach((v, i) => {
      const home = i === 0 ? 1 : 2;
      const away = i === 0 ? 3 : 0;
      const waker = vm.helpers[i];
      const timer = 0xffff9e8c00002000n + BigInt(i) * 0x100n;
      let t = Math.max(vm.start[i], vm.ready) + 100_000 + i * 333;
      while (t < T0 + 40_000_000) {
        // On the home CPU: run, halt and block.
        t += between(r, 200_000, 500_000);
        t = shortExit(b, home, t, v, VMX.EXTERNAL_INTERRUPT, between(r, 1500, 3000), { intr_info: INTR_LOCAL_TIMER });
        t += between(r, 100_000, 300_000);
        const hlt = t;
        kvmExit(b, home, t, v, VMX.HLT);
        b.switchTo(home, t + 2000, 0, STATE.S);
        // The waker on the other CPU, woken by its own timer, wakes the vCPU there (affine).
        t += between(r, 100_000, 300_000);
        b.emit(away, t, 'hrtimer_expire_entry', { hrtimer: timer, now: BigInt(t), function: SYM.hrtimer_wakeup }, 0);
        b.wake(away, t + 300, waker, away, away);
        b.emit(away, t + 1500, 'hrtimer_expire_exit', { hrtimer: timer }, 0);
        b.switchTo(away, t + 3000, waker, STATE.R);
        t += 3000 + between(r, 5000, 15_000);
        b.wake(away, t, v.tid, home, away);
        b.switchTo(away, t + 3000, v.tid, STATE.S);
        t += 4000;
        b.emit(away, t, 'kvm_vcpu_wakeup', { ns: BigInt(t - hlt), waited: 1, valid: 1 }, v.tid);
        kvmEntry(b, away, t + 500, v);
        t += 500;
        // On the away CPU: run; the tick wakes the waker again, which preempts the vCPU; the idle
        // home CPU pulls the vCPU back.
        t += between(r, 200_000, 500_000);
        kvmExit(b, away, t, v, VMX.EXTERNAL_INTERRUPT, { intr_info: INTR_LOCAL_TIMER });
        b.emit(away, t + 500, 'hrtimer_expire_entry', { hrtimer: timer, now: BigInt(t + 500), function: SYM.hrtimer_wakeup }, v.tid);
        b.wake(away, t + 800, waker, away, away);
        b.emit(away, t + 2000, 'hrtimer_expire_exit', { hrtimer: timer }, v.tid);
        b.switchTo(away, t + 3000, waker, STATE.PREEMPTED);
        b.migrate(home, t + 8000, v.tid, away, home);
        b.switchTo(home, t + 10_000, v.tid, STATE.R);
        b.switchTo(away, t + 30_000, 0, STATE.S);
        kvmEntry(b, home, t + 12_000, v);
        t += 40_000;
      }
    });
    return finish(b, [9000], ['wake-affine-migrations']);
  },
};

/** Every scenario, by name. */
export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map(
  [healthyPinned, stackedSpinning, lateLapicTimers, haltPollWasted, ipiStorm, eptViolations, amdHost, oneLongExit, migrations]
    .map((s) => [s.name, s]),
);
