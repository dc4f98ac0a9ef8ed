// What the exits touched: guest RIP hot spots per reason (kvm_exit guest_rip), MSRs by number with
// names for the well-known ones (kvm_msr), I/O ports (kvm_pio), MMIO addresses (kvm_mmio), and the
// exit rate over time in fixed bins. Counts only; the top entries are chosen at the end.
// Upstream: arch/x86/kvm/trace.h (kvm_exit, kvm_msr, kvm_pio), include/trace/events/kvm.h
// (kvm_mmio); MSR numbers: arch/x86/include/asm/msr-index.h, kvm-tracepoints.md §2.9.
import { readBigInt, readNumber } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';
import type { ExitReasons } from './exit-reasons.js';
import { U64Counter } from './stats/u64-counter.js';

/** Well-known MSRs a KVM post-mortem meets (msr-index.h names). */
export const MSR_NAMES: Record<number, string> = {
  0x10: 'IA32_TSC', 0x1b: 'IA32_APICBASE', 0x3a: 'IA32_FEATURE_CONTROL', 0x48: 'IA32_SPEC_CTRL', 0x49: 'IA32_PRED_CMD',
  0xe7: 'IA32_MPERF', 0xe8: 'IA32_APERF', 0x174: 'IA32_SYSENTER_CS', 0x1a0: 'IA32_MISC_ENABLE', 0x1d9: 'IA32_DEBUGCTL',
  0x277: 'IA32_PAT', 0x6e0: 'IA32_TSC_DEADLINE', 0x802: 'x2APIC_ID', 0x808: 'x2APIC_TPR', 0x80b: 'x2APIC_EOI',
  0x830: 'x2APIC_ICR', 0x832: 'x2APIC_LVT_TIMER', 0x838: 'x2APIC_TMICT', 0x83f: 'x2APIC_SELF_IPI',
  0xc0000080: 'EFER', 0xc0000081: 'STAR', 0xc0000082: 'LSTAR', 0xc0000100: 'FS_BASE', 0xc0000101: 'GS_BASE',
  0xc0000102: 'KERNEL_GS_BASE', 0xc0000103: 'TSC_AUX', 0x4b564d00: 'KVM_WALL_CLOCK_NEW', 0x4b564d01: 'KVM_SYSTEM_TIME_NEW',
  0x4b564d02: 'KVM_ASYNC_PF_EN', 0x4b564d03: 'KVM_STEAL_TIME', 0x4b564d04: 'KVM_PV_EOI_EN', 0x4b564d05: 'KVM_POLL_CONTROL',
};

const BIN_NS = 10_000_000;
/** 2^20 bins of 10 ms: about 2.9 hours of exit rate. */
const MAX_BINS = 1 << 20;
const TOP = 10;

type Counter = Map<number, number>;
const bump = (m: Counter, k: number, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
const top = (m: Counter, n = TOP) => [...m].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n);

export interface ExitDetailsResult {
  /** Reason index → guest RIP → exits (RIPs as Numbers: exact up to 2^53, kernel RIPs round). */
  ripsByReason: Map<number, Array<[string, number]>>;
  msrs: Array<{ msr: number; name: string | null; reads: number; writes: number }>;
  ports: Array<{ port: number; reads: number; writes: number }>;
  mmio: Array<{ gpa: string; reads: number; writes: number }>;
  /** Exits per 10 ms bin, from the first exit. */
  rate: { binNs: number; startTs: number; counts: number[] };
}

export class ExitDetails {
  private readonly rips = new Map<number, Map<bigint, number>>();
  /** Unsigned RIP fields (every real layout) count here, without a BigInt per exit. */
  private readonly fastRips = new Map<number, U64Counter>();
  /** The same counters by reason index (an array read per exit instead of a Map lookup). */
  private readonly fastByReason: Array<U64Counter | undefined> = [];
  private readonly msrR: Counter = new Map();
  private readonly msrW: Counter = new Map();
  private readonly portR: Counter = new Map();
  private readonly portW: Counter = new Map();
  private readonly mmioR = new Map<bigint, number>();
  private readonly mmioW = new Map<bigint, number>();
  private start = NaN;
  /** Exits per bin; `nBins` of them used (the array grows by doubling). */
  private bins = new Float64Array(64);
  private nBins = 0;

  constructor(d: Dispatcher, reasons: ExitReasons) {
    d.on('kvm_exit', (fmt) => {
      const reason = reasons.reader(fmt, d);
      const rip = fieldOf(fmt, 'guest_rip');
      if (!reason) return null;
      if (!rip) return (b, i) => this.count(b.ts[i]);
      if (rip.signed || (rip.size !== 8 && rip.size !== 4)) {
        return (b, i) => {
          this.count(b.ts[i]);
          const r = reason(b, i);
          let m = this.rips.get(r);
          if (!m) this.rips.set(r, (m = new Map()));
          const v = readBigInt(b, i, rip);
          if (m.size < 100_000 || m.has(v)) m.set(v, (m.get(v) ?? 0) + 1);
        };
      }
      // Unsigned RIP fields (every real layout): two 32-bit halves into a U64Counter, no BigInt.
      const { offset, size } = rip;
      return (b, i) => {
        this.count(b.ts[i]);
        const c = this.fastByReason[reason(b, i)] ?? this.counter(reason(b, i));
        const at = b.off[i] + offset;
        if (offset + size > b.len[i]) c.add(0, 0);
        else if (size === 4) c.add(0, b.view.getUint32(at, b.little));
        else if (b.little) c.add(b.view.getUint32(at + 4, true), b.view.getUint32(at, true));
        else c.add(b.view.getUint32(at, false), b.view.getUint32(at + 4, false));
      };
    }, 'kvm');
    d.on('kvm_msr', (fmt) => {
      const w = fieldOf(fmt, 'write');
      const ecx = fieldOf(fmt, 'ecx');
      if (!w || !ecx) return null;
      return (b, i) => bump(readNumber(b, i, w) ? this.msrW : this.msrR, readNumber(b, i, ecx));
    }, 'kvm');
    d.on('kvm_pio', (fmt) => {
      const rw = fieldOf(fmt, 'rw');
      const port = fieldOf(fmt, 'port');
      if (!rw || !port) return null;
      return (b, i) => bump(readNumber(b, i, rw) ? this.portW : this.portR, readNumber(b, i, port));
    }, 'kvm');
    d.on('kvm_mmio', (fmt) => {
      const type = fieldOf(fmt, 'type');
      const gpa = fieldOf(fmt, 'gpa');
      if (!type || !gpa) return null;
      return (b, i) => {
        const m = readNumber(b, i, type) === 2 ? this.mmioW : this.mmioR; // 0 unsatisfied-read, 1 read, 2 write
        const g = readBigInt(b, i, gpa);
        m.set(g, (m.get(g) ?? 0) + 1);
      };
    }, 'kvm');
  }

  /** One more exit at `ts` in the rate bins. */
  private count(ts: number): void {
    if (Number.isNaN(this.start)) this.start = ts;
    const bin = Math.floor((ts - this.start) / BIN_NS);
    // A damaged timestamp (far future, or before the first exit) must not size the array.
    if (!(bin >= 0 && bin < MAX_BINS)) return;
    if (bin >= this.nBins) {
      if (bin >= this.bins.length) {
        let n = this.bins.length * 2;
        while (n <= bin) n *= 2;
        const grown = new Float64Array(Math.min(n, MAX_BINS));
        grown.set(this.bins.subarray(0, this.nBins));
        this.bins = grown;
      }
      this.nBins = bin + 1;
    }
    this.bins[bin]++;
  }

  /** The RIP counter of reason `r`, made on its first exit. */
  private counter(r: number): U64Counter {
    const c = new U64Counter(100_000);
    this.fastRips.set(r, c);
    while (this.fastByReason.length < r) this.fastByReason.push(undefined);
    this.fastByReason[r] = c;
    return c;
  }

  finish(): ExitDetailsResult {
    const ripsByReason = new Map<number, Array<[string, number]>>();
    for (const [r, m] of this.rips) {
      ripsByReason.set(r, [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP).map(([rip, n]) => [`0x${rip.toString(16)}`, n]));
    }
    for (const [r, c] of this.fastRips) ripsByReason.set(r, c.top(TOP).map(([rip, n]) => [`0x${rip.toString(16)}`, n]));
    const merge = (rd: Counter, wr: Counter) => {
      const all: Counter = new Map();
      for (const [k, n] of rd) bump(all, k, n);
      for (const [k, n] of wr) bump(all, k, n);
      return top(all, 20).map(([k]) => ({ k, reads: rd.get(k) ?? 0, writes: wr.get(k) ?? 0 }));
    };
    const mmioAll = new Map<bigint, number>();
    for (const m of [this.mmioR, this.mmioW]) for (const [k, n] of m) mmioAll.set(k, (mmioAll.get(k) ?? 0) + n);
    return {
      ripsByReason,
      msrs: merge(this.msrR, this.msrW).map(({ k, reads, writes }) => ({ msr: k, name: MSR_NAMES[k] ?? null, reads, writes })),
      ports: merge(this.portR, this.portW).map(({ k, reads, writes }) => ({ port: k, reads, writes })),
      mmio: [...mmioAll].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20)
        .map(([g]) => ({ gpa: `0x${g.toString(16)}`, reads: this.mmioR.get(g) ?? 0, writes: this.mmioW.get(g) ?? 0 })),
      rate: { binNs: BIN_NS, startTs: Number.isNaN(this.start) ? 0 : this.start, counts: Array.from(this.bins.subarray(0, this.nBins)) },
    };
  }
}
