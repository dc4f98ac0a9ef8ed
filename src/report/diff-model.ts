// `kvmtrace diff BEFORE AFTER`: the comparison of two reports (schema "kvmtrace-diff/1"), the
// before/after of a tuning change. Every figure is read from the two kvmtrace/1 reports (never
// recomputed from events): per-reason exit counts, rates over each trace's span and p50/p99;
// timer lateness; vCPU-thread migrations; and the verdicts that appeared, went away or changed
// severity. Keys are only ever added.
import type { Report } from './model.js';
import { severityRank, type Severity } from '../verdicts/index.js';

export const DIFF_SCHEMA = 'kvmtrace-diff/1';

export interface DiffSide {
  file: string;
  format: string;
  events: number;
  durationNs: number;
  exits: number;
  /** Exits per second of the trace's span (null when the span is 0). */
  exitsPerSec: number | null;
  vms: number;
  vcpus: number;
  window: string | null;
}

export interface ReasonSide { count: number; perSec: number | null; totalNs: number; p50Ns: number | null; p99Ns: number | null }

export interface ReasonDiff {
  reason: string;
  isa: string;
  before: ReasonSide;
  after: ReasonSide;
  /** after.count − before.count. */
  countChange: number;
  /** after.perSec / before.perSec (null when either is unknown or before is 0). */
  rateRatio: number | null;
}

export interface VerdictRef { id: string; severity: Severity; title: string }

export interface DiffReport {
  schema: typeof DIFF_SCHEMA;
  generator: { name: 'kvmtrace'; version: string };
  before: DiffSide;
  after: DiffSide;
  exitReasons: ReasonDiff[];
  timers: {
    lapicExpire: {
      deltaUnit: 'guest-tsc-cycles';
      before: { count: number; late: number; early: number; p50Ns: number | null; p99Ns: number | null; maxLateNs: number | null };
      after: { count: number; late: number; early: number; p50Ns: number | null; p99Ns: number | null; maxLateNs: number | null };
    };
    injection: {
      before: { count: number; p50Ns: number | null; p99Ns: number | null; maxNs: number | null };
      after: { count: number; p50Ns: number | null; p99Ns: number | null; maxNs: number | null };
    };
  };
  migrations: {
    before: { total: number; perSec: number | null; affineWakeups: number };
    after: { total: number; perSec: number | null; affineWakeups: number };
  };
  verdicts: {
    /** Found (severity above ok) after, not before. */
    appeared: VerdictRef[];
    /** Found before, not after. */
    resolved: VerdictRef[];
    /** Found in both, at a different severity. */
    changed: Array<{ id: string; title: string; before: Severity; after: Severity }>;
    /** Found in both at the same severity. */
    unchanged: VerdictRef[];
  };
}

const perSec = (n: number, durationNs: number): number | null => (durationNs > 0 ? (n * 1e9) / durationNs : null);

function side(r: Report): DiffSide {
  return {
    file: r.input.file, format: r.input.format, events: r.input.events, durationNs: r.input.durationNs,
    exits: r.exits.total, exitsPerSec: perSec(r.exits.total, r.input.durationNs),
    vms: r.vms.length, vcpus: r.vms.reduce((a, v) => a + v.vcpus.length, 0), window: r.window?.spec ?? null,
  };
}

function reasons(b: Report, a: Report): ReasonDiff[] {
  const key = (x: { reason: string; isa: string }) => `${x.isa}\u0000${x.reason}`;
  const zero: ReasonSide = { count: 0, perSec: 0, totalNs: 0, p50Ns: null, p99Ns: null };
  const pick = (r: Report, k: string): ReasonSide => {
    const e = r.exits.byReason.find((x) => key(x) === k);
    return e ? { count: e.count, perSec: perSec(e.count, r.input.durationNs), totalNs: e.totalNs, p50Ns: e.p50Ns, p99Ns: e.p99Ns } : { ...zero, perSec: r.input.durationNs > 0 ? 0 : null };
  };
  const keys = new Map<string, { reason: string; isa: string }>();
  for (const e of [...b.exits.byReason, ...a.exits.byReason]) if (!keys.has(key(e))) keys.set(key(e), { reason: e.reason, isa: e.isa });
  return [...keys].map(([k, id]) => {
    const before = pick(b, k);
    const after = pick(a, k);
    const rateRatio = before.perSec && after.perSec !== null ? after.perSec / before.perSec : null;
    return { ...id, before, after, countChange: after.count - before.count, rateRatio };
  }).sort((x, y) => Math.max(y.before.count, y.after.count) - Math.max(x.before.count, x.after.count) || x.reason.localeCompare(y.reason));
}

function verdicts(b: Report, a: Report): DiffReport['verdicts'] {
  const found = (r: Report) => new Map(r.verdicts.filter((v) => severityRank(v.severity) > severityRank('ok')).map((v) => [v.id as string, v]));
  const fb = found(b);
  const fa = found(a);
  const ref = (v: Report['verdicts'][number]): VerdictRef => ({ id: v.id, severity: v.severity, title: v.title });
  const out: DiffReport['verdicts'] = { appeared: [], resolved: [], changed: [], unchanged: [] };
  for (const [id, v] of fa) {
    const old = fb.get(id);
    if (!old) out.appeared.push(ref(v));
    else if (old.severity !== v.severity) out.changed.push({ id, title: v.title, before: old.severity, after: v.severity });
    else out.unchanged.push(ref(v));
  }
  for (const [id, v] of fb) if (!fa.has(id)) out.resolved.push(ref(v));
  return out;
}

function migrations(r: Report) {
  const rows = r.scheduling.byVcpu;
  const total = rows.reduce((s, x) => s + x.migrations, 0);
  return { total, perSec: perSec(total, r.input.durationNs), affineWakeups: rows.reduce((s, x) => s + x.affineWakeups, 0) };
}

export function buildDiff(before: Report, after: Report, version: string): DiffReport {
  const lapic = (r: Report) => {
    const l = r.timers.lapicExpire;
    return { count: l.count, late: l.late, early: l.early, p50Ns: l.p50Ns, p99Ns: l.p99Ns, maxLateNs: l.maxLateNs };
  };
  const inj = (r: Report) => {
    const j = r.timers.injection;
    return { count: j.count, p50Ns: j.p50Ns, p99Ns: j.p99Ns, maxNs: j.maxNs };
  };
  return {
    schema: DIFF_SCHEMA,
    generator: { name: 'kvmtrace', version },
    before: side(before),
    after: side(after),
    exitReasons: reasons(before, after),
    timers: {
      lapicExpire: { deltaUnit: 'guest-tsc-cycles', before: lapic(before), after: lapic(after) },
      injection: { before: inj(before), after: inj(after) },
    },
    migrations: { before: migrations(before), after: migrations(after) },
    verdicts: verdicts(before, after),
  };
}
