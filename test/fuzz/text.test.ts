// Fuzz: every mutated trace text (perf script, trace-cmd report, tracefs, excerpts) ends in a report or the one-line InputError, within
// the time limit and without unbounded memory (seeds in seeds.ts, mutations in mutate.ts, watchdog in
// pool.ts). CI runs a bounded number of cases; `npm run fuzz` sets FUZZ_CASES for a long run.
import { textSeeds } from './seeds.js';
import { fuzzFormat } from './suite.js';

fuzzFormat('text', textSeeds, 200);
