// Types of the tuning verdicts (docs/verdicts.md): what is wrong on the host, the figures that show
// it (each one a key of the JSON report, or a formula over such keys), what to change, and how sure
// the finding is. Part of the kvmtrace/1 contract under `verdicts`: keys are only ever added.
import type { Report } from '../report/model.js';
import type { Thresholds, VerdictId } from './thresholds.js';

export type { VerdictId } from './thresholds.js';

export const SEVERITIES = ['ok', 'info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** One figure of the evidence. */
export interface EvidenceValue {
  /** Stable name of the figure within the verdict (`stackedShare`, `pauseExits`, ...). */
  name: string;
  value: number | null;
  unit: 'ns' | 'count' | 'ratio' | 'per-second' | 'per-vcpu-second';
  /** A figure read from the report: its key path (`scheduling.byVcpu[2].stackedNs`). */
  ref?: string;
  /** A derived figure: how it is computed from report keys (`exits.byReason[0].totalNs / (2 × input.durationNs)`). */
  formula?: string;
}

export interface EvidenceWindow {
  /** Absolute trace-clock timestamps (as `input.firstNs`). */
  startNs: bigint;
  endNs: bigint;
  cpu: number | null;
  vm: number | null;
  vcpu: number | null;
  tid: number | null;
  /** The report key the window comes from (`exits.longest[0]`). */
  ref: string;
}

export interface Evidence {
  /** The finding as one or two sentences, every number from `values`. */
  summary: string;
  values: EvidenceValue[];
  /** Indexes into `report.vms`. */
  vms: number[];
  vcpus: Array<{ vm: number | null; vcpu: number | null; tid: number }>;
  windows: EvidenceWindow[];
  /** The thresholds the rule compared against (after overrides), `key` → value. */
  thresholds: Record<string, number>;
}

export interface Confidence {
  /** 0..1: 1 = nothing lowered it. */
  score: number;
  level: 'high' | 'medium' | 'low';
  /** Why it is below 1, one sentence each. */
  reasons: string[];
}

export interface RemediationStep {
  /** What the step does, one sentence. */
  title: string;
  /** Exact text to run or paste (a command, a module option, libvirt XML, a QEMU option). */
  code?: string;
  kind: 'command' | 'module-parameter' | 'kernel-cmdline' | 'libvirt-xml' | 'qemu-option' | 'note';
}

export interface Verdict {
  id: VerdictId;
  severity: Severity;
  title: string;
  /** Estimated share of vCPU time lost (0..1): the verdicts are ordered by it. */
  impact: number;
  /** How impact was estimated, with report keys. */
  impactFormula: string;
  confidence: Confidence;
  evidence: Evidence;
  /** Empty for `ok` verdicts. */
  remediation: RemediationStep[];
  /** The mechanism, one paragraph. */
  docs: string;
}

/** What a rule returns: everything but what the engine fills in (title, docs, confidence level). */
export interface Finding {
  severity: Severity;
  impact: number;
  impactFormula: string;
  summary: string;
  values: EvidenceValue[];
  vms?: number[];
  vcpus?: Array<{ vm: number | null; vcpu: number | null; tid: number }>;
  windows?: EvidenceWindow[];
  remediation: RemediationStep[];
  /** Rule-specific confidence factors (multiplied into the trace-wide ones). */
  confidence?: Array<{ factor: number; reason: string }>;
  /** A title variant (e.g. the spinning verdict's "pinned" and "overcommitted" forms). */
  title?: string;
}

export interface RuleContext {
  report: Report;
  /** This rule's thresholds, after overrides. */
  t: Record<string, number>;
  all: Thresholds;
}

export interface Rule {
  id: VerdictId;
  /** Null when the trace cannot feed the rule (the report's `missing` already says what to record). */
  evaluate(ctx: RuleContext): Finding | null;
}
