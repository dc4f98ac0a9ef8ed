// Event layouts of kernels older than the shipped 6.18 files, written by hand from the field lists and
// print formats in /work/shared/reference/kvm-tracepoints.md §2 (and trace-formats.md §4.6). Version
// ranges marked ≈ are the reference's inferred boundaries, not checked against release tags. Offsets
// follow the C struct layout of an x86-64 kernel (8-byte longs) after the 8-byte common header. IDs
// are synthetic (60000+) so they never collide with the 6.18 ones; text input has no ids anyway.
// The VMX/SVM exit-reason tables are taken from the 6.18 kvm_exit file so the name sets stay exact.
// See README.md for the table of variants. Listed newest first per event.
import { LINUX_6_18_FORMATS } from './linux-6.18.js';

export interface FormatVariant {
  system: string;
  /** Kernel versions the layout covers, and where it comes from. */
  kernels: string;
  provenance: string;
  text: string;
}

const COMMON = [
  'field:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  'field:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  'field:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  'field:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
];

let nextId = 60000;
/** `fields`: [C declaration, offset, size, signed]. */
function fmt(name: string, fields: Array<[string, number, number, 0 | 1]>, printFmt: string): string {
  const own = fields.map(([d, o, s, g]) => `field:${d};\toffset:${o};\tsize:${s};\tsigned:${g};`);
  return `name: ${name}\nID: ${nextId++}\nformat:\n${COMMON.map((l) => `\t${l}`).join('\n')}\n\n${own.map((l) => `\t${l}`).join('\n')}\n\nprint fmt: ${printFmt}\n`;
}

function exitTables(): { vmx: string; svm: string } {
  const text = LINUX_6_18_FORMATS.find(([s, t]) => s === 'kvm' && t.startsWith('name: kvm_exit\n'))![1];
  const vmx = /__print_symbolic\(REC->exit_reason & 0xffff, (\{.*?\})\) :/.exec(text)![1];
  const svm = /: __print_symbolic\(REC->exit_reason, (\{.*?\})\), \(REC->isa/.exec(text)![1];
  return { vmx, svm };
}
const T = exitTables();
/** Before ≈5.6 the VMX name of 7 was PENDING_INTERRUPT. */
const VMX_OLD = T.vmx.replace('{ 7, "INTERRUPT_WINDOW" }', '{ 7, "PENDING_INTERRUPT" }');
const REASON_FLAGS = (f: string, vmx: string): string =>
  `(REC->isa == 1) ? __print_symbolic(REC->${f} & 0xffff, ${vmx}) : __print_symbolic(REC->${f}, ${T.svm}), (REC->isa == 1 && REC->${f} & ~0xffff) ? " " : "", (REC->isa == 1) ? __print_flags(REC->${f} & ~0xffff, " ", { 0x80000000, "FAILED_VMENTRY" }) : ""`;
const REASON_PLAIN = (f: string, vmx: string): string =>
  `(REC->isa == 1) ? __print_symbolic(REC->${f}, ${vmx}) : __print_symbolic(REC->${f}, ${T.svm})`;

const KVM = 'kvm-tracepoints.md §2';
const STATE_FLAGS_OLD =
  '{ 1, "S"} , { 2, "D" }, { 4, "T" }, { 8, "t" }, { 16, "Z" }, { 32, "X" }, { 64, "x" }, { 128, "K" }, { 256, "W" }, { 512, "P" }, { 1024, "N" }';
const STATE_618 =
  '(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), "|", { 0x00000001, "S" }, { 0x00000002, "D" }, { 0x00000004, "T" }, { 0x00000008, "t" }, { 0x00000010, "X" }, { 0x00000020, "Z" }, { 0x00000040, "P" }, { 0x00000080, "I" }) : "R", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? "+" : ""';
const SWITCH_FMT = (state: string): string =>
  `"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d", REC->prev_comm, REC->prev_pid, REC->prev_prio, ${state}, REC->next_comm, REC->next_pid, REC->next_prio`;
const WAKEUP_SUCCESS: Array<[string, number, number, 0 | 1]> = [
  ['char comm[16]', 8, 16, 0], ['pid_t pid', 24, 4, 1], ['int prio', 28, 4, 1], ['int success', 32, 4, 1], ['int target_cpu', 36, 4, 1],
];
const WAKEUP_SUCCESS_FMT = '"comm=%s pid=%d prio=%d success=%d target_cpu=%03d", REC->comm, REC->pid, REC->prio, REC->success, REC->target_cpu';

export const OLDER_FORMATS: FormatVariant[] = [
  // ---- kvm_exit
  { system: 'kvm', kernels: '≈5.10 – 6.x before `requests` (intr_info/error_code, FAILED_VMENTRY flags)', provenance: KVM + '.1 + trace-formats.md §4.6',
    text: fmt('kvm_exit', [['unsigned int exit_reason', 8, 4, 0], ['unsigned long guest_rip', 16, 8, 0], ['u32 isa', 24, 4, 0], ['u64 info1', 32, 8, 0], ['u64 info2', 40, 8, 0], ['u32 intr_info', 48, 4, 0], ['u32 error_code', 52, 4, 0], ['unsigned int vcpu_id', 56, 4, 0]],
      `"vcpu %u reason %s%s%s rip 0x%lx info1 0x%016llx info2 0x%016llx intr_info 0x%08x error_code 0x%08x", REC->vcpu_id, ${REASON_FLAGS('exit_reason', T.vmx)}, REC->guest_rip, REC->info1, REC->info2, REC->intr_info, REC->error_code`) },
  { system: 'kvm', kernels: '≈5.4 – 5.9 (vcpu_id added, `info %llx %llx`)', provenance: KVM + '.1',
    text: fmt('kvm_exit', [['unsigned int exit_reason', 8, 4, 0], ['unsigned long guest_rip', 16, 8, 0], ['u32 isa', 24, 4, 0], ['u64 info1', 32, 8, 0], ['u64 info2', 40, 8, 0], ['unsigned int vcpu_id', 48, 4, 0]],
      `"vcpu %u reason %s rip 0x%lx info %llx %llx", REC->vcpu_id, ${REASON_PLAIN('exit_reason', VMX_OLD)}, REC->guest_rip, REC->info1, REC->info2`) },
  { system: 'kvm', kernels: '≈2.6.38 – 5.3 (isa, info1, info2)', provenance: KVM + '.1',
    text: fmt('kvm_exit', [['unsigned int exit_reason', 8, 4, 0], ['unsigned long guest_rip', 16, 8, 0], ['u32 isa', 24, 4, 0], ['u64 info1', 32, 8, 0], ['u64 info2', 40, 8, 0]],
      `"reason %s rip 0x%lx info %llx %llx", ${REASON_PLAIN('exit_reason', VMX_OLD)}, REC->guest_rip, REC->info1, REC->info2`) },
  // ---- kvm_entry
  { system: 'kvm', kernels: '6.9 – before intr_info/error_code (immediate_exit; also 6.1/6.6/6.12 stable after Aug 2025)', provenance: KVM + '.2',
    text: fmt('kvm_entry', [['unsigned int vcpu_id', 8, 4, 0], ['unsigned long rip', 16, 8, 0], ['bool immediate_exit', 24, 1, 0]],
      '"vcpu %u, rip 0x%lx%s", REC->vcpu_id, REC->rip, REC->immediate_exit ? "[immediate exit]" : ""') },
  { system: 'kvm', kernels: '≈5.10 – 6.8 (rip added)', provenance: KVM + '.2',
    text: fmt('kvm_entry', [['unsigned int vcpu_id', 8, 4, 0], ['unsigned long rip', 16, 8, 0]], '"vcpu %u, rip 0x%lx", REC->vcpu_id, REC->rip') },
  { system: 'kvm', kernels: '< ≈5.10 (vcpu_id only)', provenance: KVM + '.2',
    text: fmt('kvm_entry', [['unsigned int vcpu_id', 8, 4, 0]], '"vcpu %u", REC->vcpu_id') },
  // ---- kvm_nested_vmexit (old separate layout; newer kernels share kvm_exit's macro)
  { system: 'kvm', kernels: '< ≈5.10 (separate layout: rip, exit_code, exit_info1/2, exit_int_info[_err])', provenance: 'trace-formats.md §4.6 + libtraceevent plugin_kvm field names',
    text: fmt('kvm_nested_vmexit', [['__u64 rip', 8, 8, 0], ['__u32 exit_code', 16, 4, 0], ['__u64 exit_info1', 24, 8, 0], ['__u64 exit_info2', 32, 8, 0], ['__u32 exit_int_info', 40, 4, 0], ['__u32 exit_int_info_err', 44, 4, 0], ['__u32 isa', 48, 4, 0]],
      `"rip: 0x%016llx reason: %s ext_inf1: 0x%016llx ext_inf2: 0x%016llx ext_int: 0x%08x ext_int_err: 0x%08x", REC->rip, ${REASON_PLAIN('exit_code', VMX_OLD)}, REC->exit_info1, REC->exit_info2, REC->exit_int_info, REC->exit_int_info_err`) },
  // ---- kvm_vcpu_wakeup
  { system: 'kvm', kernels: 'before `valid` was added (≈< 4.x/5.x; s390 invalid-wakeup accounting)', provenance: KVM + '.3',
    text: fmt('kvm_vcpu_wakeup', [['__u64 ns', 8, 8, 0], ['bool waited', 16, 1, 0]], '"%s time %lld ns", REC->waited ? "wait" : "poll", REC->ns') },
  // ---- kvm_ple_window (renamed kvm_ple_window_update ≈5.3)
  { system: 'kvm', kernels: '≤ ≈5.2 (kvm_ple_window; renamed kvm_ple_window_update later)', provenance: KVM + '.10',
    text: fmt('kvm_ple_window', [['bool grow', 8, 1, 0], ['unsigned int vcpu_id', 12, 4, 0], ['unsigned int new', 16, 4, 0], ['unsigned int old', 20, 4, 0]],
      '"vcpu %u: ple_window %d (%s %d)", REC->vcpu_id, REC->new, REC->grow ? "grow" : "shrink", REC->old') },
  // ---- kvm_page_fault
  { system: 'kvm', kernels: '≈5.13 – 6.9 (vcpu_id/guest_rip added; address still unsigned long, error_code u32)', provenance: KVM + '.12',
    text: fmt('kvm_page_fault', [['unsigned int vcpu_id', 8, 4, 0], ['unsigned long guest_rip', 16, 8, 0], ['unsigned long fault_address', 24, 8, 0], ['unsigned int error_code', 32, 4, 0]],
      '"vcpu %u rip 0x%lx address 0x%016lx error_code %x", REC->vcpu_id, REC->guest_rip, REC->fault_address, REC->error_code') },
  { system: 'kvm', kernels: '< ≈5.13', provenance: KVM + '.12',
    text: fmt('kvm_page_fault', [['unsigned long fault_address', 8, 8, 0], ['unsigned int error_code', 16, 4, 0]], '"address %lx error_code %x", REC->fault_address, REC->error_code') },
  // ---- kvm_inj_virq
  { system: 'kvm', kernels: 'old kernels (single `irq` field, decimal)', provenance: KVM + '.8',
    text: fmt('kvm_inj_virq', [['unsigned int irq', 8, 4, 0]], '"irq %u", REC->irq') },
  // ---- kvm_apic_accept_irq
  { system: 'kvm', kernels: 'old kernels (extra `coalesced` bool)', provenance: KVM + '.7',
    text: fmt('kvm_apic_accept_irq', [['__u32 apicid', 8, 4, 0], ['__u16 dm', 12, 2, 0], ['__u16 tm', 14, 2, 0], ['__u8 vec', 16, 1, 0], ['bool coalesced', 17, 1, 0]],
      '"apicid %x vec %u (%s|%s)%s", REC->apicid, REC->vec, __print_symbolic((REC->dm >> 8 & 0x7), {0x0, "Fixed"}, {0x1, "LowPrio"}, {0x2, "SMI"}, {0x3, "Res3"}, {0x4, "NMI"}, {0x5, "INIT"}, {0x6, "SIPI"}, {0x7, "ExtINT"}), REC->tm ? "level" : "edge", REC->coalesced ? " (coalesced)" : ""') },
  // ---- sched_switch
  { system: 'sched', kernels: 'layout with a 4-byte prev_state (brief: "prev_state int vs long"; 6.18 print fmt) — unverified against a real file', provenance: 'brief + ' + KVM + '.20',
    text: fmt('sched_switch', [['char prev_comm[16]', 8, 16, 0], ['pid_t prev_pid', 24, 4, 1], ['int prev_prio', 28, 4, 1], ['unsigned int prev_state', 32, 4, 0], ['char next_comm[16]', 36, 16, 0], ['pid_t next_pid', 52, 4, 1], ['int next_prio', 56, 4, 1]],
      SWITCH_FMT(STATE_618)) },
  { system: 'sched', kernels: '< 4.14 (long prev_state, old letters S D T t Z X x K W P N, TASK_STATE_MAX 2048 → "+")', provenance: KVM + '.20',
    text: fmt('sched_switch', [['char prev_comm[16]', 8, 16, 0], ['pid_t prev_pid', 24, 4, 1], ['int prev_prio', 28, 4, 1], ['long prev_state', 32, 8, 1], ['char next_comm[16]', 40, 16, 0], ['pid_t next_pid', 56, 4, 1], ['int next_prio', 60, 4, 1]],
      SWITCH_FMT(`REC->prev_state & (2048-1) ? __print_flags(REC->prev_state & (2048-1), "|", ${STATE_FLAGS_OLD}) : "R", REC->prev_state & 2048 ? "+" : ""`)) },
  // ---- wakeups with `success`
  { system: 'sched', kernels: '< ≈4.3 (`success` field)', provenance: KVM + '.20', text: fmt('sched_wakeup', WAKEUP_SUCCESS, WAKEUP_SUCCESS_FMT) },
  { system: 'sched', kernels: '< ≈4.3 (`success` field)', provenance: KVM + '.20', text: fmt('sched_wakeup_new', WAKEUP_SUCCESS, WAKEUP_SUCCESS_FMT) },
  // ---- sched_migrate_task / process_fork with fixed char arrays (6.18 uses __data_loc strings)
  { system: 'sched', kernels: 'before comm became a __data_loc string (≈< 6.x)', provenance: KVM + '.20',
    text: fmt('sched_migrate_task', [['char comm[16]', 8, 16, 0], ['pid_t pid', 24, 4, 1], ['int prio', 28, 4, 1], ['int orig_cpu', 32, 4, 1], ['int dest_cpu', 36, 4, 1]],
      '"comm=%s pid=%d prio=%d orig_cpu=%d dest_cpu=%d", REC->comm, REC->pid, REC->prio, REC->orig_cpu, REC->dest_cpu') },
  { system: 'sched', kernels: 'before comms became __data_loc strings (≈< 6.x)', provenance: KVM + '.20',
    text: fmt('sched_process_fork', [['char parent_comm[16]', 8, 16, 0], ['pid_t parent_pid', 24, 4, 1], ['char child_comm[16]', 28, 16, 0], ['pid_t child_pid', 44, 4, 1]],
      '"comm=%s pid=%d child_comm=%s child_pid=%d", REC->parent_comm, REC->parent_pid, REC->child_comm, REC->child_pid') },
  { system: 'sched', kernels: 'before `group_dead` (≈< 6.x)', provenance: KVM + '.20',
    text: fmt('sched_process_exit', [['char comm[16]', 8, 16, 0], ['pid_t pid', 24, 4, 1], ['int prio', 28, 4, 1]], '"comm=%s pid=%d prio=%d", REC->comm, REC->pid, REC->prio') },
  // ---- sched_stat_runtime (not in the 6.18 fixture host's format set)
  { system: 'sched', kernels: '≥ 6.8 (vruntime dropped; also some 6.6.y)', provenance: KVM + '.20',
    text: fmt('sched_stat_runtime', [['char comm[16]', 8, 16, 0], ['pid_t pid', 24, 4, 1], ['u64 runtime', 32, 8, 0]], '"comm=%s pid=%d runtime=%Lu [ns]", REC->comm, REC->pid, REC->runtime') },
  { system: 'sched', kernels: '< 6.8 (with vruntime)', provenance: KVM + '.20',
    text: fmt('sched_stat_runtime', [['char comm[16]', 8, 16, 0], ['pid_t pid', 24, 4, 1], ['u64 runtime', 32, 8, 0], ['u64 vruntime', 40, 8, 0]],
      '"comm=%s pid=%d runtime=%Lu [ns] vruntime=%Lu [ns]", REC->comm, REC->pid, REC->runtime, REC->vruntime') },
  // ---- hrtimer_start before was_armed
  { system: 'timer', kernels: 'before `was_armed` (≈< 6.1x)', provenance: KVM + '.21 + 6.18 file',
    text: fmt('hrtimer_start', [['void * hrtimer', 8, 8, 0], ['void * function', 16, 8, 0], ['s64 expires', 24, 8, 1], ['s64 softexpires', 32, 8, 1], ['enum hrtimer_mode mode', 40, 4, 0]],
      '"hrtimer=%p function=%ps expires=%llu softexpires=%llu mode=%s", REC->hrtimer, REC->function, (unsigned long long) REC->expires, (unsigned long long) REC->softexpires, __print_symbolic(REC->mode, { HRTIMER_MODE_ABS, "ABS" }, { HRTIMER_MODE_REL, "REL" }, { HRTIMER_MODE_ABS_PINNED, "ABS|PINNED" }, { HRTIMER_MODE_REL_PINNED, "REL|PINNED" })') },
  // ---- kprobe created by `perf probe -a kvm_vcpu_on_spin`
  { system: 'probe', kernels: 'any (kprobe event; trace_probe.c print fmt `(%lx)` of __probe_ip)', provenance: KVM + '.22',
    text: fmt('kvm_vcpu_on_spin', [['unsigned long __probe_ip', 8, 8, 0]], '"(%lx)", REC->__probe_ip') },
];
