// Scenario simulator: small KVM-host traces with exactly known answers (see docs/analyses.md).
//   const truth = writeScenario('one-long-exit', '/tmp/x.dat', { version: 7 });
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFormatSet } from '../format-set.js';
import type { FormatSet } from '../format-set.js';
import { TraceDatWriter } from '../tracedat-writer.js';
import { SCENARIOS } from './scenarios.js';
import type { ScenarioBuild, ScenarioTruth } from './types.js';

export { SCENARIOS } from './scenarios.js';
export { checkInvariants } from './check.js';
export { computeTruth, percentile } from './truth.js';
export type * from './types.js';

/** The linux-6.18 format fixtures (from src/ or dist/src/, whichever runs). */
export function defaultFormatsDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const up = here.includes(`${'dist'}/src/`) || here.includes('dist\\src\\') ? '../../../../' : '../../../';
  return join(here, up, 'fixtures/formats/linux-6.18');
}

let cachedFormats: FormatSet | undefined;

function formats(): FormatSet {
  cachedFormats ??= loadFormatSet(defaultFormatsDir(), { systems: ['kvm', 'sched', 'timer', 'irq_vectors'] });
  return cachedFormats;
}

export function buildScenario(name: string, seed?: number): ScenarioBuild {
  const s = SCENARIOS.get(name);
  if (!s) throw new Error(`unknown scenario '${name}' (known: ${[...SCENARIOS.keys()].join(', ')})`);
  return s.build({ seed });
}

export interface WriteScenarioOptions {
  version: 6 | 7;
  seed?: number;
  compression?: 'none' | 'zlib';
}

/** Writes the scenario's trace.dat to `path` and returns its truth. */
export function writeScenario(name: string, path: string, o: WriteScenarioOptions): ScenarioTruth {
  const b = buildScenario(name, o.seed);
  const w = new TraceDatWriter(formats(), { ...b.writerOptions, version: o.version, compression: o.compression });
  for (const e of b.events) w.add({ cpu: e.cpu, ts: BigInt(e.ts), event: e.event, pid: e.pid, values: e.values });
  w.finishSync(path);
  return b.truth;
}
