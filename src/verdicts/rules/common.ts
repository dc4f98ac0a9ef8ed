// Small helpers the rule files share: a vCPU thread as the messages name it, severity ladders.
import type { Report } from '../../report/model.js';
import type { VcpuRef } from '../messages.js';
import type { Severity } from '../types.js';

export function vmName(r: Report, vm: number | null): string {
  if (vm === null) return 'unknown VM';
  return r.vms.find((v) => v.id === vm)?.name ?? `VM ${vm}`;
}

export function vcpuRef(r: Report, x: { vm: number | null; vcpu: number | null; tid: number }): VcpuRef {
  return { vmName: vmName(r, x.vm), vcpu: x.vcpu, tid: x.tid };
}

/** info / warning / critical by the first threshold reached, else ok. */
export function ladder(x: number, t: { info?: number; warning?: number; critical?: number }): Severity {
  if (t.critical !== undefined && x >= t.critical) return 'critical';
  if (t.warning !== undefined && x >= t.warning) return 'warning';
  if (t.info !== undefined && x >= t.info) return 'info';
  return 'ok';
}

export const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];
