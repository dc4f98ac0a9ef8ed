// Small hand-made host timelines for the verdicts no simulator scenario covers (hlt-exits on
// dedicated CPUs, halt polls that just miss, emulator threads preempting vCPUs, lost events),
// built with the scenario simulator's building blocks and written with the trace.dat writer.
import { loadFormatSet } from '../../src/sim/format-set.js';
import { T0, WRITER_BASE, cmdlinesOf, haltWaited, setupVm, shortExit } from '../../src/sim/scenarios/common.js';
import { HostBuilder, STATE, VMX, between, kvmEntry, kvmExit, rng } from '../../src/sim/scenarios/host.js';
import type { ScenarioEvent } from '../../src/sim/scenarios/types.js';
import { TraceDatWriter } from '../../src/sim/tracedat-writer.js';

const FORMATS = loadFormatSet('fixtures/formats/linux-6.18', { systems: ['kvm', 'sched', 'timer', 'irq_vectors', 'ftrace'] });

export interface Built { events: ScenarioEvent[]; cpus: number; cmdlines: Array<[number, string]> }

/** Writes the timeline; `lost` inserts missed-event markers before the event with that index. */
export function writeBuilt(path: string, b: Built, lost: Array<{ at: number; cpu: number; count: number | 'unknown' }> = []): void {
  const w = new TraceDatWriter(FORMATS, { ...WRITER_BASE, version: 7, cpus: b.cpus, cmdlines: b.cmdlines });
  b.events.forEach((e, i) => {
    for (const l of lost) if (l.at === i) w.addMissedEvents(l.cpu, l.count);
    w.add({ cpu: e.cpu, ts: BigInt(e.ts), event: e.event, pid: e.pid, values: e.values });
  });
  w.finishSync(path);
}

function done(b: HostBuilder, pids: number[], rename: Array<[number, string]> = []): Built {
  const cmdlines = cmdlinesOf(b, pids).map(([tid, c]) => [tid, rename.find((x) => x[0] === tid)?.[1] ?? c] as [number, string]);
  return { events: b.materialize(), cpus: b.cpus, cmdlines };
}

/** 2 pinned vCPUs halting every few tens of µs (short sleeps, woken promptly): hlt-exits-on-dedicated-cpus. */
export function frequentHlt(opts: { shared?: boolean } = {}): Built {
  const r = rng(7);
  const b = new HostBuilder(3, [100]);
  const vm = setupVm(b, { pid: 100, isa: 1, mainCpu: 0, vcpuCpus: [1, 2], t0: T0 });
  const kworker = 150;
  if (opts.shared) b.sleeper(kworker, 'kworker/1:2', 1);
  vm.vcpus.forEach((v, i) => {
    const cpu = i + 1;
    let t = vm.start[i];
    let k = 0;
    while (t < T0 + 20_000_000) {
      t += between(r, 10_000, 30_000);
      // With `shared`, a kworker gets vCPU 0's CPU first after one wakeup in ten (for 200 µs).
      const intruder = opts.shared && cpu === 1 && k++ % 10 === 0 ? { tid: kworker, runNs: 200_000 } : undefined;
      t = haltWaited(b, cpu, t, v, { pollNs: 0, haltNs: between(r, 30_000, 50_000), intruder });
    }
  });
  return done(b, [100]);
}

/** 1 vCPU whose poll window is 50 µs and whose halts last 60-90 µs: halt-poll-too-short. */
export function haltsJustAfterWindow(): Built {
  const r = rng(3);
  const b = new HostBuilder(2, [200]);
  const vm = setupVm(b, { pid: 200, isa: 1, mainCpu: 0, vcpuCpus: [1], t0: T0 });
  const v = vm.vcpus[0];
  let t = vm.start[0];
  let first = true;
  while (t < T0 + 20_000_000) {
    t += between(r, 50_000, 150_000);
    const pollEvent = first ? { grow: true, old: 25_000, new: 50_000 } : undefined;
    t = haltWaited(b, 1, t, v, { pollNs: first ? 0 : 50_000, haltNs: between(r, 60_000, 90_000), pollEvent });
    first = false;
  }
  return done(b, [200]);
}

/**
 * 1 vCPU sharing CPU 1 with its VM's vhost worker, which preempts it every 2 ms for `runNs`:
 * emulator-thread-placement. `intruder` (tid 150, comm as given) preempts it once for 2 ms instead.
 */
export function vhostOnVcpuCpu(opts: { runNs?: number; intruderComm?: string } = {}): Built {
  const b = new HostBuilder(2, [300]);
  const vm = setupVm(b, { pid: 300, isa: 1, mainCpu: 0, vcpuCpus: [1], helpers: [{ comm: 'vhost-300', cpu: 0 }], t0: T0 });
  const v = vm.vcpus[0];
  const vhost = vm.helpers[0];
  const rename: Array<[number, string]> = [];
  if (opts.intruderComm) {
    b.sleeper(150, 'kworker/1:1', 1);
    rename.push([150, opts.intruderComm]);
  }
  let t = Math.max(vm.start[0], vm.ready) + 100_000;
  for (let k = 0; t < T0 + 20_000_000; k++) {
    t += 2_000_000;
    const who = opts.intruderComm ? 150 : vhost;
    const run = opts.intruderComm ? 2_000_000 : opts.runNs ?? 200_000;
    if (opts.intruderComm && k > 0) {
      t = shortExit(b, 1, t, v, VMX.EXTERNAL_INTERRUPT, 2000);
      continue;
    }
    kvmExit(b, 1, t, v, VMX.EXTERNAL_INTERRUPT, { intr_info: 0x800000ec });
    b.wake(1, t + 1000, who, opts.intruderComm ? 1 : 0, 1);
    b.switchTo(1, t + 3000, who, STATE.PREEMPTED);
    b.switchTo(1, t + 3000 + run, v.tid, STATE.S);
    kvmEntry(b, 1, t + 5000 + run, v);
    t += 5000 + run;
  }
  return done(b, [300], rename);
}

/** The healthy 2-vCPU pinned VM (few exits, polled halts) as a base for lost-event markers. */
export function quietVm(): Built {
  const r = rng(1);
  const b = new HostBuilder(3, [400]);
  const vm = setupVm(b, { pid: 400, isa: 1, mainCpu: 0, vcpuCpus: [1, 2], t0: T0 });
  vm.vcpus.forEach((v, i) => {
    let t = vm.start[i];
    while (t < T0 + 20_000_000) {
      t += between(r, 300_000, 900_000);
      t = shortExit(b, i + 1, t, v, VMX.EXTERNAL_INTERRUPT, between(r, 1500, 3000), { intr_info: 0x800000ec });
    }
  });
  return done(b, [400]);
}
