// Every analysis against the scenario simulator's exact truth (docs/analyses.md), from v6 and v7
// trace.dat files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { SCENARIOS, writeScenario } from '../../src/sim/scenarios/index.js';
import { compareWithTruth } from '../helpers/scenario-compare.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-scen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analyses give the simulator\'s exact answers', () => {
  for (const name of SCENARIOS.keys()) {
    for (const version of [6, 7] as const) {
      it(`${name} v${version}`, () => {
        const path = join(dir, `${name}-v${version}.dat`);
        const truth = writeScenario(name, path, { version });
        expect(compareWithTruth(analyzeFile(path), truth)).toEqual([]);
      });
    }
  }
});
