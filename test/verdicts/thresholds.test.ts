// Threshold overrides: --threshold id.key=value and the JSON config change the outcome; bad ids,
// keys and values are usage errors naming what is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { UsageError } from '../../src/diag/errors.js';
import { writeScenario } from '../../src/sim/scenarios/index.js';
import { DEFAULT_THRESHOLDS, VERDICT_IDS, applyConfig, applyThresholdArg, defaultThresholds, resolveThresholds } from '../../src/verdicts/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-thresholds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const paths: Record<string, string> = {};
beforeAll(() => {
  for (const s of ['one-long-exit', 'ept-violations', 'healthy-pinned', 'halt-poll-wasted']) {
    paths[s] = join(dir, `${s}.dat`);
    writeScenario(s, paths[s], { version: 7 });
  }
});
const sev = (scenario: string, id: string, args: string[] = []) =>
  analyzeFile(paths[scenario], { thresholds: resolveThresholds({ thresholds: args }) }).verdicts.find((v) => v.id === id)?.severity;

describe('threshold overrides change the outcome', () => {
  it('long-exits: a higher warningNs silences the 2.58 ms exit, a lower criticalNs makes it critical', () => {
    expect(sev('one-long-exit', 'long-exits')).toBe('warning');
    expect(sev('one-long-exit', 'long-exits', ['long-exits.warningNs=3000000'])).toBe('ok');
    expect(sev('one-long-exit', 'long-exits', ['long-exits.criticalNs=2000000'])).toBe('critical');
  });
  it('ept-violations: severity follows the share thresholds', () => {
    expect(sev('ept-violations', 'ept-violations')).toBe('warning');
    expect(sev('ept-violations', 'ept-violations', ['ept-violations.criticalShare=0.2'])).toBe('critical');
    expect(sev('ept-violations', 'ept-violations', ['ept-violations.warningShare=0.5', 'ept-violations.criticalShare=0.6'])).toBe('ok');
  });
  it('a stricter rate makes the healthy trace report its HLT exits', () => {
    expect(sev('healthy-pinned', 'hlt-exits-on-dedicated-cpus')).toBe('ok');
    expect(sev('healthy-pinned', 'hlt-exits-on-dedicated-cpus', ['hlt-exits-on-dedicated-cpus.minRatePerVcpu=50'])).toBe('info');
  });
  it('the thresholds used are recorded in the evidence', () => {
    const r = analyzeFile(paths['halt-poll-wasted'], { thresholds: resolveThresholds({ thresholds: ['halt-poll-wasted.maxSuccessRatio=0.05'] }) });
    const v = r.verdicts.find((x) => x.id === 'halt-poll-wasted')!;
    expect(v.severity).toBe('ok');
    expect(v.evidence.thresholds.maxSuccessRatio).toBe(0.05);
  });
});

describe('parsing', () => {
  it('every catalogue id has defaults', () => {
    expect(VERDICT_IDS).toEqual(['vcpu-stacking', 'wake-affine-migrations', 'pause-loop-spinning', 'timer-late', 'halt-poll-wasted', 'halt-poll-too-short',
      'hlt-exits-on-dedicated-cpus', 'ipi-exits', 'ept-violations', 'long-exits', 'emulator-thread-placement', 'events-lost']);
  });
  it('--threshold id.key=value', () => {
    const t = applyThresholdArg(defaultThresholds(), 'vcpu-stacking.warningShare=0.1');
    expect(t['vcpu-stacking'].warningShare).toBe(0.1);
    expect(DEFAULT_THRESHOLDS['vcpu-stacking'].warningShare).toBe(0.05);
  });
  it('config file, nested and dotted forms, then --threshold on top', () => {
    const f = join(dir, 'cfg.json');
    writeFileSync(f, JSON.stringify({ thresholds: { 'long-exits': { warningNs: 5e6 }, 'timer-late.minCount': 5 } }));
    const t = resolveThresholds({ config: f, thresholds: ['long-exits.warningNs=7000000'] });
    expect(t['long-exits'].warningNs).toBe(7e6);
    expect(t['timer-late'].minCount).toBe(5);
  });
  it('rejects unknown ids, unknown keys, bad values and bad files', () => {
    const t = defaultThresholds();
    expect(() => applyThresholdArg(t, 'no-such.x=1')).toThrow(/unknown verdict "no-such"/);
    expect(() => applyThresholdArg(t, 'long-exits.nope=1')).toThrow(/has no threshold "nope"/);
    expect(() => applyThresholdArg(t, 'long-exits.warningNs=abc')).toThrow(UsageError);
    expect(() => applyThresholdArg(t, 'long-exits.warningNs=-1')).toThrow(/non-negative/);
    expect(() => applyThresholdArg(t, 'long-exits')).toThrow(/id\.key=value/);
    expect(() => applyConfig(t, { thresholds: { 'long-exits': 3 } })).toThrow(/must be an object/);
    expect(() => applyConfig(t, { other: 1 })).toThrow(/unknown key "other"/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(() => resolveThresholds({ config: bad })).toThrow(/not valid JSON/);
    expect(() => resolveThresholds({ config: join(dir, 'missing.json') })).toThrow(/cannot read config/);
  });
});
