// Drives a fuzz run over seed inputs: for each seed, truncation at its section boundaries first
// (every one when they fit the budget, evenly spaced otherwise), then seeded mutations. Every case
// must end in a report or an InputError; anything else is collected with the seed, case number and
// mutations that reproduce it, and the input is saved under the system temp dir for inspection.
// Budget: FUZZ_CASES scales the case count (default: the CI budget), FUZZ_SEED picks the run seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { caseSeed, mutate, truncateAt, type Layout, type Mutant } from './mutate.js';
import { acceptable, FuzzPool, type Outcome } from './pool.js';

export interface Seed {
  name: string;
  bytes: Uint8Array;
  layout: Layout;
  /** Share of the run's case budget (default 1). */
  weight?: number;
  /** Applied to each mutant before it is run (e.g. gzip it). */
  wrap?: (b: Uint8Array) => Uint8Array;
}

export interface Failure { seed: string; caseNo: number; caseSeed: number; ops: string[]; outcome: Outcome; saved: string }
export interface RunStats { cases: number; reports: number; errors: number; maxMs: number; failures: Failure[]; msBySeed: Record<string, number> }

export const RUN_SEED = Number(process.env.FUZZ_SEED ?? 1);
/** Cases per unit of seed weight: FUZZ_CASES for a long run, else the CI budget given by the test. */
export function casesPer(ciDefault: number): number {
  return process.env.FUZZ_CASES ? Number(process.env.FUZZ_CASES) : ciDefault;
}
/** Per-case time limit: generous, since CI shares two cores; a hang is orders of magnitude longer. */
export const CASE_LIMIT_MS = Number(process.env.FUZZ_CASE_MS ?? 10_000);
/** Every HTML_EVERY-th report also renders the HTML (Vega charts are slow). */
const HTML_EVERY = 500;

const failDir = join(tmpdir(), 'kvmtrace-fuzz-failures');

/** The mutant for case `i` of a seed (truncations first, then mutations). */
export function caseInput(seed: Seed, i: number, total: number, runSeed = RUN_SEED): Mutant {
  const b = seed.layout.boundaries;
  const truncs = Math.min(b.length, Math.floor(total / 4));
  const m = i < truncs ? truncateAt(seed.bytes, b[Math.floor((i * b.length) / truncs)]) : mutate(seed.bytes, seed.layout, caseSeed(runSeed, seed.name, i));
  return seed.wrap ? { bytes: seed.wrap(m.bytes), ops: [...m.ops, 'wrapped'] } : m;
}

export async function fuzz(seeds: Seed[], perWeight: number, pool: FuzzPool): Promise<RunStats> {
  const stats: RunStats = { cases: 0, reports: 0, errors: 0, maxMs: 0, failures: [], msBySeed: {} };
  for (const seed of seeds) {
    const total = Math.max(1, Math.round(perWeight * (seed.weight ?? 1)));
    for (let i = 0; i < total; i++) {
      const m = caseInput(seed, i, total);
      const { outcome, ms } = await pool.run(m.bytes, i % HTML_EVERY === HTML_EVERY - 1);
      stats.cases++;
      stats.maxMs = Math.max(stats.maxMs, ms);
      stats.msBySeed[seed.name] = Math.round((stats.msBySeed[seed.name] ?? 0) + ms);
      if (outcome.kind === 'report') stats.reports++;
      else if (outcome.kind === 'error') stats.errors++;
      if (acceptable(outcome)) continue;
      mkdirSync(failDir, { recursive: true });
      const saved = join(failDir, `${seed.name.replace(/\W+/g, '_')}-${RUN_SEED}-${i}.bin`);
      writeFileSync(saved, m.bytes);
      stats.failures.push({ seed: seed.name, caseNo: i, caseSeed: caseSeed(RUN_SEED, seed.name, i), ops: m.ops, outcome, saved });
    }
  }
  return stats;
}

/** A readable summary of the failures (first few), for the assertion message. */
export function describeFailures(s: RunStats): string {
  const kinds = new Map<string, number>();
  for (const f of s.failures) {
    const o = f.outcome;
    const k = (o.kind === 'crash' ? `${o.name}: ${o.message}` : o.kind).replace(/\/tmp\/\S+/g, 'FILE').replace(/\d+/g, 'N');
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const head = [...kinds].map(([k, n]) => `${n}× ${k}`).join('\n');
  return `${s.failures.length} failures of ${s.cases} cases:\n${head}\n\n` + s.failures.slice(0, 12).map((f) => {
    const o = f.outcome;
    const what = o.kind === 'crash' ? `${o.name}: ${o.message}\n${o.stack ?? ''}` : JSON.stringify(o);
    return `${f.seed} case ${f.caseNo} (FUZZ_SEED=${RUN_SEED}) ${f.ops.join(', ')} → ${what}\n  saved: ${f.saved}`;
  }).join('\n');
}

/**
 * The test of one input format: `ciCases` cases per seed weight in CI (FUZZ_CASES for more), each
 * ending in a report or a one-line error, with reports and errors both reached.
 */
export function fuzzFormat(label: string, seeds: () => Seed[], ciCases: number): void {
  const pool = new FuzzPool(CASE_LIMIT_MS);
  afterAll(() => pool.close());
  it('every mutated input ends in a report or a one-line error', async () => {
    const list = seeds();
    const per = casesPer(ciCases);
    const stats = await fuzz(list, per, pool);
    console.log(`${label}: ${stats.cases} cases, ${stats.reports} reports, ${stats.errors} errors, slowest ${stats.maxMs.toFixed(0)} ms`, process.env.FUZZ_VERBOSE ? stats.msBySeed : '');
    expect(stats.failures, describeFailures(stats)).toEqual([]);
    expect(stats.cases).toBe(list.reduce((s, x) => s + Math.max(1, Math.round(per * (x.weight ?? 1))), 0));
    expect(stats.reports).toBeGreaterThan(0);
    expect(stats.errors).toBeGreaterThan(0);
  }, process.env.FUZZ_CASES ? 86_400_000 : 300_000);
}
