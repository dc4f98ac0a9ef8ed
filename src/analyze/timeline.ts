// Time-bucketed view of the trace for the report's heatmap, per-CPU timeline and worst windows
// (docs/report-schema.md "Timeline"). A fixed number of buckets (BUCKETS) covers the trace from its
// first event; when the stream passes the last bucket every series merges pairs of buckets and the
// width doubles, so memory stays fixed however long the trace is. Per vCPU thread: exits, time in
// exits not halted (handling + scheduled out + user space, the exit → entry pairing of exits.ts)
// and halted, CPU changes; per host CPU: running time of each vCPU thread and time with two or
// more vCPU threads runnable or running there (stacking, any VM); trace-wide: PAUSE exits, on_spin
// calls, late lapic timers and the worst one. Upstream: arch/x86/kvm/trace.h, include/trace/events/sched.h.
import type { EventBatch } from '../model/event-batch.js';
import { readBigInt } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';
import type { ExitReasons } from './exit-reasons.js';
import type { KernelSymbols } from './kernel-symbols.js';
import { topWindows } from './timeline-windows.js';
import { RUNNABLE, RUNNING, SLEEPING, type SchedTracker } from './sched-state.js';
import type { Threads } from './threads.js';
import type { Analysis } from './types.js';

export const BUCKETS = 100;
/** Width of a bucket before any doubling. */
export const FIRST_BUCKET_NS = 10_000;
/** Series kept at most: vCPU threads, CPUs, (CPU, vCPU thread) running-time pairs. */
const [MAX_VCPUS, MAX_CPUS, MAX_PAIRS] = [512, 1024, 8192];
const WORST = 5;
const PAUSE = new Set(['PAUSE_INSTRUCTION', 'pause']);

interface Vcpu { exits: Float64Array; exitNs: Float64Array; haltedNs: Float64Array; migrations: Float64Array; open: boolean; halted: boolean; seg: number; pending: number[]; lastCpu: number }
interface Cpu { byThread: Map<number, Float64Array>; stackedNs: Float64Array; placed: number; since: number }

export interface TimelineWindow { kind: 'exit-time' | 'timer-lateness'; startTs: number; endTs: number; value: number; tid: number }
export interface TimelineResult {
  /** Relative ns of the first bucket's start (NaN: empty trace); `buckets` used, each `bucketNs` wide. */
  startTs: number;
  bucketNs: number;
  buckets: number;
  vcpus: Map<number, { exits: number[]; exitNs: number[]; haltedNs: number[]; migrations: number[] }>;
  cpus: Map<number, { byThread: Map<number, number[]>; stackedNs: number[] }>;
  pauseExits: number[]; onSpin: number[]; lapicLate: number[];
  /** Largest late delta (guest TSC cycles) per bucket, 0 when none, and the thread it came from (-1). */
  lapicMaxLate: number[];
  lapicMaxLateTid: number[];
  worst: TimelineWindow[];
}

export class Timeline implements Analysis<TimelineResult> {
  readonly id = 'timeline';
  private t0 = NaN;
  private last = NaN;
  private width = FIRST_BUCKET_NS;
  private readonly sums: Float64Array[] = [];
  private readonly vcpus = new Map<number, Vcpu>();
  /** The same records by thread index (Dispatcher.tids), for the per-event lookups. */
  private readonly vcpuAt: Array<Vcpu | undefined> = [];
  private readonly cpus = new Map<number, Cpu>();
  /** By thread index: where a vCPU thread runs since when (`on`); records are reused, `seq` orders them as Map re-insertions did. */
  private readonly running: Array<{ tid: number; on: boolean; cpu: number; since: number; seq: number } | undefined> = [];
  private runSeq = 0;
  /** By thread index: the CPU a vCPU thread is runnable or running on (-1: none). */
  private placedOn = new Float64Array(256).fill(-1);
  private readonly pauseExits = this.series();
  private readonly onSpin = this.series();
  private readonly lapicLate = this.series();
  private readonly lapicMax = new Float64Array(BUCKETS);
  private readonly lapicMaxTid = new Float64Array(BUCKETS).fill(-1);
  private readonly isPause: boolean[] = [];
  private pairs = 0;

  constructor(d: Dispatcher, sched: SchedTracker, private readonly thr: Threads, reasons: ExitReasons, syms: KernelSymbols) {
    const tids = d.tids;
    d.on('kvm_exit', (fmt) => {
      const reason = reasons.reader(fmt, d);
      if (!reason) return null;
      return (b, i) => {
        const ts = b.ts[i];
        const k = reason(b, i);
        this.isPause[k] ??= PAUSE.has(reasons.list[k].reason);
        if (this.isPause[k]) this.pauseExits[this.idx(ts)]++;
        const tid = b.pid[i];
        const ix = tids.of(tid);
        const v = (ix < this.vcpuAt.length ? this.vcpuAt[ix] : undefined) ?? this.vcpu(tid, ix);
        if (!v) return;
        v.exits[this.idx(ts)]++;
        v.open = true;
        v.halted = false;
        v.seg = ts;
        if (v.pending.length !== 0) v.pending.length = 0; // reused: no allocation per exit
      };
    }, 'kvm');
    d.on('kvm_entry', () => (b, i) => {
      const ix = tids.of(b.pid[i]);
      const v = ix < this.vcpuAt.length ? this.vcpuAt[ix] : undefined;
      if (!v?.open) return;
      for (let k = 0; k < v.pending.length; k += 3) this.add(v.pending[k + 2] ? v.haltedNs : v.exitNs, v.pending[k], v.pending[k + 1]);
      this.add(v.halted ? v.haltedNs : v.exitNs, v.seg, b.ts[i]); // the last segment, to this entry
      v.open = false;
    }, 'kvm');
    const spin = (b: EventBatch, i: number) => this.onSpin[this.idx(b.ts[i])]++;
    d.on('function', (fmt) => {
      const ip = fieldOf(fmt, 'ip');
      return ip ? (b, i) => syms.nameAt(b, i, ip) === 'kvm_vcpu_on_spin' && spin(b, i) : null;
    }, 'ftrace');
    d.on('kvm_vcpu_on_spin', () => spin);
    d.on('kvm_wait_lapic_expire', (fmt) => {
      const delta = fieldOf(fmt, 'delta');
      if (!delta) return null;
      return (b, i) => {
        const v = Number(readBigInt(b, i, delta));
        if (v <= 0) return;
        const k = this.idx(b.ts[i]);
        this.lapicLate[k]++;
        if (v > this.lapicMax[k]) [this.lapicMax[k], this.lapicMaxTid[k]] = [v, b.pid[i]];
      };
    }, 'kvm');
    sched.subscribe((t) => {
      const v = t.ix < this.vcpuAt.length ? this.vcpuAt[t.ix] : undefined;
      if (v?.open && (t.to === SLEEPING) !== v.halted) {
        v.pending.push(v.seg, t.ts, v.halted ? 1 : 0);
        v.seg = t.ts;
        v.halted = !v.halted;
      }
      if (!v && !this.thr.isVcpuAt(t.ix)) return;
      let run = t.ix < this.running.length ? this.running[t.ix] : undefined;
      if (t.from === RUNNING && run?.on) {
        this.ran(t.tid, run.cpu, run.since, t.ts);
        run.on = false;
      }
      if (t.to === RUNNING) {
        if (!run) {
          while (this.running.length < t.ix) this.running.push(undefined);
          this.running[t.ix] = run = { tid: t.tid, on: true, cpu: t.cpu, since: t.ts, seq: this.runSeq++ };
        } else {
          run.on = true;
          run.cpu = t.cpu;
          run.since = t.ts;
          run.seq = this.runSeq++;
        }
        const s = v ?? this.vcpu(t.tid, t.ix);
        if (s && s.lastCpu >= 0 && s.lastCpu !== t.cpu) s.migrations[this.idx(t.ts)]++;
        if (s) s.lastCpu = t.cpu;
      }
      this.place(t.ix, t.to === RUNNING || t.to === RUNNABLE ? t.cpu : -1, t.ts);
    });
  }

  prepare(): void {}

  consume(b: EventBatch): void {
    if (b.length === 0) return;
    if (Number.isNaN(this.t0)) this.t0 = b.ts[0];
    const end = b.ts[b.length - 1];
    if (!(end <= this.last)) this.last = end;
    while (this.last >= this.t0 + BUCKETS * this.width) this.double();
  }

  private series(): Float64Array {
    const a = new Float64Array(BUCKETS);
    this.sums.push(a);
    return a;
  }

  /** The record of vCPU thread `tid` (index `ix`), made on first use while fewer than MAX_VCPUS are kept. */
  private vcpu(tid: number, ix: number): Vcpu | undefined {
    let v = this.vcpus.get(tid);
    if (!v && this.vcpus.size < MAX_VCPUS) {
      v = { exits: this.series(), exitNs: this.series(), haltedNs: this.series(), migrations: this.series(), open: false, halted: false, seg: 0, pending: [], lastCpu: -1 };
      this.vcpus.set(tid, v);
      while (this.vcpuAt.length < ix) this.vcpuAt.push(undefined);
      this.vcpuAt[ix] = v;
    }
    return v;
  }

  private cpu(n: number): Cpu | undefined {
    let c = this.cpus.get(n);
    if (!c && this.cpus.size < MAX_CPUS) this.cpus.set(n, (c = { byThread: new Map(), stackedNs: this.series(), placed: 0, since: 0 }));
    return c;
  }

  /** `tid` ran on `cpu` over [a, b). */
  private ran(tid: number, cpu: number, a: number, b: number): void {
    const c = this.cpu(cpu);
    let s = c?.byThread.get(tid);
    if (c && !s && this.pairs < MAX_PAIRS) {
      c.byThread.set(tid, (s = this.series()));
      this.pairs++;
    }
    if (s) this.add(s, a, b);
  }

  /** Halves the resolution: bucket j of the new series is buckets 2j and 2j+1 of the old. */
  private double(): void {
    const h = BUCKETS / 2;
    for (const a of this.sums) {
      for (let j = 0; j < h; j++) a[j] = a[2 * j] + a[2 * j + 1];
      a.fill(0, h);
    }
    for (let j = 0; j < h; j++) {
      const k = this.lapicMax[2 * j + 1] > this.lapicMax[2 * j] ? 2 * j + 1 : 2 * j;
      [this.lapicMax[j], this.lapicMaxTid[j]] = [this.lapicMax[k], this.lapicMaxTid[k]];
    }
    this.lapicMax.fill(0, h);
    this.lapicMaxTid.fill(-1, h);
    this.width *= 2;
  }

  private idx(ts: number): number {
    const k = Math.floor((ts - this.t0) / this.width);
    return k < 0 ? 0 : k >= BUCKETS ? BUCKETS - 1 : k;
  }

  /** Adds the interval [a, b) to a series, split at bucket edges. */
  private add(arr: Float64Array, a: number, b: number): void {
    for (let k = this.idx(a); a < b; k++) {
      const edge = k >= BUCKETS - 1 ? b : Math.min(b, this.t0 + (k + 1) * this.width);
      arr[k] += edge - a;
      a = edge;
    }
  }

  /** Moves the run-queue placement of a vCPU thread (index `ix`) to `cpu` (-1: none), accounting stacked time. */
  private place(ix: number, cpu: number, ts: number): void {
    if (ix >= this.placedOn.length) {
      const grown = new Float64Array(Math.max(ix + 1, this.placedOn.length * 2)).fill(-1);
      grown.set(this.placedOn);
      this.placedOn = grown;
    }
    const from = this.placedOn[ix];
    if (from === cpu) return;
    if (from >= 0) this.placed(from, -1, ts);
    if (cpu >= 0) {
      this.placedOn[ix] = cpu;
      this.placed(cpu, 1, ts);
    } else this.placedOn[ix] = -1;
  }

  /** One more (`by` 1) or one less (-1) vCPU thread placed on CPU `n` from `ts`. */
  private placed(n: number, by: number, ts: number): void {
    const c = this.cpu(n);
    if (!c) return;
    if (c.placed >= 2) this.add(c.stackedNs, c.since, ts);
    c.placed += by;
    c.since = ts;
  }

  /** The worst windows (timeline-windows.ts), each with the thread `who` names for its buckets. */
  private windows(kind: TimelineWindow['kind'], n: number, score: (k: number) => number, merge: (a: number, b: number) => number, who: (ks: number[]) => number): TimelineWindow[] {
    return topWindows(n, score, merge, WORST).map((w) => ({
      kind, startTs: this.t0 + w.first * this.width, endTs: this.t0 + (w.last + 1) * this.width, value: w.value,
      tid: who(Array.from({ length: w.last - w.first + 1 }, (_, i) => w.first + i)),
    }));
  }

  finish(): TimelineResult {
    const end = Number.isNaN(this.last) ? 0 : this.last;
    const open = this.running.filter((r) => r?.on).sort((a, b) => a!.seq - b!.seq);
    for (const r of open) this.ran(r!.tid, r!.cpu, r!.since, end);
    for (const c of this.cpus.values()) if (c.placed >= 2) this.add(c.stackedNs, c.since, end);
    const n = Number.isNaN(this.t0) ? 0 : this.idx(end) + 1;
    const cut = (a: Float64Array) => Array.from(a.subarray(0, n));
    const exitAt = (k: number) => [...this.vcpus.values()].reduce((s, v) => s + v.exitNs[k], 0);
    const worst = [
      // The vCPU thread with the most exit time over the window (-1: none).
      ...this.windows('exit-time', n, exitAt, (a, b) => a + b, (ks) => [...this.vcpus].reduce<[number, number]>((best, [t, v]) => {
        const ns = ks.reduce((x, k) => x + v.exitNs[k], 0);
        return ns > best[1] ? [t, ns] : best;
      }, [-1, 0])[0]),
      ...this.windows('timer-lateness', n, (k) => this.lapicMax[k], Math.max, (ks) => this.lapicMaxTid[ks.reduce((a, k) => (this.lapicMax[k] > this.lapicMax[a] ? k : a))]),
    ];
    return {
      startTs: this.t0, bucketNs: this.width, buckets: n,
      vcpus: new Map([...this.vcpus].map(([tid, v]) => [tid, { exits: cut(v.exits), exitNs: cut(v.exitNs), haltedNs: cut(v.haltedNs), migrations: cut(v.migrations) }])),
      cpus: new Map([...this.cpus].map(([cpu, c]) => [cpu, { byThread: new Map([...c.byThread].map(([t, a]) => [t, cut(a)])), stackedNs: cut(c.stackedNs) }])),
      pauseExits: cut(this.pauseExits), onSpin: cut(this.onSpin), lapicLate: cut(this.lapicLate),
      lapicMaxLate: cut(this.lapicMax), lapicMaxLateTid: Array.from(this.lapicMaxTid.subarray(0, n)), worst,
    };
  }
}
