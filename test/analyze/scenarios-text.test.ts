// The same analyses from text: each scenario's trace.dat printed by `trace-cmd report -t` (ns
// timestamps, trace-cmd's plugins) and read back as text must give the simulator's exact answers.
// `-R` prints hrtimer functions as bare addresses and a text has no kallsyms: there (only) timer
// injection cannot be measured, and the report must say so instead of reporting zero.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { SCENARIOS, writeScenario } from '../../src/sim/scenarios/index.js';
import { compareWithTruth } from '../helpers/scenario-compare.js';
import { hasTraceCmd, traceCmdOk } from '../helpers/tracecmd.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-scentext-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasTraceCmd())('analyses from trace-cmd report text give the same exact answers', () => {
  for (const name of SCENARIOS.keys()) {
    for (const flags of [['-t'], ['-t', '-R']]) {
      it(`${name} (trace-cmd report ${flags.join(' ')})`, () => {
        const dat = join(dir, `${name}.dat`);
        const truth = writeScenario(name, dat, { version: 7 });
        const txt = join(dir, `${name}${flags.join('')}.txt`);
        writeFileSync(txt, traceCmdOk(['report', ...flags, dat]));
        const report = analyzeFile(txt);
        const diffs = compareWithTruth(report, truth);
        const unnamed = report.dataQuality.diagnostics.find((d) => d.code === 'hrtimer-unnamed');
        if (flags.includes('-R')) {
          expect(diffs.filter((d) => !d.startsWith('timers.injection:'))).toEqual([]);
          if (truth.timers.injection.count > 0) expect(unnamed?.severity).toBe('warning');
          if (unnamed) expect(report.timers.injection.available).toBe(false);
          else expect(diffs).toEqual([]);
        } else {
          expect(diffs).toEqual([]);
          if (truth.timers.injection.count > 0) expect(report.timers.injection.available).toBe(true);
          expect(unnamed).toBeUndefined();
        }
      });
    }
  }
});
