// Every user-facing text of the verdicts: titles, evidence sentences, remediation steps (exact
// commands, module parameters, libvirt XML, QEMU options), the mechanism paragraphs and the
// confidence reasons. The rules compute numbers only. Sources: /work/shared/reference/
// kvm-tracepoints.md §5 (mechanisms and knobs) and §7 (cheat-sheet). Texts are plain: renderers escape.
import { fmtCount, fmtDuration } from '../report/text.js';
import type { VerdictId } from './thresholds.js';
import type { RemediationStep } from './types.js';

const pc = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
const ns = (x: number | null) => (x === null ? '–' : fmtDuration(Math.round(x)));
const rate = (x: number) => `${x >= 100 ? fmtCount(x) : x.toFixed(1)}/s`;
const list = (xs: string[], max = 6) => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`);
export const vcpuLabel = (v: { vmName: string; vcpu: number | null; tid: number }) => `${v.vmName} vCPU ${v.vcpu ?? '?'} (tid ${v.tid})`;

export interface VcpuRef { vmName: string; vcpu: number | null; tid: number }

export const TITLES: Record<VerdictId, { fired: string; ok: string }> = {
  'vcpu-stacking': { fired: 'vCPUs of one VM wait for the same host CPU', ok: 'No two vCPUs of a VM competed for one host CPU' },
  'wake-affine-migrations': { fired: 'vCPU threads are pulled to their waker\'s CPU (wake-affine migrations)', ok: 'No wake-affine migrations of vCPU threads' },
  'pause-loop-spinning': { fired: 'vCPUs spin in the guest (pause-loop exits)', ok: 'Pause-loop exits are rare' },
  'timer-late': { fired: 'Guest timer interrupts arrive late', ok: 'Guest timers arrive on time' },
  'halt-poll-wasted': { fired: 'Halt polling burns CPU time without catching wakeups', ok: 'Halt polling pays off or costs little' },
  'halt-poll-too-short': { fired: 'Halts end just after the poll window: a longer window would catch them', ok: 'Few halts end just after the poll window' },
  'hlt-exits-on-dedicated-cpus': { fired: 'Frequent HLT exits on vCPUs that have their host CPUs to themselves', ok: 'HLT exits are infrequent or the vCPUs share their CPUs' },
  'ipi-exits': { fired: 'Guest IPIs cause VM exits (no IPI virtualization)', ok: 'Few IPI exits' },
  'ept-violations': { fired: 'EPT/NPT violations (guest page faults handled by the host) take vCPU time', ok: 'EPT/NPT violations take little vCPU time' },
  'long-exits': { fired: 'Individual VM exits stall a vCPU for long', ok: 'No exit stalled a vCPU for long' },
  'emulator-thread-placement': { fired: 'QEMU/vhost threads run on the vCPUs\' host CPUs and preempt them', ok: 'No emulator thread preempted a vCPU for long' },
  'events-lost': { fired: 'The recorder lost events: figures are lower bounds', ok: 'No event was lost' },
};

export const PAUSE_TITLES = {
  overcommitted: 'vCPUs spin on locks held by preempted siblings (lock-holder preemption)',
  pinned: 'vCPUs take pause-loop exits although nothing preempts them',
};

export const DOCS: Record<VerdictId, string> = {
  'vcpu-stacking': 'Each vCPU is a host thread. When two vCPUs of one VM are runnable on the same host CPU, only one runs; the other waits in the run queue while the guest believes it is running. The guest then sees stolen time, its spinlocks spin on a preempted holder and its IPIs and TLB shootdowns wait for the stalled vCPU. The cure is placement: one host CPU per vCPU (pinning), and fewer vCPUs than host CPUs on the host as a whole. kvmtrace measures stackedNs: time during which this vCPU and another vCPU of the same VM were both runnable with the same current or target CPU.',
  'wake-affine-migrations': 'When a thread wakes another, the scheduler may place the wakee on the waker\'s CPU (wake_affine: features WA_IDLE, WA_WEIGHT, WA_BIAS) to share a warm cache. For an unpinned vCPU woken by vhost, an iothread or the QEMU main loop this moves the vCPU off its own CPU onto the I/O thread\'s CPU, where the two now compete; the load balancer later pulls it back. Each round trip costs a migration, cold caches and run-queue wait. Pinning vCPUs to their own CPUs and I/O threads to housekeeping CPUs removes it. An affine wakeup in kvmtrace is a wakeup whose target CPU is the waker\'s CPU and differs from the CPU the vCPU last ran on.',
  'pause-loop-spinning': 'Pause-loop exiting (Intel PLE, AMD pause filter) makes the CPU exit when the guest kernel executes PAUSE in a tight loop for longer than the PLE window: the vCPU is probably spinning on a lock whose holder is not running. KVM then calls kvm_vcpu_on_spin to yield to a preempted sibling vCPU and grows this vCPU\'s window (kvm_ple_window_update). Under overcommit this helps and the real fix is less contention; on 1:1 pinned vCPUs nothing is ever preempted, so the exits are pure overhead and PLE can be switched off (kvm_intel.ple_gap=0, kvm_amd.pause_filter_count=0, or per VM with -overcommit cpu-pm=on).',
  'timer-late': 'For a TSC-deadline guest timer KVM arms the host timer early by the "advance" amount and, on entry, busy-waits the rest (kvm_wait_lapic_expire) so that the guest sees its interrupt at the deadline. A positive delta means the interrupt arrived after the deadline: the advance is too small or, much more often, the host was busy (another task, an interrupt, softirqs) when the timer fired and the vCPU thread ran late. The injection latency (apic_timer_fn firing to the next kvm_entry of the vCPU) shows the host-side part directly. The adaptive advance (default) corrects small constant errors; large or variable lateness needs a quiet host CPU (isolcpus, nohz_full, rcu_nocbs, IRQ affinity). Note: the kernel emits the delta in guest TSC cycles; kvmtrace reports the raw number under the Ns keys.',
  'halt-poll-wasted': 'When a vCPU halts, KVM first polls for up to its halt-poll window (kvm.halt_poll_ns, x86 default 200 µs maximum, adapted per vCPU by kvm_halt_poll_ns grow/shrink) before putting the thread to sleep, because waking a sleeping thread costs several microseconds. The poll only uses otherwise idle time, but it is accounted to the vCPU thread and keeps the host CPU out of deep C-states. When most halts last far longer than the window, nearly every poll fails (kvm_vcpu_wakeup "wait") and the time is burned for nothing. Lower kvm.halt_poll_ns (0 disables) or let the guest poll itself (cpuidle-haltpoll, which turns host polling off for its vCPUs).',
  'halt-poll-too-short': 'Host halt polling catches a wakeup only if it arrives within the vCPU\'s poll window. When many halts end shortly after the window (within twice it), the vCPU thread went to sleep and had to be woken and scheduled again for a wait the poll nearly covered: each such halt pays the full sleep/wake latency. A larger kvm.halt_poll_ns maximum lets the window grow to cover them, at the cost of more polling CPU time; guest-side haltpoll is the alternative on dedicated CPUs.',
  'hlt-exits-on-dedicated-cpus': 'Every guest HLT leaves the guest, polls, usually sleeps and is woken again: each halt/wake round trip costs microseconds of latency. On a host CPU dedicated to one vCPU nothing else needs that CPU, so the guest can halt natively: QEMU -overcommit cpu-pm=on (KVM_CAP_X86_DISABLE_EXITS HLT|MWAIT|PAUSE|CSTATE) removes HLT exits, or the guest polls before halting (cpuidle-haltpoll, enabled by the kvm-hint-dedicated hint). Both trade host CPU time and power for latency, and both are wrong when the CPU is shared: the host can no longer reclaim the idle time. This is an opportunity, not a fault.',
  'ipi-exits': 'Without IPI virtualization every inter-processor interrupt the guest sends (a write to the x2APIC ICR, MSR 0x830, or the xAPIC ICR page) exits to KVM, which emulates it (kvm_apic_ipi) and injects the interrupt into the target vCPU. Intel APICv with IPIv (Sapphire Rapids and later, kvm_intel.enable_ipiv) and AMD AVIC/x2AVIC let the hardware deliver IPIs to running vCPUs without an exit; PV send-IPI (kvm-pv-ipi) turns a multicast into one hypercall. Inhibitors (PIT reinjection, nested, some Hyper-V settings) silently turn APICv/AVIC off; kvm_apicv_inhibit_changed shows them.',
  'ept-violations': 'With two-dimensional paging (Intel EPT, AMD NPT) the host maps guest memory lazily: the first guest access to a page that the host has not mapped, has write-protected or has split exits with EPT_VIOLATION (VMX) or npf (SVM), and KVM faults the page in. After boot the rate should fall to near zero. Persistent violations come from memory the host keeps taking away or splitting: THP split and compaction, KSM merging (copy-on-write faults), automatic NUMA balancing (it unmaps pages to sample accesses), swap and reclaim, dirty logging during live migration, and NX huge page splitting (iTLB multihit mitigation). Backing the guest with preallocated huge pages removes most of them.',
  'long-exits': 'A VM exit stalls the vCPU until KVM re-enters the guest. Most exits take microseconds. A long one was either handled slowly in the kernel (handling), waited for QEMU in user space (userspace: device emulation, kvm_userspace_exit), or was switched out while runnable (scheduledOut: another host task ran on the vCPU\'s CPU). Time spent halted is the guest idling and does not count; for HLT exits the on-CPU part is mostly halt polling and does not count either. The split tells which knob applies: host isolation for scheduledOut, a paravirtual device with vhost for userspace, a kernel profile for handling.',
  'emulator-thread-placement': 'Besides its vCPU threads a VM has emulator threads: the QEMU main loop, iothreads (IO <id>), vhost workers (vhost-<pid>), kvm-pit. When they share host CPUs with the vCPUs they preempt them, exactly when I/O is busy. libvirt\'s emulatorpin and iothreadpin (or taskset on plain QEMU) move them to housekeeping CPUs that run no vCPU; vhost workers follow the emulator\'s CPU set (they join QEMU\'s cgroup before Linux 6.4 and are threads of the QEMU process since). kvmtrace sees who ran instead only for the longest exits, so this verdict is a lower bound.',
  'events-lost': 'trace-cmd and perf record into per-CPU ring buffers. When the reader cannot drain them fast enough the kernel overwrites or drops events and the page header says how many (or only that some were lost). Every count, duration and ratio in this report is then computed from an incomplete stream: an exit whose kvm_entry was lost has no duration, a lost sched_switch distorts the scheduling split. Bigger buffers, fewer or filtered events and a shorter recording avoid it.',
};

// ---------------------------------------------------------------------------------------------
// Evidence sentences

export const EVIDENCE = {
  stacking: (d: { worst: VcpuRef & { stackedNs: number; share: number }; stacked: number; vcpus: number; scheduledOutNs: number; durationNs: number }) =>
    `${d.stacked} of ${d.vcpus} vCPUs spent time runnable on the same host CPU as a sibling vCPU of their VM; worst ${vcpuLabel(d.worst)}: ${ns(d.worst.stackedNs)} of the ${ns(d.durationNs)} trace (${pc(d.worst.share)}). The stacked vCPUs waited ${ns(d.scheduledOutNs)} runnable but not running during exits.`,
  stackingOk: (d: { worstShare: number }) => `Largest share of the trace a vCPU was stacked with a sibling: ${pc(d.worstShare)}.`,

  affine: (d: { affine: number; wakeups: number; migrations: number; rate: number; vcpus: VcpuRef[] }) =>
    `${fmtCount(d.affine)} of ${fmtCount(d.wakeups)} wakeups of vCPU threads (${pc(d.affine / Math.max(1, d.wakeups))}) moved the vCPU to the waker's CPU, ${rate(d.rate)} per vCPU; ${fmtCount(d.migrations)} migrations in all. Affected: ${list(d.vcpus.map(vcpuLabel))}.`,
  affineOk: (d: { affine: number; wakeups: number }) => `${fmtCount(d.affine)} affine wakeups out of ${fmtCount(d.wakeups)} wakeups of vCPU threads.`,

  pause: (d: { spins: number; rate: number; lhp: number; onSpin: number; grows: number; costNs: number; overcommitted: boolean }) =>
    `${fmtCount(d.spins)} pause-loop exits / kvm_vcpu_on_spin calls, ${rate(d.rate)} per vCPU; ${fmtCount(d.grows)} PLE window grows. ` +
    (d.onSpin > 0 ? `At ${fmtCount(d.lhp)} of ${fmtCount(d.onSpin)} spins (${pc(d.lhp / d.onSpin)}) another vCPU of the same VM was waiting runnable: ${d.overcommitted ? 'the lock holder was most likely preempted' : 'siblings were rarely preempted'}. ` : '') +
    `Exit handling alone (count × p50): ${ns(d.costNs)}.`,
  pauseOk: (d: { spins: number; rate: number }) => `${fmtCount(d.spins)} pause-loop exits, ${rate(d.rate)} per vCPU.`,

  timer: (d: { count: number; late: number; p50: number | null; p99: number | null; maxLate: number | null; injCount: number; injP50: number | null; injP99: number | null; worst: VcpuRef | null }) =>
    (d.count > 0 ? `${fmtCount(d.late)} of ${fmtCount(d.count)} kvm_wait_lapic_expire deltas were late; p50 ${ns(d.p50)}, p99 ${ns(d.p99)}, worst ${ns(d.maxLate)}${d.worst ? ` on ${vcpuLabel(d.worst)}` : ''}. ` : '') +
    (d.injCount > 0 ? `Timer injection (apic_timer_fn → kvm_entry) over ${fmtCount(d.injCount)} timers: p50 ${ns(d.injP50)}, p99 ${ns(d.injP99)}.` : 'Injection latency not measured (no apic_timer_fn hrtimer events).'),
  timerOk: (d: { count: number; p50: number | null; p99: number | null; injCount: number; injP99: number | null }) =>
    `${fmtCount(d.count)} lapic expirations (p50 ${ns(d.p50)}, p99 ${ns(d.p99)}); injection p99 ${ns(d.injP99)} over ${fmtCount(d.injCount)} timers.`,

  pollWasted: (d: { wakeups: number; polled: number; waited: number; pollNs: number; pollShare: number; vcpus: number }) =>
    `Only ${fmtCount(d.polled)} of ${fmtCount(d.wakeups)} halts (${pc(d.polled / Math.max(1, d.wakeups))}) ended while polling; ${fmtCount(d.waited)} slept anyway. ${ns(d.pollNs)} were spent polling, ${pc(d.pollShare)} of the time of the ${d.vcpus} halting vCPUs.`,
  pollWastedOk: (d: { wakeups: number; polled: number; pollShare: number }) =>
    `${fmtCount(d.polled)} of ${fmtCount(d.wakeups)} halts caught by polling; polling took ${pc(d.pollShare)} of vCPU time.`,

  pollWastedDeferred: (d: { ja: number; waited: number }) =>
    `${fmtCount(d.ja)} of ${fmtCount(d.waited)} failed polls nearly succeeded: see halt-poll-too-short (a longer window) rather than less polling.`,
  pollShort: (d: { ja: number; waited: number; maxWindow: number; suggested: number }) =>
    `${fmtCount(d.ja)} of ${fmtCount(d.waited)} halts that slept (${pc(d.ja / Math.max(1, d.waited))}) ended within twice the poll window (largest window ${ns(d.maxWindow)}): a window of about ${ns(d.suggested)} would have caught them.`,
  pollShortOk: (d: { ja: number; waited: number }) => `${fmtCount(d.ja)} of ${fmtCount(d.waited)} sleeping halts ended just after the poll window.`,

  hlt: (d: { count: number; rate: number; vcpus: number; overheadNs: number }) =>
    `${fmtCount(d.count)} HLT exits, ${rate(d.rate)} per vCPU, on ${d.vcpus} vCPUs that never migrated, never shared a CPU with a sibling and were switched in promptly when woken. The halt/wake round trips (HLT exit time not halted) took ${ns(d.overheadNs)}.`,
  hltOk: (d: { count: number; rate: number; dedicated: boolean }) =>
    `${fmtCount(d.count)} HLT exits, ${rate(d.rate)} per vCPU${d.dedicated ? '' : '; the vCPUs do not have dedicated CPUs (migrations, stacking or preemption), so disabling HLT exits would be wrong'}.`,

  ipi: (d: { count: number; icr: number; rate: number; costNs: number; costShare: number; reason: string | null }) =>
    `${fmtCount(d.count)} IPIs were emulated by KVM (${fmtCount(d.icr)} x2APIC ICR MSR writes), ${rate(d.rate)} per vCPU; at the ${d.reason ?? 'exit'} p50 they cost about ${ns(d.costNs)} of exit handling (${pc(d.costShare)} of vCPU time), plus the wakeups of the targets.`,
  ipiOk: (d: { count: number; rate: number }) => `${fmtCount(d.count)} emulated IPIs, ${rate(d.rate)} per vCPU.`,

  ept: (d: { reason: string; count: number; rate: number; totalNs: number; share: number; p99: number | null; max: number | null }) =>
    `${fmtCount(d.count)} ${d.reason} exits, ${rate(d.rate)} per vCPU, took ${ns(d.totalNs)}: ${pc(d.share)} of vCPU time (p99 ${ns(d.p99)}, max ${ns(d.max)}).`,
  eptOk: (d: { count: number; rate: number; share: number }) => `${fmtCount(d.count)} EPT/NPT violation exits, ${rate(d.rate)} per vCPU, ${pc(d.share)} of vCPU time.`,

  longExits: (d: { count: number; worst: VcpuRef & { reason: string; effNs: number; handlingNs: number; scheduledOutNs: number; userspaceNs: number; ranInstead: string[] }; totalNs: number }) =>
    `${d.count} exit${d.count === 1 ? '' : 's'} stalled a vCPU for at least the threshold, ${ns(d.totalNs)} in all. Worst: ${d.worst.reason} on ${vcpuLabel(d.worst)}, ${ns(d.worst.effNs)} not halted: ${ns(d.worst.handlingNs)} handling, ${ns(d.worst.scheduledOutNs)} scheduled out, ${ns(d.worst.userspaceNs)} in user space` +
    (d.worst.ranInstead.length ? `; ran instead: ${d.worst.ranInstead.join(', ')}.` : '.'),
  longExitsOk: (d: { worstNs: number }) => `Longest exit time not halted (outside stacking and emulator preemption): ${ns(d.worstNs)}.`,

  emulator: (d: { count: number; scheduledOutNs: number; threads: string[]; vcpus: VcpuRef[] }) =>
    `In ${d.count} of the longest exits a thread of the VM's own emulator (${list(d.threads)}) ran on the vCPU's CPU while the vCPU waited runnable, ${ns(d.scheduledOutNs)} in all. Affected: ${list(d.vcpus.map(vcpuLabel))}.`,
  emulatorOk: (d: { count: number }) => `${d.count} of the longest exits were preempted by the VM's emulator threads.`,

  lost: (d: { lost: number; unknown: number; events: number; share: number; cpus: Array<{ cpu: number; count: number }> }) =>
    (d.lost > 0 ? `${fmtCount(d.lost)} events were lost against ${fmtCount(d.events)} read (${pc(d.share)} of the stream)${d.cpus.length ? `, on CPU ${d.cpus.map((c) => `${c.cpu}: ${fmtCount(c.count)}`).join(', ')}` : ''}. ` : '') +
    (d.unknown > 0 ? `${fmtCount(d.unknown)} pages reported a loss of unknown size.` : ''),
  lostOk: () => 'The ring buffers reported no loss.',
};

// ---------------------------------------------------------------------------------------------
// Remediation

const PIN_NOTE = 'Replace the CPU numbers with host CPUs of your machine: one host CPU per vCPU, none shared with another vCPU or with the emulator threads (prefer CPUs of one NUMA node, and keep CPU 0 for the host).';

function pinSteps(vcpus: VcpuRef[]): RemediationStep[] {
  const byVm = new Map<string, VcpuRef[]>();
  for (const v of vcpus) byVm.set(v.vmName, [...(byVm.get(v.vmName) ?? []), v]);
  const steps: RemediationStep[] = [];
  for (const [vm, vs] of byVm) {
    const sorted = [...vs].sort((a, b) => (a.vcpu ?? 0) - (b.vcpu ?? 0));
    steps.push({
      kind: 'libvirt-xml',
      title: `Pin each vCPU of ${vm} to its own host CPU (libvirt domain XML, virsh edit DOMAIN). ${PIN_NOTE}`,
      code: `<cputune>\n${sorted.map((v, k) => `  <vcpupin vcpu='${v.vcpu ?? k}' cpuset='${k + 2}'/>`).join('\n')}\n  <emulatorpin cpuset='0-1'/>\n</cputune>`,
    });
    steps.push({
      kind: 'command',
      title: `The same at run time with virsh, or with taskset for QEMU started by hand (the tids are the vCPU threads of ${vm} in this trace).`,
      code: [
        ...sorted.map((v, k) => `virsh vcpupin DOMAIN ${v.vcpu ?? k} ${k + 2} --live --config`),
        ...sorted.map((v, k) => `taskset -pc ${k + 2} ${v.tid}   # CPU ${v.vcpu ?? '?'}/KVM`),
      ].join('\n'),
    });
  }
  return steps;
}

const EMULATORPIN: RemediationStep = {
  kind: 'libvirt-xml',
  title: 'Keep the emulator threads (QEMU main loop, vhost workers) and iothreads on housekeeping CPUs that run no vCPU.',
  code: "<cputune>\n  <emulatorpin cpuset='0-1'/>\n  <iothreadpin iothread='1' cpuset='0-1'/>\n</cputune>",
};

const ISOLATION: RemediationStep[] = [
  {
    kind: 'kernel-cmdline',
    title: 'Keep host work off the vCPU CPUs: isolate them on the kernel command line (here CPUs 2-7 run vCPUs, 0-1 are housekeeping), then reboot.',
    code: 'isolcpus=managed_irq,domain,2-7 nohz_full=2-7 rcu_nocbs=2-7 irqaffinity=0-1',
  },
  {
    kind: 'command',
    title: 'Or let tuned do it (sets the isolation above plus kvm tweaks for real-time guests).',
    code: "echo 'isolated_cores=2-7' >> /etc/tuned/realtime-virtual-host-variables.conf\ntuned-adm profile realtime-virtual-host",
  },
  {
    kind: 'command',
    title: 'Without a reboot: move unbound workqueues and device interrupts to the housekeeping CPUs.',
    code: 'echo 3 > /sys/devices/virtual/workqueue/cpumask   # CPU mask 0x3 = CPUs 0-1\nfor i in /proc/irq/[0-9]*; do echo 0-1 > $i/smp_affinity_list 2>/dev/null; done',
  },
];

export const REMEDIATION = {
  stacking: (d: { vcpus: VcpuRef[] }): RemediationStep[] => [
    ...pinSteps(d.vcpus),
    { kind: 'command', title: 'Check the host is not overcommitted: the vCPUs of all running VMs should not outnumber the host CPUs left after housekeeping.', code: 'nproc\nfor d in $(virsh list --name); do echo "$d $(virsh vcpucount $d --live --active)"; done' },
    { kind: 'note', title: 'While vCPUs share CPUs, do not set kvm-hint-dedicated / <hint-dedicated state=\'on\'/>: the guest would stop using paravirtual spinlocks and spin on preempted lock holders.' },
  ],

  affine: (d: { vcpus: VcpuRef[] }): RemediationStep[] => [
    ...pinSteps(d.vcpus),
    EMULATORPIN,
    { kind: 'command', title: 'Last resort when pinning is impossible: look at the scheduler\'s wake-affine features (host-wide effect; test before keeping).', code: 'cat /sys/kernel/debug/sched/features   # WA_IDLE WA_WEIGHT WA_BIAS\necho NO_WA_BIAS > /sys/kernel/debug/sched/features' },
  ],

  pauseOvercommitted: (d: { vcpus: VcpuRef[] }): RemediationStep[] => [
    { kind: 'note', title: 'Keep pause-loop exiting on: it lets a spinning vCPU yield to the preempted lock holder. Fix the contention instead.' },
    ...pinSteps(d.vcpus),
    { kind: 'qemu-option', title: 'Make sure the guest uses paravirtual spinlocks and yield (they need the vCPUs NOT to be declared dedicated).', code: '-cpu host,kvm-pv-unhalt=on,kvm-pv-sched-yield=on,kvm-steal-time=on' },
  ],

  pausePinned: (d: { isa: 'vmx' | 'svm' }): RemediationStep[] => [
    d.isa === 'svm'
      ? { kind: 'module-parameter', title: 'Disable the AMD pause filter host-wide (only if every VM has dedicated CPUs); reload kvm_amd with all VMs stopped.', code: "echo 'options kvm_amd pause_filter_count=0' > /etc/modprobe.d/kvm-ple.conf\nmodprobe -r kvm_amd && modprobe kvm_amd" }
      : { kind: 'module-parameter', title: 'Disable pause-loop exiting host-wide (only if every VM has dedicated CPUs); reload kvm_intel with all VMs stopped.', code: "echo 'options kvm_intel ple_gap=0' > /etc/modprobe.d/kvm-ple.conf\nmodprobe -r kvm_intel && modprobe kvm_intel" },
    { kind: 'qemu-option', title: 'Or per VM: let the guest execute PAUSE (and HLT/MWAIT) without exits. Only for vCPUs pinned 1:1 to otherwise idle CPUs.', code: '-overcommit cpu-pm=on' },
    { kind: 'libvirt-xml', title: 'With dedicated CPUs, tell the guest so it uses native spinlocks.', code: "<features>\n  <kvm>\n    <hint-dedicated state='on'/>\n  </kvm>\n</features>" },
  ],

  timer: (): RemediationStep[] => [
    ...ISOLATION,
    { kind: 'command', title: 'Check that KVM adapts the timer advance and uses the VMX preemption timer (expected: -1 or Y, and Y).', code: 'cat /sys/module/kvm/parameters/lapic_timer_advance_ns 2>/dev/null || cat /sys/module/kvm/parameters/lapic_timer_advance\ncat /sys/module/kvm_intel/parameters/preemption_timer' },
    { kind: 'module-parameter', title: 'On kernels that still have lapic_timer_advance_ns and a fixed value: return to the adaptive advance.', code: "echo 'options kvm lapic_timer_advance_ns=-1' > /etc/modprobe.d/kvm-timer.conf" },
    { kind: 'libvirt-xml', title: 'For latency-critical guests on isolated CPUs: run the vCPU threads with a real-time priority.', code: "<cputune>\n  <vcpusched vcpus='0-3' scheduler='fifo' priority='1'/>\n</cputune>" },
  ],

  pollWasted: (d: { current: number | null }): RemediationStep[] => [
    { kind: 'command', title: `Lower the host halt-poll maximum${d.current !== null ? ` (largest window seen: ${ns(d.current)})` : ''}; 0 turns polling off. Takes effect at once.`, code: 'cat /sys/module/kvm/parameters/halt_poll_ns\necho 50000 > /sys/module/kvm/parameters/halt_poll_ns' },
    { kind: 'module-parameter', title: 'Keep it across reboots.', code: "echo 'options kvm halt_poll_ns=50000' > /etc/modprobe.d/kvm-haltpoll.conf" },
    { kind: 'note', title: 'A VMM can set the maximum per VM with KVM_CAP_HALT_POLL; a guest running cpuidle-haltpoll disables host polling for its vCPUs (QEMU -cpu ...,kvm-poll-control=on).' },
  ],

  pollShort: (d: { suggested: number }): RemediationStep[] => [
    { kind: 'command', title: `Raise the host halt-poll maximum so the window can grow to about ${ns(d.suggested)}; takes effect at once.`, code: `cat /sys/module/kvm/parameters/halt_poll_ns\necho ${d.suggested} > /sys/module/kvm/parameters/halt_poll_ns` },
    { kind: 'module-parameter', title: 'Keep it across reboots.', code: `echo 'options kvm halt_poll_ns=${d.suggested}' > /etc/modprobe.d/kvm-haltpoll.conf` },
    { kind: 'libvirt-xml', title: 'On dedicated CPUs, the guest can poll instead (cpuidle-haltpoll loads when the dedicated hint is set; it disables host polling for its vCPUs).', code: "<features>\n  <kvm>\n    <hint-dedicated state='on'/>\n    <poll-control state='on'/>\n  </kvm>\n</features>" },
  ],

  hlt: (): RemediationStep[] => [
    { kind: 'qemu-option', title: 'Let the guest halt natively (no HLT, MWAIT and PAUSE exits). Only for vCPUs pinned 1:1 to CPUs nothing else uses: the host can no longer use their idle time.', code: '-overcommit cpu-pm=on' },
    { kind: 'libvirt-xml', title: 'The same through libvirt (no dedicated element: pass the QEMU option; the <domain> element needs xmlns:qemu=\'http://libvirt.org/schemas/domain/qemu/1.0\').', code: "<qemu:commandline>\n  <qemu:arg value='-overcommit'/>\n  <qemu:arg value='cpu-pm=on'/>\n</qemu:commandline>" },
    { kind: 'libvirt-xml', title: 'Or let the guest poll before halting: the dedicated hint enables cpuidle-haltpoll in the guest (then modprobe cpuidle-haltpoll there if it is a module).', code: "<features>\n  <kvm>\n    <hint-dedicated state='on'/>\n    <poll-control state='on'/>\n  </kvm>\n</features>" },
  ],

  ipi: (d: { isa: 'vmx' | 'svm' }): RemediationStep[] => [
    d.isa === 'svm'
      ? { kind: 'module-parameter', title: 'Enable AVIC (x2AVIC on Zen 4 and later) so IPIs to running vCPUs need no exit; reload kvm_amd with all VMs stopped.', code: "cat /sys/module/kvm_amd/parameters/avic\necho 'options kvm_amd avic=1' > /etc/modprobe.d/kvm-avic.conf\nmodprobe -r kvm_amd && modprobe kvm_amd" }
      : { kind: 'module-parameter', title: 'Check APICv and IPI virtualization (IPIv needs Sapphire Rapids or later); enable them and reload kvm_intel with all VMs stopped.', code: "cat /sys/module/kvm_intel/parameters/enable_apicv /sys/module/kvm_intel/parameters/enable_ipiv\necho 'options kvm_intel enable_apicv=1 enable_ipiv=1' > /etc/modprobe.d/kvm-apicv.conf\nmodprobe -r kvm_intel && modprobe kvm_intel" },
    { kind: 'libvirt-xml', title: 'Let the guest send multicast IPIs with one hypercall (PV send-IPI).', code: "<features>\n  <kvm>\n    <pv-ipi state='on'/>\n  </kvm>\n</features>" },
    { kind: 'qemu-option', title: 'The same on the QEMU command line.', code: '-cpu host,kvm-pv-ipi=on' },
    { kind: 'command', title: 'See whether something inhibits APICv/AVIC at run time.', code: 'trace-cmd record -e kvm:kvm_apicv_inhibit_changed -- sleep 10 && trace-cmd report | grep set' },
  ],

  ept: (): RemediationStep[] => [
    { kind: 'libvirt-xml', title: 'Back guest memory with preallocated huge pages.', code: "<memoryBacking>\n  <hugepages>\n    <page size='1' unit='G'/>\n  </hugepages>\n  <allocation mode='immediate'/>\n</memoryBacking>" },
    { kind: 'command', title: 'Reserve the huge pages on the host (here 16 GiB; per NUMA node under /sys/devices/system/node/nodeN/hugepages/).', code: 'echo 16 > /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages' },
    { kind: 'qemu-option', title: 'Plain QEMU: hugetlbfs backing, preallocated.', code: '-object memory-backend-memfd,id=mem0,size=16G,hugetlb=on,hugetlbsize=1G,prealloc=on -machine memory-backend=mem0' },
    { kind: 'command', title: 'Stop KSM merging (2 also unmerges) and, when vCPUs and memory are pinned, automatic NUMA balancing.', code: 'echo 2 > /sys/kernel/mm/ksm/run\nsysctl -w kernel.numa_balancing=0' },
    { kind: 'command', title: 'Check the other usual causes: THP settings, swapping, and the NX huge page mitigation.', code: 'cat /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag\ngrep -E "pswp(in|out)" /proc/vmstat\ncat /sys/devices/system/cpu/vulnerabilities/itlb_multihit /sys/module/kvm/parameters/nx_huge_pages' },
    { kind: 'note', title: 'Right after a VM starts or a guest application allocates memory, violations are expected: record again in steady state before changing anything.' },
  ],

  longScheduledOut: (d: { ranInstead: string[] }): RemediationStep[] => [
    { kind: 'note', title: `The vCPU was runnable but another task had its CPU${d.ranInstead.length ? ` (${d.ranInstead.join(', ')})` : ''}.` },
    ...ISOLATION,
  ],
  longUserspace: (d: { reason: string }): RemediationStep[] => [
    { kind: 'note', title: `The time went to QEMU in user space handling a ${d.reason} exit (device emulation). Use paravirtual devices served in the kernel instead of emulated ones.` },
    { kind: 'libvirt-xml', title: 'virtio devices with vhost (here a network interface; disks: virtio-blk/virtio-scsi with an iothread).', code: "<interface type='network'>\n  <model type='virtio'/>\n  <driver name='vhost'/>\n</interface>" },
    { kind: 'command', title: 'See which port or MMIO address QEMU emulates.', code: 'trace-cmd record -e kvm:kvm_userspace_exit -e kvm:kvm_pio -e kvm:kvm_mmio -- sleep 10' },
  ],
  longHandling: (d: { cpu: number | null }): RemediationStep[] => [
    { kind: 'note', title: 'The time went to KVM\'s own handling in the kernel. Profile the host kernel on that CPU while it happens.' },
    { kind: 'command', title: 'Kernel call graphs on the vCPU\'s CPU.', code: `perf record -g -C ${d.cpu ?? 0} -- sleep 10 && perf report --no-children` },
  ],

  emulator: (d: { threads: Array<{ comm: string; tid: number }> }): RemediationStep[] => [
    EMULATORPIN,
    { kind: 'command', title: 'At run time with virsh, or with taskset for QEMU started by hand (the tids are this VM\'s emulator threads in the trace).', code: ['virsh emulatorpin DOMAIN 0-1 --live --config', 'virsh iothreadpin DOMAIN 1 0-1 --live --config', ...d.threads.map((t) => `taskset -pc 0-1 ${t.tid}`)].join('\n') },
  ],

  lost: (): RemediationStep[] => [
    { kind: 'command', title: 'Record with bigger per-CPU buffers (KiB per CPU) and only the events the analyses need.', code: 'trace-cmd record -b 65536 -e kvm:kvm_exit -e kvm:kvm_entry -e kvm:kvm_userspace_exit -e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking -e sched:sched_migrate_task -- sleep 10' },
    { kind: 'command', title: 'With perf: more ring-buffer pages per CPU.', code: 'perf record -a -m 4096 -e kvm:kvm_exit -e kvm:kvm_entry -e sched:sched_switch -e sched:sched_wakeup -- sleep 10' },
    { kind: 'note', title: 'Write the trace to a fast local disk and record for a shorter time; filters (-f) on busy events cut the volume further.' },
  ],
};

// ---------------------------------------------------------------------------------------------
// Confidence reasons

export const CONFIDENCE_TEXT = {
  lost: (n: number, share: number) => `${fmtCount(n)} events were lost (${pc(share)} of the stream).`,
  lostUnknown: (pages: number) => `${fmtCount(pages)} pages lost events of unknown number.`,
  shortTrace: (durNs: number) => `The trace covers only ${fmtDuration(durNs)}: rates extrapolate from a short sample.`,
  clockNotNs: (clock: string) => `The trace clock (${clock}) counts cycles, not ns: durations and rates are in raw units.`,
  fewSamples: (n: number, what: string) => `Based on only ${fmtCount(n)} ${what}.`,
  noSched: 'Scheduler events are missing: the split of exit time (scheduled out vs handling) is incomplete.',
  noWindow: 'kvm_halt_poll_ns was not recorded: poll windows are unknown, so the time burned by failed polls is not counted.',
  noInjection: 'apic_timer_fn hrtimer events were not recorded: the host-side part of the delay is not measured.',
  topOnly: 'Who ran instead is known only for the longest exits: the figures are a lower bound.',
  noSpinFn: 'kvm_vcpu_on_spin was not traced (function tracer): lock-holder preemption is inferred from PAUSE exits only.',
};

// ---------------------------------------------------------------------------------------------
// Labels of the rendered verdicts (HTML, Markdown, terminal)

export const LABELS = {
  heading: 'Verdicts: what to change on this host',
  none: 'No verdict: the trace has none of the events the rules need (see "Not measured" below).',
  allOk: 'Every check that this trace could feed passed.',
  okHeading: 'Checked, nothing found',
  impact: (share: string) => `impact ${share} of vCPU time`,
  confidence: (level: string, score: number) => `confidence ${level} (${score.toFixed(2)})`,
  figures: 'Figures (report keys)',
  windows: 'Where and when',
  change: 'What to change',
  how: 'How it works',
  lowered: 'Confidence lowered because:',
  columns: { figure: 'figure', value: 'value', source: 'source', start: 'start (s)', end: 'end (s)', cpu: 'CPU', vm: 'VM', vcpu: 'vCPU', tid: 'tid', ref: 'report key', severity: 'severity', verdict: 'verdict' },
  termHeading: 'verdicts',
  termOk: (n: number) => `${n} other check${n === 1 ? '' : 's'} passed`,
  termMore: 'remediation steps: see the HTML or Markdown report',
};
