// Deterministic generator of a large, realistic KVM-host trace.dat for benchmarks: per host CPU a
// vCPU thread loop of kvm_entry / kvm_exit with weighted exit reasons and the follow-up events a
// real host shows (kvm_msr + kvm_apic_ipi/accept_irq for x2APIC ICR writes, kvm_pio, kvm_mmio,
// HLT → sched_switch to idle, hrtimer_expire_entry/exit, kvm_vcpu_wakeup, sched_waking/wakeup,
// local_timer_entry/exit), using real kernel formats (fixtures/formats/linux-6.18) and the
// TraceDatWriter raw fast path: payloads are pre-encoded templates patched in place.
// Exit reason numbers: arch/x86/include/uapi/asm/vmx.h (see kvm-tracepoints.md).

import { statSync } from 'node:fs';
import { loadFormatSet } from './format-set.js';
import { rng } from './rng.js';
import type { FormatSet } from './format-set.js';
import { TraceDatWriter } from './tracedat-writer.js';
import type { WriterOptions } from './tracedat-writer.js';
import type { FieldValue } from '../model/payload-encoder.js';

export interface KvmLoadOptions {
  path: string;
  /** Approximate output size in bytes (generation stops once the page data reaches it). */
  targetBytes: number;
  cpus?: number;
  vcpus?: number;
  seed?: number;
  formatsDir?: string;
  formats?: FormatSet;
  /** Writer options (version 7 / no compression by default). */
  writer?: Partial<WriterOptions>;
  /** First timestamp (ns). */
  startTs?: bigint;
}

export interface KvmLoadResult {
  events: number;
  bytes: number;
  seconds: number;
  mbPerSec: number;
  counts: Record<string, number>;
}

class Template {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly len: number;
  private readonly off = new Map<string, number>();
  constructor(w: TraceDatWriter, event: string, values: Record<string, FieldValue>) {
    const enc = w.encoder(event);
    this.len = enc.encode(values, 0);
    this.bytes = enc.buf.slice(0, this.len);
    this.view = new DataView(this.bytes.buffer);
    for (const f of enc.format.fields) this.off.set(f.name, f.offset);
  }
  at(field: string): number {
    const o = this.off.get(field);
    if (o === undefined) throw new Error(`template has no field ${field}`);
    return o;
  }
}

// VMX exit reasons with weights (cumulative table below).
const EXITS: Array<[number, number]> = [
  [1, 20], [12, 14], [32, 22], [48, 12], [30, 8], [52, 8], [49, 6], [10, 3], [40, 4], [31, 3],
];

export async function generateKvmLoad(o: KvmLoadOptions): Promise<KvmLoadResult> {
  const cpus = o.cpus ?? 8;
  const vcpus = o.vcpus ?? cpus;
  const fs = o.formats ?? loadFormatSet(o.formatsDir ?? 'fixtures/formats/linux-6.18');
  const le = !(o.writer?.bigEndian ?? false);
  const cmdlines: Array<[number, string]> = [[1000, 'qemu-system-x86']];
  for (let v = 0; v < vcpus; v++) cmdlines.push([1001 + v, `CPU ${v}/KVM`]);
  const w = new TraceDatWriter(fs, { version: 7, cpus, cmdlines, ...o.writer });
  const T = {
    entry: new Template(w, 'kvm/kvm_entry', { rip: 0xffffffff81c0_0000n }),
    exit: new Template(w, 'kvm/kvm_exit', { isa: 1, guest_rip: 0xffffffff81c0_0000n }),
    msr: new Template(w, 'kvm/kvm_msr', { write: 1 }),
    ipi: new Template(w, 'kvm/kvm_apic_ipi', { icr_low: 0x40fb }),
    accept: new Template(w, 'kvm/kvm_apic_accept_irq', { vec: 0xfb }),
    pio: new Template(w, 'kvm/kvm_pio', { rw: 1, port: 0x3f8, size: 1, count: 1 }),
    mmio: new Template(w, 'kvm/kvm_mmio', { type: 1, len: 4, gpa: 0xfee000b0n }),
    wake: new Template(w, 'kvm/kvm_vcpu_wakeup', { waited: 1, valid: 1 }),
    sw: new Template(w, 'sched/sched_switch', { prev_prio: 120, next_prio: 120 }),
    waking: new Template(w, 'sched/sched_waking', { prio: 120 }),
    wakeup: new Template(w, 'sched/sched_wakeup', { prio: 120 }),
    hte: new Template(w, 'timer/hrtimer_expire_entry', { function: 0xffffffff81123450n }),
    htx: new Template(w, 'timer/hrtimer_expire_exit', {}),
    lte: new Template(w, 'irq_vectors/local_timer_entry', { vector: 236 }),
    ltx: new Template(w, 'irq_vectors/local_timer_exit', { vector: 236 }),
  };
  const enc = new TextEncoder();
  const rand = rng(o.seed ?? 1);
  const total = EXITS.reduce((s, e) => s + e[1], 0);
  const clock = new Array<number>(cpus).fill(0);
  const base = Number(o.startTs ?? 1_000_000_000_000n);
  const counts: Record<string, number> = {};
  let events = 0;
  const t0 = performance.now();
  const emit = (cpu: number, t: Template, pid: number, name: string): void => {
    t.view.setInt32(4, pid, le);
    w.addRaw(cpu, base + clock[cpu], t.bytes, t.len);
    counts[name] = (counts[name] ?? 0) + 1;
    events++;
  };
  const setComm = (t: Template, field: string, s: string): void => {
    const at = t.at(field);
    t.bytes.fill(0, at, at + 16);
    t.bytes.set(enc.encode(s).subarray(0, 15), at);
  };
  const oEntryVcpu = T.entry.at('vcpu_id');
  const oExitReason = T.exit.at('exit_reason');
  const oExitVcpu = T.exit.at('vcpu_id');
  const oExitRip = T.exit.at('guest_rip');
  const pages = (): number => {
    let n = 0;
    for (const inst of w.instances.values()) for (const p of inst.cpus) if (p) n += p.bytes;
    return n;
  };
  let check = 0;
  while (true) {
    if (++check % 4096 === 0 && pages() >= o.targetBytes) break;
    const cpu = check % cpus;
    const vcpu = (cpu + (rand() < 0.02 ? 1 : 0)) % vcpus;
    const pid = 1001 + vcpu;
    clock[cpu] += 200 + Math.floor(rand() * 20000);
    T.entry.view.setUint32(oEntryVcpu, vcpu, le);
    emit(cpu, T.entry, pid, 'kvm_entry');
    clock[cpu] += 500 + Math.floor(rand() * 50000);
    let r = rand() * total;
    let reason = EXITS[0][0];
    for (const [code, wgt] of EXITS) if ((r -= wgt) < 0) { reason = code; break; }
    T.exit.view.setUint32(oExitReason, reason, le);
    T.exit.view.setUint32(oExitVcpu, vcpu, le);
    T.exit.view.setUint32(oExitRip + (le ? 0 : 4), 0x81c00000 + Math.floor(rand() * 0xfffff), le);
    emit(cpu, T.exit, pid, 'kvm_exit');
    clock[cpu] += 300;
    if (reason === 32) {
      const icr = rand() < 0.5;
      T.msr.view.setUint32(T.msr.at('ecx'), icr ? 0x830 : 0x6e0, le);
      T.msr.view.setUint32(T.msr.at('data'), Math.floor(rand() * 0xffffffff), le);
      emit(cpu, T.msr, pid, 'kvm_msr');
      if (icr) {
        const dest = Math.floor(rand() * vcpus);
        T.ipi.view.setUint32(T.ipi.at('dest_id'), dest, le);
        emit(cpu, T.ipi, pid, 'kvm_apic_ipi');
        T.accept.view.setUint32(T.accept.at('apicid'), dest, le);
        emit(cpu, T.accept, pid, 'kvm_apic_accept_irq');
      }
    } else if (reason === 30) {
      T.pio.view.setUint32(T.pio.at('val'), Math.floor(rand() * 256), le);
      emit(cpu, T.pio, pid, 'kvm_pio');
    } else if (reason === 49) {
      emit(cpu, T.mmio, pid, 'kvm_mmio');
    } else if (reason === 1 || reason === 52) {
      emit(cpu, T.lte, pid, 'local_timer_entry');
      clock[cpu] += 1500;
      emit(cpu, T.hte, pid, 'hrtimer_expire_entry');
      clock[cpu] += 800;
      emit(cpu, T.htx, pid, 'hrtimer_expire_exit');
      emit(cpu, T.ltx, pid, 'local_timer_exit');
    } else if (reason === 12) {
      const comm = `CPU ${vcpu}/KVM`;
      setComm(T.sw, 'prev_comm', comm);
      T.sw.view.setInt32(T.sw.at('prev_pid'), pid, le);
      T.sw.view.setBigInt64(T.sw.at('prev_state'), 1n, le);
      setComm(T.sw, 'next_comm', `swapper/${cpu}`);
      T.sw.view.setInt32(T.sw.at('next_pid'), 0, le);
      emit(cpu, T.sw, pid, 'sched_switch');
      const idle = 2000 + Math.floor(rand() * (rand() < 0.05 ? 300_000_000 : 2_000_000));
      clock[cpu] += idle;
      emit(cpu, T.hte, 0, 'hrtimer_expire_entry');
      for (const t of [T.waking, T.wakeup]) {
        setComm(t, 'comm', comm);
        t.view.setInt32(t.at('pid'), pid, le);
        t.view.setInt32(t.at('target_cpu'), cpu, le);
      }
      emit(cpu, T.waking, 0, 'sched_waking');
      emit(cpu, T.wakeup, 0, 'sched_wakeup');
      emit(cpu, T.htx, 0, 'hrtimer_expire_exit');
      setComm(T.sw, 'prev_comm', `swapper/${cpu}`);
      T.sw.view.setInt32(T.sw.at('prev_pid'), 0, le);
      T.sw.view.setBigInt64(T.sw.at('prev_state'), 0n, le);
      setComm(T.sw, 'next_comm', comm);
      T.sw.view.setInt32(T.sw.at('next_pid'), pid, le);
      clock[cpu] += 1200;
      emit(cpu, T.sw, 0, 'sched_switch');
      T.wake.view.setBigUint64(T.wake.at('ns'), BigInt(idle), le);
      emit(cpu, T.wake, pid, 'kvm_vcpu_wakeup');
    }
  }
  await w.finish(o.path);
  const seconds = (performance.now() - t0) / 1000;
  const bytes = statSync(o.path).size;
  return { events, bytes, seconds, mbPerSec: bytes / 1e6 / seconds, counts };
}
