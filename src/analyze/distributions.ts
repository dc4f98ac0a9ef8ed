// Distributions on a log scale for the report's histograms: VM exit durations per reason (each
// kvm_exit paired with its thread's next kvm_entry, the same pairing as exits.ts) and
// kvm_wait_lapic_expire deltas split into late (> 0) and early (< 0, by magnitude).
// Upstream: arch/x86/kvm/trace.h (kvm_exit, kvm_entry, kvm_wait_lapic_expire); the delta is guest
// TSC cycles (arch/x86/kvm/lapic.c __kvm_wait_lapic_expire).
import { readBigInt } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';
import type { ExitReasons } from './exit-reasons.js';
import type { Exits } from './exits.js';
import { LogHistogram, type LogBin } from './stats/log-histogram.js';

export interface DistributionsResult {
  /** Per exit reason index (ExitReasons.list): durations of the exits that reached their kvm_entry. */
  exitDurations: Array<{ reason: number; bins: LogBin[]; count: number }>;
  /** kvm_wait_lapic_expire deltas in guest TSC cycles: late ones, and early ones by magnitude; `onTime` = delta 0. */
  lapic: { late: LogBin[]; early: LogBin[]; onTime: number };
}

export class Distributions {
  /** By thread index (Dispatcher.tids), reused (no object per exit): its open exit's start and reason, open = false when none. */
  private readonly open: Array<{ ts: number; reason: number; open: boolean } | undefined> = [];
  private readonly byReason: LogHistogram[] = [];
  private readonly late = new LogHistogram();
  private readonly early = new LogHistogram();
  private onTime = 0;

  /**
   * With `exits`, the exit durations are the ones its pairing yields (the same exit → entry pairing,
   * done once); without, this pairs kvm_exit and kvm_entry itself.
   */
  constructor(d: Dispatcher, reasons: ExitReasons, exits?: Exits) {
    if (exits) exits.onPair((r, ns) => this.addExit(r, ns));
    else this.pairItself(d, reasons);
    d.on('kvm_wait_lapic_expire', (fmt) => {
      const delta = fieldOf(fmt, 'delta');
      if (!delta) return null;
      return (b, i) => {
        const v = Number(readBigInt(b, i, delta));
        if (v > 0) this.late.add(v);
        else if (v < 0) this.early.add(-v);
        else this.onTime++;
      };
    }, 'kvm');
  }

  private addExit(reason: number, ns: number): void {
    while (this.byReason.length <= reason) this.byReason.push(new LogHistogram());
    this.byReason[reason].add(ns);
  }

  private pairItself(d: Dispatcher, reasons: ExitReasons): void {
    const tids = d.tids;
    d.on('kvm_exit', (fmt) => {
      const reason = reasons.reader(fmt, d);
      if (!reason) return null;
      return (b, i) => {
        const ix = tids.of(b.pid[i]);
        let o = ix < this.open.length ? this.open[ix] : undefined;
        if (!o) {
          while (this.open.length < ix) this.open.push(undefined);
          this.open[ix] = o = { ts: 0, reason: 0, open: false };
        }
        o.ts = b.ts[i];
        o.reason = reason(b, i);
        o.open = true;
      };
    }, 'kvm');
    d.on('kvm_entry', () => (b, i) => {
      const ix = tids.of(b.pid[i]);
      const o = ix < this.open.length ? this.open[ix] : undefined;
      if (!o?.open) return;
      o.open = false;
      this.addExit(o.reason, b.ts[i] - o.ts);
    }, 'kvm');
  }

  finish(): DistributionsResult {
    return {
      exitDurations: this.byReason.map((h, reason) => ({ reason, bins: h.list(), count: h.count })).filter((x) => x.count > 0),
      lapic: { late: this.late.list(), early: this.early.list(), onTime: this.onTime },
    };
  }
}
