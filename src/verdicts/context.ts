// Shared arithmetic of the verdict rules: vCPU time, rates, report-key references, where a vCPU
// thread sits in the report, and the trace-wide confidence factors (lost and unknown-loss pages,
// short traces). Every figure is taken from the report, so every verdict number can be traced.
import type { Report } from '../report/model.js';
import { CONFIDENCE_TEXT } from './messages.js';
import type { EvidenceValue, EvidenceWindow } from './types.js';

/** vCPU threads of every VM. */
export function vcpuCount(r: Report): number {
  return r.vms.reduce((a, vm) => a + vm.vcpus.length, 0);
}

/** n vCPUs × trace span: the vCPU time the impacts are shares of. */
export function vcpuNs(r: Report, n = vcpuCount(r)): number {
  return n * r.input.durationNs;
}

/** Formula text of vcpuNs for `n` vCPUs. */
export function vcpuNsFormula(n: number): string {
  return `(${n} vCPUs × input.durationNs)`;
}

export function share(part: number, whole: number): number {
  return whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 0;
}

/** Events per vCPU per second over the trace span. */
export function ratePerVcpu(count: number, r: Report, n = vcpuCount(r)): number {
  return n > 0 && r.input.durationNs > 0 ? count / (n * (r.input.durationNs / 1e9)) : 0;
}

export function ref(name: string, value: number | null, unit: EvidenceValue['unit'], path: string): EvidenceValue {
  return { name, value, unit, ref: path };
}

export function derived(name: string, value: number | null, unit: EvidenceValue['unit'], formula: string): EvidenceValue {
  return { name, value: value === null || Number.isFinite(value) ? value : null, unit, formula };
}

/** Exit-reason names of one kind on either ISA (VMX spelling first). */
export const REASONS = {
  hlt: ['HLT', 'hlt'],
  pause: ['PAUSE_INSTRUCTION', 'pause'],
  ept: ['EPT_VIOLATION', 'npf'],
  ipiWrite: ['MSR_WRITE', 'msr', 'APIC_WRITE', 'avic_incomplete_ipi'],
} as const;

/** byReason entries of the given names, with their index in the report. */
export function reasons(r: Report, names: readonly string[]): Array<{ i: number; e: Report['exits']['byReason'][number] }> {
  return r.exits.byReason.map((e, i) => ({ i, e })).filter(({ e }) => names.includes(e.reason));
}

/** The exits.byVcpu row of a thread, with its index. */
export function exitRow(r: Report, tid: number): { i: number; row: Report['exits']['byVcpu'][number] } | null {
  const i = r.exits.byVcpu.findIndex((x) => x.tid === tid);
  return i < 0 ? null : { i, row: r.exits.byVcpu[i] };
}

/** A vCPU thread's VM index (into report.vms) and vCPU number. */
export function whereTid(r: Report, tid: number): { vm: number | null; vcpu: number | null } {
  for (const vm of r.vms) for (const v of vm.vcpus) if (v.tid === tid) return { vm: vm.id, vcpu: v.vcpu };
  return { vm: null, vcpu: null };
}

/** What kind of thread of VM `vm` the comm names: a sibling vCPU, an emulator thread, or neither. */
export function threadKind(r: Report, vm: number | null, comm: string): 'vcpu' | 'emulator' | null {
  const v = vm === null ? undefined : r.vms.find((x) => x.id === vm);
  if (!v) return null;
  if (v.vcpus.some((c) => c.comm === comm)) return 'vcpu';
  if (v.threads.some((t) => t.comm === comm)) return 'emulator';
  return null;
}

/** A window from one of the longest exits. */
export function exitWindow(r: Report, i: number): EvidenceWindow {
  const l = r.exits.longest[i];
  return { startNs: l.tsNs, endNs: l.tsNs + BigInt(Math.round(l.durationNs)), cpu: l.cpu, vm: l.vm, vcpu: l.vcpu, tid: l.tid, ref: `exits.longest[${i}]` };
}

/** The analysis was not measured because its events are missing. */
export function isMissing(r: Report, analysis: string): boolean {
  return r.missing.some((m) => m.analysis === analysis);
}

/** Confidence factors that apply to every rule: lost events, loss of unknown size, a short trace. */
export function traceConfidence(r: Report): Array<{ factor: number; reason: string }> {
  const out: Array<{ factor: number; reason: string }> = [];
  const i = r.input;
  const lost = share(i.lostEvents, i.events + i.lostEvents);
  if (lost > 0) out.push({ factor: Math.max(0.05, 1 - lost), reason: CONFIDENCE_TEXT.lost(i.lostEvents, lost) });
  if (i.lostUnknown > 0) out.push({ factor: 0.8, reason: CONFIDENCE_TEXT.lostUnknown(i.lostUnknown) });
  if (i.clockIsNs && i.durationNs > 0 && i.durationNs < 1e9) out.push({ factor: 0.85, reason: CONFIDENCE_TEXT.shortTrace(i.durationNs) });
  if (!i.clockIsNs) out.push({ factor: 0.5, reason: CONFIDENCE_TEXT.clockNotNs(i.clock) });
  return out;
}

/** Rule confidence when the evidence rests on few samples. */
export function fewSamples(count: number, min: number, what: string): Array<{ factor: number; reason: string }> {
  return count < 2 * min ? [{ factor: 0.85, reason: CONFIDENCE_TEXT.fewSamples(count, what) }] : [];
}
