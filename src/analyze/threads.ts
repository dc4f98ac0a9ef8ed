// Threads, VMs and vCPUs (docs/analyses.md "Threads, VMs and vCPUs"): names from the scheduler
// events and the recorder's comm table, vCPU threads from their names (`CPU <n>/KVM`) or from the
// kvm_entry/kvm_exit they emit, and their grouping into VMs by tgid, by the fork tree, by who wakes
// them (the VM's own `kvm-pit/<pid>`, `vhost-<pid>` or main thread), by the nearest VMM pid below
// their tid, or by the vCPU-number heuristic — the report says which rule grouped each VM.
import type { FieldDef } from '../ingest/tracedat/format-parser.js';
import type { EventBatch } from '../model/event-batch.js';
import { readNumber, readString } from '../model/field-access.js';
import type { TraceSource } from '../model/trace-source.js';
import { fieldOf, type Dispatcher } from './dispatch.js';
import { LastComms } from './last-comm.js';
import type { TidIndex } from './tid-index.js';

export type Grouping = 'tgid' | 'fork' | 'wakeup' | 'name' | 'heuristic' | 'user';

export interface VcpuInfo { vcpu: number; tid: number; comm: string }
export interface VmInfo {
  id: number;
  name: string;
  /** The VM process (QEMU) pid, when known. */
  pid: number | null;
  grouping: Grouping;
  vcpus: VcpuInfo[];
  /** The VM's other threads: main loop, iothreads, vhost, kvm-pit, kvm-nx-lpage-re. */
  threads: Array<{ tid: number; comm: string; role: string }>;
}

const VCPU_NAME = /^CPU (\d+)\/KVM$/;
const OWNER_NAME = /^(?:vhost|kvm-pit)[-/](\d+)$/;

function roleOf(comm: string): string | null {
  if (/^vhost-\d+$/.test(comm)) return 'vhost';
  if (/^kvm-pit\/\d+$/.test(comm)) return 'kvm-pit';
  if (comm.startsWith('kvm-nx-lpage')) return 'kvm-nx-lpage-recovery';
  if (/^IO /.test(comm)) return 'iothread';
  if (/^qemu-(system|kvm)/.test(comm) || comm === 'qemu-kvm') return 'main';
  return null;
}

export class Threads {
  /**
   * tid → name: the recorder's table (saved_cmdlines / perf COMM: the name at the end of the
   * recording) where it has the thread, else the latest name the events carried.
   */
  readonly comms = new Map<number, string>();
  private readonly recorded: Map<number, string>;
  /** vCPU number from a `CPU <n>/KVM` name the thread had at any time (QEMU renames, never back). */
  private readonly vcpuByName = new Map<number, number>();
  /** Threads that appear in the stream (the recorder's comm table also lists long-gone ones). */
  private readonly seen = new Set<number>();
  private readonly parent = new Map<number, number>();
  private readonly vcpuOf = new Map<number, number>();
  /** wakee → waker → count (who wakes a vCPU thread tells which VM it belongs to). */
  private readonly wakers = new Map<number, Map<number, number>>();
  private tgids?: Map<number, number>;
  /** The name each thread's events carried last, already taken into account (name() is a no-op for it again). */
  private readonly lastComm = new LastComms();
  /** By thread index: 1 when the thread is known as a vCPU thread (vcpuOf or vcpuByName has it). */
  private vcpuFlag = new Uint8Array(256);
  private readonly tids: TidIndex;
  private userVms: Array<{ name: string; pid: number }> = [];

  constructor(d: Dispatcher, source: TraceSource, userVms: Array<{ name: string; pid: number }> = []) {
    this.tids = d.tids;
    this.recorded = source.comms;
    for (const [pid, comm] of source.comms) this.setName(pid, comm);
    this.tgids = source.tgids;
    this.userVms = userVms;
    d.on('sched_switch', (fmt) => {
      const pp = fieldOf(fmt, 'prev_pid');
      const pc = fieldOf(fmt, 'prev_comm');
      const np = fieldOf(fmt, 'next_pid');
      const nc = fieldOf(fmt, 'next_comm');
      if (!pp || !pc || !np || !nc) return null;
      return (b, i) => {
        this.name(b, i, pp, pc);
        this.name(b, i, np, nc);
      };
    }, 'sched');
    for (const ev of ['sched_wakeup', 'sched_wakeup_new', 'sched_waking']) {
      d.on(ev, (fmt) => {
        const p = fieldOf(fmt, 'pid');
        const c = fieldOf(fmt, 'comm');
        if (!p || !c) return null;
        return (b, i) => {
          this.name(b, i, p, c);
          const wakee = readNumber(b, i, p);
          const waker = b.pid[i];
          if (waker <= 0 || waker === wakee) return;
          let m = this.wakers.get(wakee);
          if (!m) this.wakers.set(wakee, (m = new Map()));
          m.set(waker, (m.get(waker) ?? 0) + 1);
        };
      }, 'sched');
    }
    d.on('sched_process_fork', (fmt) => {
      const pp = fieldOf(fmt, 'parent_pid');
      const cp = fieldOf(fmt, 'child_pid');
      const cc = fieldOf(fmt, 'child_comm');
      if (!pp || !cp) return null;
      return (b, i) => {
        const child = readNumber(b, i, cp);
        this.parent.set(child, readNumber(b, i, pp));
        if (cc) this.name(b, i, cp, cc);
      };
    }, 'sched');
  }

  private name(b: EventBatch, i: number, pidF: FieldDef, commF: FieldDef): void {
    const pid = readNumber(b, i, pidF);
    if (pid <= 0) return;
    const ix = this.tids.of(pid);
    if (this.lastComm.unchanged(b, i, commF, ix)) return;
    this.seen.add(pid);
    const comm = readString(b, i, commF);
    this.lastComm.set(b, i, commF, ix, comm);
    if (comm && this.comms.get(pid) !== comm && !this.recorded.has(pid)) this.setName(pid, comm);
    else if (comm && !this.vcpuByName.has(pid)) this.noteName(pid, comm);
  }

  private setName(pid: number, comm: string): void {
    this.comms.set(pid, comm);
    this.noteName(pid, comm);
  }

  private noteName(pid: number, comm: string): void {
    const m = VCPU_NAME.exec(comm);
    if (m) {
      this.vcpuByName.set(pid, Number(m[1]));
      this.flag(pid);
    }
  }

  /** Notes `tid` as a vCPU thread in `vcpuFlag`. */
  private flag(tid: number): void {
    const ix = this.tids.of(tid);
    if (ix >= this.vcpuFlag.length) {
      const grown = new Uint8Array(Math.max(ix + 1, this.vcpuFlag.length * 2));
      grown.set(this.vcpuFlag);
      this.vcpuFlag = grown;
    }
    this.vcpuFlag[ix] = 1;
  }

  /**
   * The exit analysis saw `tid` run vCPU `vcpu` (-1: the event has no vcpu field). kvm_entry's number
   * is authoritative; kvm_exit's only fills a gap (trace-cmd's kvm plugin prints no vcpu for
   * kvm_exit, so text input carries 0 there). Returns the number now held for `tid`.
   */
  noteVcpu(tid: number, vcpu: number, authoritative = true): number {
    this.seen.add(tid);
    const had = this.vcpuOf.get(tid);
    if (had !== undefined && !(vcpu >= 0 && (authoritative || had < 0))) return had;
    this.vcpuOf.set(tid, vcpu);
    if (had === undefined) this.flag(tid);
    return vcpu;
  }

  /** Is `tid` a vCPU thread, as far as the stream has told so far? */
  isVcpu(tid: number): boolean {
    return this.isVcpuAt(this.tids.of(tid));
  }

  /** isVcpu by thread index (Dispatcher.tids). */
  isVcpuAt(ix: number): boolean {
    return ix < this.vcpuFlag.length && this.vcpuFlag[ix] === 1;
  }

  /** Groups the vCPU threads into VMs (called once at the end of the stream). */
  vms(): VmInfo[] {
    // Text sources fill their comm table while they stream: take its final state.
    for (const [pid, comm] of this.recorded) if (this.comms.get(pid) !== comm) this.setName(pid, comm);
    const vcpuTids = new Set(this.vcpuOf.keys());
    for (const tid of this.vcpuByName.keys()) if (this.seen.has(tid)) vcpuTids.add(tid);
    const vcpuNumber = (tid: number): number => {
      const v = this.vcpuOf.get(tid);
      if (v !== undefined && v >= 0) return v;
      return this.vcpuByName.get(tid) ?? -1;
    };
    const owners = new Map<number, string>(); // VMM pids: named by helper threads, or QEMU main threads
    const ownerOfThread = new Map<number, number>(); // helper/main thread tid → VMM pid
    for (const [tid, comm] of this.comms) {
      const m = OWNER_NAME.exec(comm);
      if (m) {
        owners.set(Number(m[1]), comm);
        ownerOfThread.set(tid, Number(m[1]));
      } else if (roleOf(comm) === 'main') {
        owners.set(tid, comm);
        ownerOfThread.set(tid, tid);
      }
    }
    const byWakers = (tid: number): number | undefined => {
      const votes = new Map<number, number>();
      for (const [waker, n] of this.wakers.get(tid) ?? []) {
        const o = ownerOfThread.get(waker);
        if (o !== undefined) votes.set(o, (votes.get(o) ?? 0) + n);
      }
      let best: number | undefined;
      for (const [o, n] of votes) if (best === undefined || n > votes.get(best)! || (n === votes.get(best)! && o < best)) best = o;
      return best;
    };
    for (const u of this.userVms) owners.set(u.pid, u.name);
    const ownerPids = [...owners.keys()].sort((a, b) => a - b);
    const groups = new Map<string, { pid: number | null; grouping: Grouping; tids: number[] }>();
    const sorted = [...vcpuTids].sort((a, b) => a - b);
    const taken = new Map<number, Set<number>>();
    let heuristicVm = 0;
    let lastVcpu = Infinity;
    for (const tid of sorted) {
      let key: string;
      let pid: number | null = null;
      let grouping: Grouping;
      const tg = this.tgids?.get(tid);
      const user = this.userVms.find((u) => u.pid === tg || u.pid === this.parent.get(tid));
      if (user) [key, pid, grouping] = [`p${user.pid}`, user.pid, 'user'];
      else if (tg !== undefined) [key, pid, grouping] = [`p${tg}`, tg, 'tgid'];
      else if (this.parent.has(tid)) [key, pid, grouping] = [`p${this.parent.get(tid)}`, this.parent.get(tid)!, 'fork'];
      else if (byWakers(tid) !== undefined) {
        pid = byWakers(tid)!;
        [key, grouping] = [`p${pid}`, 'wakeup'];
      } else {
        // Nearest VMM pid below the tid whose VM has no vCPU of this number yet (QEMU creates its
        // vCPU threads after its main thread; two VMs cannot both have a vCPU 0). Unambiguous only
        // when a single VMM pid lies below the tid.
        const v = vcpuNumber(tid);
        const below = ownerPids.filter((p) => p < tid);
        const free = below.filter((p) => !(taken.get(p)?.has(v) ?? false));
        if (free.length) {
          pid = free[free.length - 1];
          [key, grouping] = [`p${pid}`, below.length === 1 ? 'name' : 'heuristic'];
        } else {
          if (v <= lastVcpu && v >= 0 && lastVcpu !== Infinity) heuristicVm++;
          lastVcpu = v;
          [key, grouping] = [`h${heuristicVm}`, 'heuristic'];
        }
      }
      if (pid !== null) {
        let t = taken.get(pid);
        if (!t) taken.set(pid, (t = new Set()));
        t.add(vcpuNumber(tid));
      }
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { pid, grouping, tids: [] }));
      if (grouping === 'heuristic') g.grouping = 'heuristic';
      g.tids.push(tid);
    }
    const vms: VmInfo[] = [];
    let id = 0;
    for (const g of groups.values()) {
      const user = this.userVms.find((u) => u.pid === g.pid);
      const vm: VmInfo = {
        id: id++,
        name: user?.name ?? (g.pid !== null ? `vm-${g.pid}` : `vm${id - 1}`),
        pid: g.pid,
        grouping: g.grouping,
        vcpus: g.tids.map((tid) => ({ vcpu: vcpuNumber(tid), tid, comm: this.comms.get(tid) ?? '' })).sort((a, b) => a.vcpu - b.vcpu || a.tid - b.tid),
        threads: [],
      };
      vms.push(vm);
    }
    // Helper threads: by owner pid in their name, by tgid, or by fork parent.
    for (const [tid, comm] of this.comms) {
      if (vcpuTids.has(tid) || !this.seen.has(tid)) continue;
      const role = roleOf(comm);
      if (!role) continue;
      const owner = Number(OWNER_NAME.exec(comm)?.[1] ?? NaN);
      const pid = Number.isFinite(owner) ? owner : this.tgids?.get(tid) ?? this.parent.get(tid) ?? (role === 'main' ? tid : null);
      const vm = vms.find((v) => v.pid !== null && v.pid === pid);
      if (vm) vm.threads.push({ tid, comm, role });
    }
    return vms;
  }
}
