// Fuzz: every mutated trace.dat (v6/v7; none, zlib, zstd; simulated and real) ends in a report or the one-line InputError, within
// the time limit and without unbounded memory (seeds in seeds.ts, mutations in mutate.ts, watchdog in
// pool.ts). CI runs a bounded number of cases; `npm run fuzz` sets FUZZ_CASES for a long run.
import { traceDatSeeds } from './seeds.js';
import { fuzzFormat } from './suite.js';

fuzzFormat('tracedat', traceDatSeeds, 200);
