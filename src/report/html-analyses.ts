// HTML of the per-vCPU analyses (spinning, timers, halt polling, scheduling, IPIs) and of the
// analyses the trace could not feed, with the commands that record what they need.
import { escapeHtml as h } from './escape.js';
import { table } from './html.js';
import type { Report } from './model.js';
import { fmtCount, fmtDuration, pct } from './text.js';

const ns = (v: number | null) => (v === null ? '–' : fmtDuration(v));
const n = (v: number) => ({ n: fmtCount(v) });

export function analysesHtml(r: Report): string {
  const out: string[] = [];
  const vm = (id: number | null) => (id === null ? '–' : h(r.vms[id]?.name ?? String(id)));
  const vc = (v: number | null) => (v === null ? '–' : String(v));
  const missing = new Set(r.missing.map((m) => m.analysis));

  out.push('<h2>Spinning vCPUs</h2>');
  if (!r.spin.available) out.push('<p class="muted">Not measured (see below).</p>');
  else {
    out.push(`<p>${fmtCount(r.spin.onSpinEvents)} kvm_vcpu_on_spin calls, ${fmtCount(r.spin.pauseExits)} PAUSE exits; ${fmtCount(r.spin.lockHolderPreempted)} spins while a sibling vCPU of the same VM waited runnable.</p>`);
    if (r.spin.byVcpu.length) {
      out.push(table(['VM', 'vCPU', 'on_spin', 'PAUSE exits', 'sibling waiting', 'PLE grow', 'PLE shrink'], r.spin.byVcpu.map((x) => [
        vm(x.vm), vc(x.vcpu), n(x.onSpinEvents), n(x.pauseExits), n(x.lockHolderPreempted), n(x.pleGrow), n(x.pleShrink),
      ])));
    }
  }

  out.push('<h2>Timer fire latency</h2>');
  const le = r.timers.lapicExpire;
  if (!le.available) out.push('<p class="muted">kvm_wait_lapic_expire not recorded (see below).</p>');
  else {
    // kvm_wait_lapic_expire's delta is in guest TSC cycles, not ns (arch/x86/kvm/lapic.c).
    const cyc = (v: number | null) => (v === null ? '–' : `${fmtCount(v)} cycles`);
    out.push(`<p>${fmtCount(le.count)} lapic timer expirations: ${fmtCount(le.late)} late, ${fmtCount(le.early)} early; delta (guest TSC cycles, late &gt; 0) p50 ${cyc(le.p50Ns)}, p99 ${cyc(le.p99Ns)}, worst late ${cyc(le.maxLateNs)}.</p>`);
    out.push(table(['VM', 'vCPU', 'count', 'late', 'early', 'p50 delta', 'p99 delta', 'max late'], le.byVcpu.map((x) => [
      vm(x.vm), vc(x.vcpu), n(x.count), n(x.late), n(x.early), { n: cyc(x.p50Ns) }, { n: cyc(x.p99Ns) }, { n: cyc(x.maxLateNs) },
    ])));
  }
  const inj = r.timers.injection;
  if (inj.available && inj.count) {
    out.push(`<p>apic_timer_fn → next kvm_entry (injection): ${fmtCount(inj.count)} timers, p50 ${ns(inj.p50Ns)}, p99 ${ns(inj.p99Ns)}, max ${ns(inj.maxNs)}.</p>`);
  }

  out.push('<h2>Halt polling</h2>');
  const hp = r.haltPoll;
  if (!hp.available) out.push('<p class="muted">kvm_vcpu_wakeup not recorded (see below).</p>');
  else {
    out.push(`<p>${fmtCount(hp.wakeups)} wakeups after halt: ${pct(hp.polled, hp.wakeups)} caught by polling, ${fmtCount(hp.waited)} waited, ${fmtCount(hp.invalid)} invalid; ${ns(hp.pollNs)} spent polling; ${fmtCount(hp.waitedJustAfterWindow)} waits ended within twice the poll window.</p>`);
    out.push(table(['VM', 'vCPU', 'wakeups', 'polled', 'waited', 'invalid', 'polling time', 'just after window', 'grow', 'shrink'], hp.byVcpu.map((x) => [
      vm(x.vm), vc(x.vcpu), n(x.wakeups), n(x.polled), n(x.waited), n(x.invalid), { n: ns(x.pollNs) }, n(x.waitedJustAfterWindow), n(x.grow), n(x.shrink),
    ])));
  }

  out.push('<h2>Scheduling of vCPU threads</h2>');
  if (!r.scheduling.available) out.push('<p class="muted">Scheduler events not recorded (see below).</p>');
  else {
    out.push(table(['VM', 'vCPU', 'wakeups', 'affine wakeups', 'migrations', 'run-queue wait p50', 'p99', 'max', 'stacked with a sibling'], r.scheduling.byVcpu.map((x) => [
      vm(x.vm), vc(x.vcpu), n(x.wakeups), n(x.affineWakeups), n(x.migrations), { n: ns(x.runqueueWaitP50Ns) }, { n: ns(x.runqueueWaitP99Ns) }, { n: ns(x.runqueueWaitMaxNs) }, { n: ns(x.stackedNs) },
    ])));
  }

  out.push('<h2>IPIs</h2>');
  if (!r.ipis.available && !missing.has('ipis')) out.push('<p class="muted">No IPI recorded.</p>');
  else if (r.ipis.available) {
    out.push(`<p>${fmtCount(r.ipis.total)} IPIs sent (kvm_apic_ipi), ${fmtCount(r.ipis.icrMsrWrites)} x2APIC ICR MSR writes.</p>`);
    out.push(table(['VM', 'vCPU', 'sent', 'received', 'ICR MSR writes'], r.ipis.byVcpu.map((x) => [vm(x.vm), vc(x.vcpu), n(x.sent), n(x.received), n(x.icrMsrWrites)])));
  }

  if (r.missing.length) {
    out.push('<h2>Not measured: events missing from the trace</h2>');
    for (const m of r.missing) {
      out.push(`<p><b>${h(m.analysis)}</b> needs ${m.events.map((e) => `<code>${h(e)}</code>`).join(', ')}. Record with:</p><pre>${h(m.traceCmd)}\n${h(m.perf)}</pre>`);
    }
  }
  return out.join('\n');
}

/** What the exits touched: MSRs, I/O ports, MMIO addresses, guest RIP hot spots. */
export function exitTargetsHtml(r: Report): string {
  const out: string[] = [];
  const e = r.exits;
  if (e.msrs.length) out.push('<h3>MSRs accessed (kvm_msr)</h3>', table(['MSR', 'name', 'reads', 'writes'], e.msrs.map((m) => [m.msr, m.name ?? '–', n(m.reads), n(m.writes)])));
  if (e.ioPorts.length) out.push('<h3>I/O ports (kvm_pio)</h3>', table(['port', 'reads', 'writes'], e.ioPorts.map((p) => [p.port, n(p.reads), n(p.writes)])));
  if (e.mmio.length) out.push('<h3>MMIO addresses (kvm_mmio)</h3>', table(['guest physical address', 'reads', 'writes'], e.mmio.map((m) => [m.gpa, n(m.reads), n(m.writes)])));
  const rips = e.hotRips.filter((x) => x.rips.length).slice(0, 6);
  if (rips.length) {
    out.push('<h3>Guest RIP hot spots</h3>');
    out.push(table(['reason', 'guest RIP', 'exits'], rips.flatMap((x) => x.rips.slice(0, 5).map((p) => [h(x.reason), p.rip, n(p.count)]))));
  }
  return out.join('\n');
}
