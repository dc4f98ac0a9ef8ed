// The verdict engine: runs every rule of the registry over a built report and returns the verdicts,
// ordered by impact (share of vCPU time lost), then severity; `ok` verdicts (checked, nothing
// found) come last. Rules that the trace cannot feed give no verdict (report.missing says why).
import type { Report } from '../report/model.js';
import { traceConfidence } from './context.js';
import { DOCS, TITLES } from './messages.js';
import { RULES } from './registry.js';
import { defaultThresholds, VERDICT_IDS, type Thresholds } from './thresholds.js';
import { severityRank, type Confidence, type Severity, type Verdict } from './types.js';

export * from './types.js';
export { applyConfig, applyConfigFile, applyThresholdArg, defaultThresholds, DEFAULT_THRESHOLDS, resolveThresholds, VERDICT_IDS } from './thresholds.js';
export type { Thresholds } from './thresholds.js';

const round = (x: number, d = 6) => Math.round(x * 10 ** d) / 10 ** d;

function confidence(factors: Array<{ factor: number; reason: string }>): Confidence {
  const score = round(factors.reduce((a, f) => a * f.factor, 1), 3);
  return { score, level: score >= 0.75 ? 'high' : score >= 0.4 ? 'medium' : 'low', reasons: factors.map((f) => f.reason) };
}

export function evaluateVerdicts(report: Omit<Report, 'verdicts'> & { verdicts?: unknown }, thresholds: Thresholds = defaultThresholds()): Verdict[] {
  const r = report as Report;
  const traceWide = traceConfidence(r);
  const out: Verdict[] = [];
  for (const rule of RULES) {
    const t = thresholds[rule.id] as Record<string, number>;
    const f = rule.evaluate({ report: r, t, all: thresholds });
    if (!f) continue;
    const factors = [...(rule.id === 'events-lost' ? [] : traceWide), ...(f.confidence ?? [])];
    out.push({
      id: rule.id,
      severity: f.severity,
      title: f.title ?? (f.severity === 'ok' ? TITLES[rule.id].ok : TITLES[rule.id].fired),
      impact: round(Math.min(1, Math.max(0, f.impact))),
      impactFormula: f.impactFormula,
      confidence: confidence(factors),
      evidence: {
        summary: f.summary,
        values: f.values.map((v) => ({ ...v, value: v.value === null ? null : round(v.value) })),
        vms: f.vms ?? [], vcpus: f.vcpus ?? [], windows: f.windows ?? [], thresholds: { ...t },
      },
      remediation: f.severity === 'ok' ? [] : f.remediation,
      docs: DOCS[rule.id],
    });
  }
  return sortVerdicts(out);
}

export function sortVerdicts(vs: Verdict[]): Verdict[] {
  const ok = (v: Verdict) => (v.severity === 'ok' ? 1 : 0);
  return [...vs].sort((a, b) => ok(a) - ok(b) || b.impact - a.impact || severityRank(b.severity) - severityRank(a.severity)
    || VERDICT_IDS.indexOf(a.id) - VERDICT_IDS.indexOf(b.id));
}

/** The verdicts at or above `min` (what `--fail-on` checks). */
export function verdictsAtLeast(vs: Verdict[], min: Severity): Verdict[] {
  return vs.filter((v) => v.severity !== 'ok' && severityRank(v.severity) >= severityRank(min));
}
