// HTML of the per-vCPU analyses (spinning, timers, halt polling, scheduling, IPIs), each with its
// chart; what the trace could not feed is listed under data quality (html.ts).
import { escapeHtml as h } from './escape.js';
import { table, type FigureFn } from './html.js';
import type { Report } from './model.js';
import { fmtCount, fmtDuration, pct } from './text.js';

const ns = (v: number | null) => (v === null ? '–' : fmtDuration(v));
const n = (v: number) => ({ n: fmtCount(v) });

export function analysesHtml(r: Report, figure: FigureFn): string {
  const out: string[] = [];
  const vm = (id: number | null) => (id === null ? '–' : h(r.vms[id]?.name ?? String(id)));
  const vc = (v: number | null) => (v === null ? '–' : String(v));
  const missing = new Set(r.missing.map((m) => m.analysis));
  const see = '<a href="#data-quality">data quality</a>';

  out.push('<h2 id="spin">Spinning vCPUs</h2>');
  if (!r.spin.available) out.push(`<p class="muted">Not measured (see ${see}).</p>`);
  else {
    out.push(`<p>${fmtCount(r.spin.onSpinEvents)} kvm_vcpu_on_spin calls, ${fmtCount(r.spin.pauseExits)} PAUSE exits; ${fmtCount(r.spin.lockHolderPreempted)} spins while a sibling vCPU of the same VM waited runnable.</p>`);
    out.push(figure('spin-stacking'));
    if (r.spin.byVcpu.length) {
      out.push(table(['VM', 'vCPU', 'on_spin', 'PAUSE exits', 'sibling waiting', 'PLE grow', 'PLE shrink'], r.spin.byVcpu.map((x) => [
        vm(x.vm), vc(x.vcpu), n(x.onSpinEvents), n(x.pauseExits), n(x.lockHolderPreempted), n(x.pleGrow), n(x.pleShrink),
      ])));
    }
  }

  out.push('<h2 id="timers">Timer fire latency</h2>');
  const le = r.timers.lapicExpire;
  if (!le.available) out.push(`<p class="muted">kvm_wait_lapic_expire not recorded (see ${see}).</p>`);
  else {
    // kvm_wait_lapic_expire's delta is in guest TSC cycles, not ns (arch/x86/kvm/lapic.c).
    const cyc = (v: number | null) => (v === null ? '–' : `${fmtCount(v)} cycles`);
    out.push(`<p>${fmtCount(le.count)} lapic timer expirations: ${fmtCount(le.late)} late, ${fmtCount(le.early)} early; delta (guest TSC cycles, late &gt; 0) p50 ${cyc(le.p50Ns)}, p99 ${cyc(le.p99Ns)}, worst late ${cyc(le.maxLateNs)}.</p>`);
    out.push(figure('timer-lateness'));
    out.push(table(['VM', 'vCPU', 'count', 'late', 'early', 'p50 delta', 'p99 delta', 'max late'], le.byVcpu.map((x) => [
      vm(x.vm), vc(x.vcpu), n(x.count), n(x.late), n(x.early), { n: cyc(x.p50Ns) }, { n: cyc(x.p99Ns) }, { n: cyc(x.maxLateNs) },
    ])));
  }
  const inj = r.timers.injection;
  if (inj.available && inj.count) {
    out.push(`<p>apic_timer_fn → next kvm_entry (injection): ${fmtCount(inj.count)} timers, p50 ${ns(inj.p50Ns)}, p99 ${ns(inj.p99Ns)}, max ${ns(inj.maxNs)}.</p>`);
  }

  out.push('<h2 id="halt-poll">Halt polling</h2>');
  const hp = r.haltPoll;
  if (!hp.available) out.push(`<p class="muted">kvm_vcpu_wakeup not recorded (see ${see}).</p>`);
  else {
    out.push(`<p>${fmtCount(hp.wakeups)} wakeups after halt: ${pct(hp.polled, hp.wakeups)} caught by polling, ${fmtCount(hp.waited)} waited, ${fmtCount(hp.invalid)} invalid; ${ns(hp.pollNs)} spent polling; ${fmtCount(hp.waitedJustAfterWindow)} waits ended within twice the poll window.</p>`);
    out.push(figure('halt-poll'));
    out.push(table(['VM', 'vCPU', 'wakeups', 'polled', 'waited', 'invalid', 'polling time', 'just after window', 'grow', 'shrink'], hp.byVcpu.map((x) => [
      vm(x.vm), vc(x.vcpu), n(x.wakeups), n(x.polled), n(x.waited), n(x.invalid), { n: ns(x.pollNs) }, n(x.waitedJustAfterWindow), n(x.grow), n(x.shrink),
    ])));
  }

  out.push('<h2 id="scheduling">Scheduling of vCPU threads</h2>');
  if (!r.scheduling.available) out.push(`<p class="muted">Scheduler events not recorded (see ${see}).</p>`);
  else {
    out.push(table(['VM', 'vCPU', 'wakeups', 'affine wakeups', 'migrations', 'run-queue wait p50', 'p99', 'max', 'stacked with a sibling'], r.scheduling.byVcpu.map((x) => [
      vm(x.vm), vc(x.vcpu), n(x.wakeups), n(x.affineWakeups), n(x.migrations), { n: ns(x.runqueueWaitP50Ns) }, { n: ns(x.runqueueWaitP99Ns) }, { n: ns(x.runqueueWaitMaxNs) }, { n: ns(x.stackedNs) },
    ])));
  }

  out.push('<h2 id="ipis">IPIs</h2>');
  if (!r.ipis.available && !missing.has('ipis')) out.push('<p class="muted">No IPI recorded.</p>');
  else if (r.ipis.available) {
    out.push(`<p>${fmtCount(r.ipis.total)} IPIs sent (kvm_apic_ipi), ${fmtCount(r.ipis.icrMsrWrites)} x2APIC ICR MSR writes.</p>`);
    out.push(figure('ipis'));
    out.push(table(['VM', 'vCPU', 'sent', 'received', 'ICR MSR writes'], r.ipis.byVcpu.map((x) => [vm(x.vm), vc(x.vcpu), n(x.sent), n(x.received), n(x.icrMsrWrites)])));
  }

  return out.join('\n');
}
