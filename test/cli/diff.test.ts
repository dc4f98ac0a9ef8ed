// `kvmtrace diff` through the built CLI on two simulator scenarios (stacked-spinning before,
// healthy-pinned after): every figure equals the scenarios' independently computed truth, and the
// verdicts that went away are the ones the stacked scenario is built to raise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScenario, type ScenarioTruth } from '../../src/sim/scenarios/index.js';

const CLI = 'dist/src/cli/main.js';
const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

let before: ScenarioTruth;
let after: ScenarioTruth;
// eslint-style any: the diff JSON is checked key by key below.
let d: any;
let r: ReturnType<typeof run>;
beforeAll(() => {
  before = writeScenario('stacked-spinning', join(dir, 'stacked.dat'), { version: 7 });
  after = writeScenario('healthy-pinned', join(dir, 'healthy.dat'), { version: 6 });
  r = run('diff', join(dir, 'stacked.dat'), join(dir, 'healthy.dat'), '-o', join(dir, 'out'));
  d = JSON.parse(readFileSync(join(dir, 'out', 'diff-stacked-healthy.json'), 'utf8'));
});

describe('kvmtrace diff stacked-spinning healthy-pinned', () => {
  it('writes JSON, Markdown and HTML and a summary, exit 0', () => {
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('verdict went away: critical vcpu-stacking');
    for (const ext of ['json', 'md', 'html']) expect(r.stdout).toContain(`wrote ${join(dir, 'out', `diff-stacked-healthy.${ext}`)}`);
    expect(d.schema).toBe('kvmtrace-diff/1');
  });

  it('inputs: events, spans and exits', () => {
    expect([d.before.exits, d.after.exits]).toEqual([995, 168]);
    expect([d.before.exits, d.after.exits]).toEqual([before.exits.total, after.exits.total]);
    expect([d.before.durationNs, d.after.durationNs]).toEqual([30_306_930, 50_732_377]);
    expect(d.before.exitsPerSec).toBe((995 * 1e9) / 30_306_930);
    expect([d.before.vcpus, d.after.vcpus]).toEqual([4, 2]);
  });

  it('per-reason counts, rates and p50/p99 equal the truth of each scenario', () => {
    const truthOf = (t: ScenarioTruth, reason: string) => t.exits.byReason.find((x) => x.reason === reason);
    expect(d.exitReasons.map((x: { reason: string; before: { count: number }; after: { count: number }; countChange: number }) => [x.reason, x.before.count, x.after.count, x.countChange]))
      .toEqual([['PAUSE_INSTRUCTION', 964, 0, -964], ['EXTERNAL_INTERRUPT', 27, 105, 78], ['MSR_WRITE', 0, 53, 53], ['HLT', 4, 10, 6]]);
    for (const x of d.exitReasons) {
      const tb = truthOf(before, x.reason);
      const ta = truthOf(after, x.reason);
      expect([x.before.count, x.before.p50Ns, x.before.p99Ns], `${x.reason} before`).toEqual([tb?.count ?? 0, tb?.p50Ns ?? null, tb?.p99Ns ?? null]);
      expect([x.after.count, x.after.p50Ns, x.after.p99Ns], `${x.reason} after`).toEqual([ta?.count ?? 0, ta?.p50Ns ?? null, ta?.p99Ns ?? null]);
      expect(x.before.perSec).toBe((x.before.count * 1e9) / 30_306_930);
      expect(x.after.perSec).toBe((x.after.count * 1e9) / 50_732_377);
    }
    const ext = d.exitReasons.find((x: { reason: string }) => x.reason === 'EXTERNAL_INTERRUPT');
    expect(ext.rateRatio).toBe(((105 * 1e9) / 50_732_377) / ((27 * 1e9) / 30_306_930));
  });

  it('timers and migrations equal the truth', () => {
    const inj = (t: ScenarioTruth) => t.timers.injection;
    expect(d.timers.injection.before).toEqual(inj(before));
    expect(d.timers.injection.after).toEqual(inj(after));
    expect(d.timers.injection.after.count).toBe(10);
    const l = (t: ScenarioTruth) => ({ count: t.timers.lapicExpire.count, late: t.timers.lapicExpire.late, early: t.timers.lapicExpire.early });
    expect({ count: d.timers.lapicExpire.after.count, late: d.timers.lapicExpire.after.late, early: d.timers.lapicExpire.after.early }).toEqual(l(after));
    const mig = (t: ScenarioTruth) => t.scheduling.byVcpu.reduce((s, x) => s + x.migrations, 0);
    expect([d.migrations.before.total, d.migrations.after.total]).toEqual([mig(before), mig(after)]);
    expect([d.migrations.before.total, d.migrations.after.total, d.migrations.before.affineWakeups]).toEqual([4, 0, 4]);
  });

  it('verdicts: what went away, and the reverse diff says they appeared', () => {
    const ids = (l: Array<{ id: string; severity: string }>) => l.map((v) => `${v.id}:${v.severity}`).sort();
    expect(ids(d.verdicts.resolved)).toEqual(['pause-loop-spinning:warning', 'vcpu-stacking:critical', 'wake-affine-migrations:warning']);
    expect([d.verdicts.appeared, d.verdicts.changed, d.verdicts.unchanged]).toEqual([[], [], []]);
    for (const id of ['vcpu-stacking', 'pause-loop-spinning']) expect(before.expectedVerdicts).toContain(id);
    const back = run('diff', join(dir, 'healthy.dat'), join(dir, 'stacked.dat'), '-o', join(dir, 'back'), '--format', 'json', '-q', '--fail-on', 'critical');
    expect(back.status).toBe(1);
    expect(back.stdout).toBe('');
    const rd = JSON.parse(readFileSync(join(dir, 'back', 'diff-healthy-stacked.json'), 'utf8'));
    expect(ids(rd.verdicts.appeared)).toEqual(ids(d.verdicts.resolved));
  });

  it('Markdown and HTML carry the same figures, escaped', () => {
    const md = readFileSync(join(dir, 'out', 'diff-stacked-healthy.md'), 'utf8');
    expect(md).toContain('| PAUSE\\_INSTRUCTION | 964 | 31,808 | 1.5 µs | 1.96 ms | 0 | 0 | – | – | -964 | ×0.00 |');
    expect(md).toContain('| went away | vcpu-stacking | critical | – |');
    const html = readFileSync(join(dir, 'out', 'diff-stacked-healthy.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<td>EXTERNAL_INTERRUPT</td><td class="n">27</td>');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('-o change.md writes only that file', () => {
    const one = run('diff', join(dir, 'stacked.dat'), join(dir, 'healthy.dat'), '-o', join(dir, 'one', 'change.md'), '-q');
    expect([one.status, one.stderr]).toEqual([0, '']);
    expect(readdirSync(join(dir, 'one'))).toEqual(['change.md']);
    expect(readFileSync(join(dir, 'one', 'change.md'), 'utf8')).toContain('vcpu-stacking');
  });

  it('bad input names the file, exit 2', () => {
    const bad = run('diff', join(dir, 'stacked.dat'), join(dir, 'missing.dat'), '-o', join(dir, 'bad'));
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe(`kvmtrace: ${join(dir, 'missing.dat')}: no such file`);
  });
});
