// `kvmtrace simulate <scenario> -o FILE [--file-version 6|7] [--seed N] [--truth truth.json]` and
// `kvmtrace simulate --list`: a thin command over the scenario registry (src/sim/scenarios).
import { writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { UsageError } from '../../diag/errors.js';
import { SCENARIOS, writeScenario } from '../../sim/scenarios/index.js';

export interface SimulateOptions {
  out?: string;
  version?: string;
  seed?: string;
  truth?: string;
  list?: boolean;
}

export function simulate(name: string | undefined, o: SimulateOptions, out: Writable): void {
  if (o.list) {
    const w = Math.max(...[...SCENARIOS.keys()].map((k) => k.length));
    for (const s of SCENARIOS.values()) out.write(`${s.name.padEnd(w)}  ${s.description}\n`);
    return;
  }
  if (!name) throw new UsageError('simulate needs a scenario name (see kvmtrace simulate --list)');
  if (!SCENARIOS.has(name)) throw new UsageError(`unknown scenario "${name}" (known: ${[...SCENARIOS.keys()].join(', ')})`);
  if (!o.out) throw new UsageError('simulate needs -o FILE');
  const version = Number(o.version ?? '7');
  if (version !== 6 && version !== 7) throw new UsageError(`--file-version must be 6 or 7, got "${o.version}"`);
  let seed: number | undefined;
  if (o.seed !== undefined) {
    seed = Number(o.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed needs a non-negative integer, got "${o.seed}"`);
  }
  const truth = writeScenario(name, o.out, { version, seed });
  if (o.truth) writeFileSync(o.truth, `${JSON.stringify(truth, null, 2)}\n`);
  out.write(`${o.out}: scenario ${name}, trace.dat v${version}, ${truth.exits.total} exits${o.truth ? `; truth in ${o.truth}` : ''}\n`);
}
