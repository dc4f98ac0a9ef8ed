// IPIs between vCPUs (docs/analyses.md "IPIs"): kvm_apic_ipi is emitted by the sending vCPU's
// thread when the guest writes the ICR; dest_id is the destination APIC id (= vcpu_id on x86 for
// power-of-two topologies). kvm_msr writes to 0x830 (x2APIC ICR) are the MSR-exit form of the same
// send. Upstream: arch/x86/kvm/trace.h (kvm_apic_ipi, kvm_msr), arch/x86/kvm/lapic.c.
import { readNumber } from '../model/field-access.js';
import { fieldOf, type Dispatcher } from './dispatch.js';

export const X2APIC_ICR = 0x830;

export interface IpiResult {
  available: boolean;
  total: number;
  /** kvm_msr writes to the x2APIC ICR. */
  icrMsrWrites: number;
  sentByThread: Map<number, number>;
  /** Destination APIC id → IPIs received. */
  receivedByApicId: Map<number, number>;
  icrWritesByThread: Map<number, number>;
}

export class Ipis {
  private readonly r: IpiResult = { available: false, total: 0, icrMsrWrites: 0, sentByThread: new Map(), receivedByApicId: new Map(), icrWritesByThread: new Map() };

  constructor(d: Dispatcher) {
    this.r.available = d.on('kvm_apic_ipi', (fmt) => {
      const dest = fieldOf(fmt, 'dest_id');
      return (b, i) => {
        this.r.total++;
        const tid = b.pid[i];
        this.r.sentByThread.set(tid, (this.r.sentByThread.get(tid) ?? 0) + 1);
        if (dest) {
          const id = readNumber(b, i, dest);
          this.r.receivedByApicId.set(id, (this.r.receivedByApicId.get(id) ?? 0) + 1);
        }
      };
    }, 'kvm') > 0;
    d.on('kvm_msr', (fmt) => {
      const write = fieldOf(fmt, 'write');
      const ecx = fieldOf(fmt, 'ecx');
      if (!write || !ecx) return null;
      return (b, i) => {
        if (readNumber(b, i, write) === 0 || readNumber(b, i, ecx) !== X2APIC_ICR) return;
        this.r.icrMsrWrites++;
        this.r.icrWritesByThread.set(b.pid[i], (this.r.icrWritesByThread.get(b.pid[i]) ?? 0) + 1);
      };
    }, 'kvm');
  }

  finish(): IpiResult {
    return this.r;
  }
}
