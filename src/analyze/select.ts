// `--vm NAME|PID` and `--vcpu N|VM:N`: restricting the analyses to some VMs and vCPUs.
// VMs are grouped from the whole stream (threads.ts), so a selection takes two passes: the first
// finds the VMs (the same grouping a full analysis makes), the second analyses the input with the
// other vCPU threads' non-scheduler events dropped (filter.ts) and reports only the selected VMs and
// vCPUs (renumbered 0.. in their unfiltered order: report `vm` fields index `vms[]`). Stacking and
// lock-holder preemption then count only among the selected vCPUs.
import { UsageError } from '../diag/errors.js';
import type { EventBatch } from '../model/event-batch.js';
import type { TraceSource } from '../model/trace-source.js';
import { Dispatcher } from './dispatch.js';
import { ExitReasons } from './exit-reasons.js';
import { Exits } from './exits.js';
import { analyzeSource, runAnalyses, type AnalysisResults } from './run.js';
import { SchedTracker } from './sched-state.js';
import { Threads, type VmInfo } from './threads.js';
import type { WindowSpec } from './window.js';

export interface Selection {
  /** `--vm` selectors: a VM name (`vm-5128`, or one given by `--vm name=pid`) or its VMM pid. */
  vms: string[];
  /** `--vcpu` selectors: `N` (vCPU N of every selected VM) or `VM:N`. */
  vcpus: string[];
}

export interface ProgressHook {
  batch(b: EventBatch): void;
  done(): void;
}

export interface InputOptions {
  /** VMs named by the user (`--vm name=pid`). */
  names?: Array<{ name: string; pid: number }>;
  window?: WindowSpec;
  select?: Selection;
  /** Called at the start of each pass over the input (progress display). */
  progress?: (pass: string, source: TraceSource) => ProgressHook | undefined;
}

/** The VMs of a source, grouped as a full analysis groups them (one light pass). */
export function discoverVms(source: TraceSource, names: Array<{ name: string; pid: number }> = [], onBatch?: (b: EventBatch) => void): VmInfo[] {
  const d = new Dispatcher(source.formats);
  const sched = new SchedTracker(d);
  const threads = new Threads(d, source, names);
  new Exits(d, sched, threads, new ExitReasons());
  runAnalyses(source, [], d, onBatch ? (cb) => (b) => { onBatch(b); cb(b); } : undefined);
  return threads.vms();
}

const describeVms = (vms: VmInfo[]) => vms.map((v) => `${v.name}${v.pid !== null ? ` (pid ${v.pid})` : ''}: vCPUs ${v.vcpus.map((c) => c.vcpu).join(',') || 'none'}`).join('; ') || 'none';

/** The selected VMs (with only the selected vCPUs) and the vCPU threads left out. */
export function resolveSelection(all: VmInfo[], sel: Selection): { vms: VmInfo[]; drop: Set<number> } {
  const find = (s: string, flag: string): VmInfo[] => {
    const hit = all.filter((v) => v.name === s || (/^\d+$/.test(s) && v.pid === Number(s)));
    if (!hit.length) throw new UsageError(`${flag} ${s}: no such VM in the trace (VMs found: ${describeVms(all)})`);
    return hit;
  };
  const chosen = new Set<VmInfo>();
  for (const s of sel.vms) for (const v of find(s, '--vm')) chosen.add(v);
  const bare = new Set<number>();
  const perVm = new Map<VmInfo, Set<number>>();
  for (const spec of sel.vcpus.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean)) {
    const at = spec.lastIndexOf(':');
    const num = spec.slice(at + 1);
    if (!/^\d+$/.test(num)) throw new UsageError(`--vcpu needs N or VM:N (VM = name or pid), got "${spec}"`);
    if (at < 0) {
      bare.add(Number(num));
      continue;
    }
    for (const v of find(spec.slice(0, at), '--vcpu')) {
      chosen.add(v);
      if (!perVm.has(v)) perVm.set(v, new Set());
      perVm.get(v)!.add(Number(num));
    }
  }
  const vms: VmInfo[] = [];
  for (const vm of all) {
    if (chosen.size > 0 && !chosen.has(vm)) continue;
    const want = new Set([...bare, ...(perVm.get(vm) ?? [])]);
    const vcpus = want.size ? vm.vcpus.filter((c) => want.has(c.vcpu)) : vm.vcpus;
    // Renumbered: `vm` fields in the report index `vms[]` (vms[i].id === i).
    if (vcpus.length) vms.push({ ...vm, id: vms.length, vcpus });
  }
  if (!vms.length) throw new UsageError(`--vm/--vcpu: the selection matches no vCPU (VMs found: ${describeVms(all)})`);
  const kept = new Set(vms.flatMap((v) => v.vcpus.map((c) => c.tid)));
  const drop = new Set(all.flatMap((v) => v.vcpus.map((c) => c.tid)).filter((t) => !kept.has(t)));
  return { vms, drop };
}

/**
 * Analyses an input (opened by `open`, once per pass) with the window and selection applied.
 * Without a selection this is one pass.
 */
export function analyzeInput(open: () => TraceSource, opts: InputOptions = {}): { source: TraceSource; results: AnalysisResults } {
  const sel = opts.select && (opts.select.vms.length || opts.select.vcpus.length) ? opts.select : undefined;
  let chosen: ReturnType<typeof resolveSelection> | undefined;
  if (sel) {
    const first = open();
    try {
      const p = opts.progress?.('finding VMs', first);
      const all = discoverVms(first, opts.names, p ? (b) => p.batch(b) : undefined);
      p?.done();
      chosen = resolveSelection(all, sel);
    } finally {
      first.close();
    }
  }
  const source = open();
  try {
    const p = opts.progress?.('analysing', source);
    const results = analyzeSource(source, { vms: opts.names, filter: { window: opts.window, dropTids: chosen?.drop, onBatch: p ? (b) => p.batch(b) : undefined } });
    p?.done();
    if (chosen) {
      results.vms = chosen.vms;
      results.selection = { vm: sel!.vms, vcpu: sel!.vcpus };
    }
    return { source, results };
  } catch (e) {
    source.close();
    throw e;
  }
}
