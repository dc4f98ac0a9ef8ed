// Thresholds of the verdict rules: defaults (the reason for each value is in docs/verdicts.md),
// overridden by a JSON config file (`--config FILE`) and then by `--threshold id.key=value`.
// Shares are fractions of vCPU time (0.05 = 5 %), durations integer ns, rates per vCPU per second.
import { readFileSync } from 'node:fs';
import { UsageError } from '../diag/errors.js';

export const DEFAULT_THRESHOLDS = {
  'vcpu-stacking': { infoShare: 0.01, warningShare: 0.05, criticalShare: 0.25 },
  'wake-affine-migrations': { minAffineWakeups: 3, minAffineShare: 0.05, minRatePerVcpu: 1 },
  'pause-loop-spinning': { minRatePerVcpu: 1000, minCount: 50, overcommitLhpShare: 0.5 },
  'timer-late': { minCount: 20, minLateShare: 0.5, p50LateNs: 5000, p99LateNs: 50_000, injectionP99Ns: 100_000, criticalP99Ns: 1_000_000 },
  'halt-poll-wasted': { minWakeups: 20, maxSuccessRatio: 0.2, minPollShare: 0.005, warningPollShare: 0.02 },
  'halt-poll-too-short': { minCount: 10, minShare: 0.25, warningShare: 0.5 },
  'hlt-exits-on-dedicated-cpus': { minRatePerVcpu: 5000, maxRunqueueWaitP99Ns: 50_000 },
  'ipi-exits': { minCount: 50, minRatePerVcpu: 1000, warningShare: 0.01 },
  'ept-violations': { minRatePerVcpu: 1000, warningShare: 0.02, criticalShare: 0.25 },
  'long-exits': { warningNs: 1_000_000, criticalNs: 20_000_000 },
  'emulator-thread-placement': { minExits: 3, minScheduledOutNs: 50_000 },
  'events-lost': { warningShare: 0.01 },
} as const satisfies Record<string, Record<string, number>>;

export type VerdictId = keyof typeof DEFAULT_THRESHOLDS;
export const VERDICT_IDS = Object.keys(DEFAULT_THRESHOLDS) as VerdictId[];

export type Thresholds = { [K in VerdictId]: Record<keyof (typeof DEFAULT_THRESHOLDS)[K], number> };

export function defaultThresholds(): Thresholds {
  return JSON.parse(JSON.stringify(DEFAULT_THRESHOLDS)) as Thresholds;
}

function setOne(t: Thresholds, id: string, key: string, value: unknown, where: string): void {
  if (!(VERDICT_IDS as string[]).includes(id)) throw new UsageError(`${where}: unknown verdict "${id}" (known: ${VERDICT_IDS.join(', ')})`);
  const rule = t[id as VerdictId] as Record<string, number>;
  if (!(key in rule)) throw new UsageError(`${where}: verdict "${id}" has no threshold "${key}" (it has: ${Object.keys(rule).join(', ')})`);
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${where}: threshold ${id}.${key} needs a non-negative number, got ${JSON.stringify(value)}`);
  rule[key] = n;
}

/** `id.key=value` (the `--threshold` option) applied to `t`. */
export function applyThresholdArg(t: Thresholds, arg: string): Thresholds {
  const m = /^([a-z-]+)\.([A-Za-z0-9]+)=(.*)$/.exec(arg.trim());
  if (!m) throw new UsageError(`--threshold needs id.key=value (e.g. vcpu-stacking.warningShare=0.1), got "${arg}"`);
  setOne(t, m[1], m[2], m[3], '--threshold');
  return t;
}

/**
 * A config object: `{ "thresholds": { "<id>": { "<key>": number } } }`; `"<id>.<key>": number`
 * entries under `thresholds` are accepted too.
 */
export function applyConfig(t: Thresholds, config: unknown, where = 'config'): Thresholds {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new UsageError(`${where}: expected a JSON object`);
  for (const k of Object.keys(config)) if (k !== 'thresholds') throw new UsageError(`${where}: unknown key "${k}" (expected "thresholds")`);
  const th = (config as { thresholds?: unknown }).thresholds;
  if (th === undefined) return t;
  if (typeof th !== 'object' || th === null || Array.isArray(th)) throw new UsageError(`${where}: "thresholds" must be an object`);
  for (const [id, v] of Object.entries(th)) {
    const dot = id.indexOf('.');
    if (dot > 0) setOne(t, id.slice(0, dot), id.slice(dot + 1), v, where);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) for (const [key, x] of Object.entries(v)) setOne(t, id, key, x, where);
    else throw new UsageError(`${where}: thresholds.${id} must be an object of numbers`);
  }
  return t;
}

/** Reads a JSON config file and applies it. */
export function applyConfigFile(t: Thresholds, file: string): Thresholds {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read config: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return applyConfig(t, json, file);
}

/** Defaults, then the config file, then each `--threshold`. */
export function resolveThresholds(o: { config?: string; thresholds?: string[] } = {}): Thresholds {
  const t = defaultThresholds();
  if (o.config) applyConfigFile(t, o.config);
  for (const a of o.thresholds ?? []) applyThresholdArg(t, a);
  return t;
}
