// The built CLI: --fail-on exit codes, --threshold and --config, and the summary with verdicts first
// (plain when piped).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScenario } from '../../src/sim/scenarios/index.js';

const CLI = 'dist/src/cli/main.js';
const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-verdicts-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const trace = (s: string) => join(dir, `${s}.dat`);
beforeAll(() => {
  for (const s of ['one-long-exit', 'healthy-pinned', 'stacked-spinning']) writeScenario(s, trace(s), { version: 7 });
});

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const analyze = (s: string, ...args: string[]) => run('analyze', trace(s), '-o', join(dir, 'out'), '--format', 'json', ...args);

describe('--fail-on', () => {
  it('exit 1 when a verdict at or above the severity fires, 0 otherwise', () => {
    expect(analyze('one-long-exit', '--fail-on', 'warning').status).toBe(1);
    expect(analyze('one-long-exit', '--fail-on', 'info').status).toBe(1);
    expect(analyze('one-long-exit', '--fail-on', 'critical').status).toBe(0);
    expect(analyze('stacked-spinning', '--fail-on', 'critical', '-q').status).toBe(1);
    expect(analyze('healthy-pinned', '--fail-on', 'info').status).toBe(0);
    expect(analyze('one-long-exit').status).toBe(0);
  });
  it('still writes the reports when it fails', () => {
    const r = analyze('one-long-exit', '--fail-on', 'warning', '--name', 'failing');
    expect(r.status).toBe(1);
    const j = JSON.parse(readFileSync(join(dir, 'out', 'failing.json'), 'utf8'));
    expect(j.verdicts[0]).toMatchObject({ id: 'long-exits', severity: 'warning' });
  });
  it('a bad severity is a usage error (status 2)', () => {
    const r = analyze('one-long-exit', '--fail-on', 'bad');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--fail-on/);
  });
});

describe('--threshold and --config', () => {
  it('override the outcome', () => {
    expect(analyze('one-long-exit', '--fail-on', 'warning', '--threshold', 'long-exits.warningNs=3000000').status).toBe(0);
    const f = join(dir, 'cfg.json');
    writeFileSync(f, JSON.stringify({ thresholds: { 'long-exits': { warningNs: 3e6 } } }));
    expect(analyze('one-long-exit', '--fail-on', 'warning', '--config', f).status).toBe(0);
    // --threshold is applied after the config file.
    expect(analyze('one-long-exit', '--fail-on', 'warning', '--config', f, '--threshold', 'long-exits.warningNs=1000000').status).toBe(1);
  });
  it('repeatable', () => {
    const r = analyze('stacked-spinning', '--fail-on', 'warning', '-q', '--threshold', 'vcpu-stacking.infoShare=1', '--threshold', 'vcpu-stacking.warningShare=1',
      '--threshold', 'vcpu-stacking.criticalShare=1', '--threshold', 'wake-affine-migrations.minAffineWakeups=100', '--threshold', 'pause-loop-spinning.minCount=100000',
      // With stacking silenced, the HLT exit that waited for a busy CPU is no longer explained by it.
      '--threshold', 'long-exits.warningNs=1000000000');
    expect(r.status).toBe(0);
  });
  it('bad values are one-line usage errors (status 2)', () => {
    const r = analyze('one-long-exit', '--threshold', 'long-exits.nope=1');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/has no threshold "nope"/);
    expect(analyze('one-long-exit', '--config', join(dir, 'none.json')).status).toBe(2);
  });
});

describe('summary', () => {
  it('lists the verdicts before the exit table, without colour when piped', () => {
    const r = analyze('stacked-spinning');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    const at = (s: string) => r.stdout.indexOf(s);
    expect(at('CRITICAL')).toBeGreaterThan(0);
    expect(at('CRITICAL')).toBeLessThan(at('VM exits:'));
    expect(at('[vcpu-stacking]')).toBeLessThan(at('[wake-affine-migrations]'));
    expect(at('[wake-affine-migrations]')).toBeLessThan(at('[pause-loop-spinning]'));
  });
});
