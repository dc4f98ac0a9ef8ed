// What each analysis needs from the trace, and the command that records it: when the events are
// missing the report says so (and how to record them) instead of printing zeros as if measured.

export interface Requirement {
  analysis: 'exits' | 'spin' | 'timers' | 'haltPoll' | 'scheduling' | 'ipis';
  /** Events (system:name) of which at least the first group must be present. */
  events: string[];
  /** Optional events that add detail. */
  optional: string[];
}

export const REQUIREMENTS: Requirement[] = [
  { analysis: 'exits', events: ['kvm:kvm_exit', 'kvm:kvm_entry'], optional: ['kvm:kvm_userspace_exit', 'sched:sched_switch', 'sched:sched_wakeup'] },
  { analysis: 'spin', events: ['kvm:kvm_exit'], optional: ['ftrace:function (-p function -l kvm_vcpu_on_spin)', 'kvm:kvm_ple_window_update'] },
  { analysis: 'timers', events: ['kvm:kvm_wait_lapic_expire'], optional: ['timer:hrtimer_expire_entry', 'timer:hrtimer_expire_exit', 'kvm:kvm_entry'] },
  { analysis: 'haltPoll', events: ['kvm:kvm_vcpu_wakeup'], optional: ['kvm:kvm_halt_poll_ns'] },
  { analysis: 'scheduling', events: ['sched:sched_switch', 'sched:sched_wakeup'], optional: ['sched:sched_waking', 'sched:sched_migrate_task'] },
  { analysis: 'ipis', events: ['kvm:kvm_apic_ipi'], optional: ['kvm:kvm_msr'] },
];

const plain = (e: string) => e.split(' ')[0];

/** trace-cmd and perf commands that record an analysis's events. */
export function recordCommands(r: Requirement): { traceCmd: string; perf: string } {
  const evs = [...r.events, ...r.optional].map(plain).filter((e) => !e.startsWith('ftrace:'));
  const fn = r.optional.some((e) => e.startsWith('ftrace:function')) ? ' -p function -l kvm_vcpu_on_spin' : '';
  return {
    traceCmd: `trace-cmd record${fn} ${evs.map((e) => `-e ${e}`).join(' ')} -- sleep 10`,
    perf: `perf record -a ${evs.map((e) => `-e ${e}`).join(' ')} -- sleep 10`,
  };
}

/** The requirements whose mandatory events did not occur (counts: `system:name` → events read). */
export function missingAnalyses(counts: Map<string, number>): Array<Requirement & { absent: string[]; traceCmd: string; perf: string }> {
  const out: Array<Requirement & { absent: string[]; traceCmd: string; perf: string }> = [];
  for (const r of REQUIREMENTS) {
    const absent = r.events.filter((e) => !(counts.get(plain(e)) ?? 0));
    if (absent.length) out.push({ ...r, absent, ...recordCommands(r) });
  }
  return out;
}
