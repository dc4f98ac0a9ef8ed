// Types of the scenario simulator: a scenario builds a timeline of host events whose right answers
// (the `truth`) are known exactly, following docs/analyses.md. The truth keys mirror the JSON
// report contract (other tools read them): keep the names.
import type { FieldValue } from '../../model/payload-encoder.js';
import type { WriterOptions } from '../tracedat-writer.js';

/** One event of a scenario, fully resolved (pid = common_pid; ts in ns of the trace clock). */
export interface ScenarioEvent {
  ts: number;
  cpu: number;
  /** Bare event name (`kvm_exit`, `sched_switch`, `function`, ...). */
  event: string;
  pid: number;
  values: Record<string, FieldValue>;
}

export interface ScenarioBuildOptions {
  /** PRNG seed for the jitter (default 1). The literal truth values in the tests assume seed 1. */
  seed?: number;
}

export interface ScenarioBuild {
  /** Sorted by (ts, cpu); timestamps are globally unique. */
  events: ScenarioEvent[];
  /** Everything but `version` (the caller chooses it). */
  writerOptions: Omit<WriterOptions, 'version'>;
  truth: ScenarioTruth;
  /** Start-of-trace facts for checkInvariants (threads running / sleeping when it starts). */
  check: { initial: number[]; sleepingAtStart: Array<[number, number]> };
}

export interface Scenario {
  name: string;
  description: string;
  build(opts?: ScenarioBuildOptions): ScenarioBuild;
}

export type Isa = 1 | 2;

export interface TruthVm {
  /** `vm-<pid>`. */
  id: string;
  /** Comm of the VM's main thread (`qemu-system-x86`). */
  name: string;
  pid: number;
  vcpus: Array<{ vcpu: number; tid: number; comm: string }>;
}

export interface ExitReasonTruth {
  reason: string;
  isa: Isa;
  /** Every kvm_exit with this reason. */
  count: number;
  /** Σ durations of the exits that reached their kvm_entry. */
  totalNs: number;
  p50Ns: number | null;
  p90Ns: number | null;
  p99Ns: number | null;
  maxNs: number | null;
}

export interface ExitSplit {
  handlingNs: number;
  scheduledOutNs: number;
  userspaceNs: number;
  haltedNs: number;
}

export interface ExitVcpuTruth extends ExitSplit {
  vm: string;
  vcpu: number;
  count: number;
  totalNs: number;
}

export interface LongExitTruth extends ExitSplit {
  /** Timestamp of the kvm_exit (trace clock, ns). */
  tsNs: number;
  cpu: number;
  vm: string;
  vcpu: number;
  reason: string;
  /** Full duration kvm_exit → kvm_entry (the ranking key is durationNs − haltedNs). */
  durationNs: number;
}

export interface ScenarioTruth {
  vms: TruthVm[];
  exits: {
    total: number;
    /** kvm_exits that never reached a kvm_entry (another kvm_exit first, or the trace ended). */
    withoutDuration: number;
    /** Sorted by totalNs desc, then reason. */
    byReason: ExitReasonTruth[];
    /** Sorted by vm, vcpu. */
    byVcpu: ExitVcpuTruth[];
    /** Top 10 by durationNs − haltedNs desc (ties: earlier first). */
    longest: LongExitTruth[];
  };
  spin: {
    onSpinEvents: number;
    pauseExits: number;
    /** Spin events at which another vCPU thread of the same VM was runnable but not running. */
    lockHolderPreemptions: number;
    byVcpu: Array<{ vm: string; vcpu: number; onSpinEvents: number; pauseExits: number; lockHolderPreemptions: number }>;
  };
  timers: {
    lapicExpire: { count: number; late: number; early: number; p50Ns: number | null; p99Ns: number | null; maxLateNs: number };
    injection: { count: number; p50Ns: number | null; p99Ns: number | null; maxNs: number | null };
  };
  haltPoll: {
    wakeups: number;
    polled: number;
    waited: number;
    invalid: number;
    pollNs: number;
    grows: number;
    shrinks: number;
    byVcpu: Array<{ vm: string; vcpu: number; wakeups: number; polled: number; waited: number; invalid: number; pollNs: number }>;
  };
  scheduling: {
    byVcpu: Array<{
      vm: string;
      vcpu: number;
      wakeups: number;
      migrations: number;
      affineWakeups: number;
      runqueueWaitP50Ns: number | null;
      runqueueWaitP99Ns: number | null;
      stackedNs: number;
    }>;
  };
  ipis: {
    /** kvm_apic_ipi events. */
    total: number;
    /** kvm_msr writes to 0x830 (x2APIC ICR), i.e. the MSR_WRITE exits that sent them. */
    icrWrites: number;
    /** kvm_apic_ipi whose dest_id is no vCPU of the sender's VM. */
    unmapped: number;
    byVcpu: Array<{ vm: string; vcpu: number; sent: number; received: number }>;
  };
  /** Verdict ids the scenario is built to trigger (the healthy scenario: none). */
  expectedVerdicts: string[];
}
