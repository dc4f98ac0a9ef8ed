// Basic VM-exit counting (the full exit analysis with durations comes later): kvm_exit events per
// exit reason and per vCPU. Reason names come from the trace's own kvm_exit print format — the VMX
// or SVM `__print_symbolic` table selected by the event's `isa` field — never from a built-in table;
// a reason the format does not name is reported by number.
// Upstream: kernel arch/x86/kvm/trace.h TRACE_EVENT_KVM_EXIT / kvm_print_exit_reason.
import type { FieldDef } from '../ingest/tracedat/format-parser.js';
import { makeSymbolResolver } from '../ingest/tracedat/symbol-tables.js';
import type { EventBatch } from '../model/event-batch.js';
import { readBigInt, readNumber } from '../model/field-access.js';
import type { TraceSource } from '../model/trace-source.js';
import type { Analysis } from './types.js';

export interface ExitCountsResult {
  /** kvm_exit is in the trace's formats (it may still have no events). */
  available: boolean;
  total: number;
  byReason: Array<{ reason: string; code: number; isa: string; count: number }>;
  byVcpu: Array<{ pid: number; comm: string; vcpu: number | null; count: number }>;
}

const ISA: Record<number, string> = { 1: 'vmx', 2: 'svm' };

export class ExitCounts implements Analysis<ExitCountsResult> {
  readonly id = 'exit-counts';
  private fmtIndex = -1;
  private reasonF?: FieldDef;
  private isaF?: FieldDef;
  private vcpuF?: FieldDef;
  private resolve?: (get: (name: string) => bigint) => string | undefined;
  private byKey = new Map<number, { reason: string; code: number; isa: string; count: number }>();
  private byThread = new Map<string, { pid: number; vcpu: number | null; count: number }>();
  private comms = new Map<number, string>();
  private total = 0;

  prepare(source: TraceSource): void {
    this.fmtIndex = source.formats.findIndex((f) => f.system === 'kvm' && f.name === 'kvm_exit');
    this.comms = source.comms;
    if (this.fmtIndex < 0) return;
    const fmt = source.formats[this.fmtIndex];
    const field = (n: string) => fmt.fields.find((f) => f.name === n);
    this.reasonF = field('exit_reason');
    this.isaF = field('isa');
    this.vcpuF = field('vcpu_id');
    this.resolve = makeSymbolResolver(fmt, 'exit_reason');
  }

  consume(b: EventBatch): void {
    if (this.fmtIndex < 0 || !this.reasonF) return;
    const want = this.fmtIndex;
    for (let i = 0; i < b.length; i++) {
      if (b.fmt[i] !== want) continue;
      this.total++;
      const code = readNumber(b, i, this.reasonF);
      const isa = this.isaF ? readNumber(b, i, this.isaF) : 0;
      const key = isa * 4294967296 + code;
      let r = this.byKey.get(key);
      if (!r) {
        const get = (name: string): bigint => {
          const f = name === 'exit_reason' ? this.reasonF : name === 'isa' ? this.isaF : undefined;
          return f ? readBigInt(b, i, f) : 0n;
        };
        const name = this.resolve?.(get);
        r = { reason: name ?? `reason ${code}`, code, isa: ISA[isa] ?? (this.isaF ? `isa ${isa}` : 'unknown'), count: 0 };
        this.byKey.set(key, r);
      }
      r.count++;
      const pid = b.pid[i];
      const vcpu = this.vcpuF ? readNumber(b, i, this.vcpuF) : null;
      const tk = `${pid}:${vcpu}`;
      let t = this.byThread.get(tk);
      if (!t) this.byThread.set(tk, (t = { pid, vcpu, count: 0 }));
      t.count++;
    }
  }

  finish(): ExitCountsResult {
    const byReason = [...this.byKey.values()].sort((a, b) => b.count - a.count || a.code - b.code);
    const byVcpu = [...this.byThread.values()]
      .map((t) => ({ ...t, comm: this.comms.get(t.pid) ?? '' }))
      .sort((a, b) => (a.vcpu ?? 0) - (b.vcpu ?? 0) || a.pid - b.pid);
    return { available: this.fmtIndex >= 0, total: this.total, byReason, byVcpu };
  }
}
