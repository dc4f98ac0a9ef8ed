// Fuzz: every mutated trace text (perf script, trace-cmd report, tracefs, excerpts) ends in a report or the one-line InputError, within
// the time limit and without unbounded memory (seeds in seeds.ts, mutations in mutate.ts, watchdog in
// pool.ts). CI runs a bounded number of cases; `npm run fuzz` sets FUZZ_CASES for a long run.
import { afterAll, expect, it } from 'vitest';
import { FuzzPool } from './pool.js';
import { textSeeds } from './seeds.js';
import { CASE_LIMIT_MS, casesPer, describeFailures, fuzz } from './suite.js';

const pool = new FuzzPool(CASE_LIMIT_MS);
afterAll(() => pool.close());

it('every mutated input ends in a report or a one-line error', async () => {
  const seeds = textSeeds();
  const per = casesPer(200);
  const stats = await fuzz(seeds, per, pool);
  console.log(`text: ${stats.cases} cases, ${stats.reports} reports, ${stats.errors} errors, slowest ${stats.maxMs.toFixed(0)} ms`, process.env.FUZZ_VERBOSE ? stats.msBySeed : "");
  expect(stats.failures, describeFailures(stats)).toEqual([]);
  expect(stats.cases).toBe(seeds.reduce((s, x) => s + Math.max(1, Math.round(per * (x.weight ?? 1))), 0));
  expect(stats.reports).toBeGreaterThan(0);
  expect(stats.errors).toBeGreaterThan(0);
}, process.env.FUZZ_CASES ? 86_400_000 : 300_000);
