// `kvmtrace analyze` through the built CLI: every kind of fixture (trace.dat, perf.data, a text
// excerpt) in one run gives one HTML, Markdown and JSON report each; inputs that share a file name
// get distinct report names; exit status 0/1/2 (--fail-on, bad input among good ones, unknown
// options, no command without a terminal); --help with examples for every command; nothing on
// stderr when it is not a terminal (no progress bar); the window in the JSON.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScenario } from '../../src/sim/scenarios/index.js';

const CLI = 'dist/src/cli/main.js';
const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, input, maxBuffer: 256 << 20 });
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

const FIXTURES = [
  ['fixtures/tracedat/kvm-pinned/trace.dat', 'trace', 'trace.dat'],
  ['fixtures/tracedat/kvm-pinned/perf.data', 'perf', 'perf.data'],
  ['fixtures/text/excerpts/25-ept-violation-loop-linux-guest-all-events.txt', '25-ept-violation-loop-linux-guest-all-events', 'trace-cmd report'],
] as const;

describe('analyze on each kind of fixture, in one run', () => {
  let r: ReturnType<typeof run>;
  beforeAll(() => {
    r = run(['analyze', ...FIXTURES.map((f) => f[0]), '-o', join(dir, 'fx')]);
  });
  it('exits 0 with a summary per input on stdout and nothing on stderr', () => {
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    for (const [file] of FIXTURES) expect(r.stdout).toContain(`kvmtrace: ${file}`);
  });
  for (const [file, name, format] of FIXTURES) {
    it(`${name}: HTML, Markdown and JSON with every event of the input`, () => {
      const base = join(dir, 'fx', name);
      const report = json(`${base}.json`);
      expect(report.input.format).toBe(format);
      // Independent count: `kvmtrace dump` prints one line per event.
      const dumped = run(['dump', file]).stdout.split('\n').filter(Boolean).length;
      expect(report.input.events).toBe(dumped);
      expect(report.window).toBeNull();
      const md = readFileSync(`${base}.md`, 'utf8');
      expect(md).toContain(file.split('/').pop()!.replace(/_/g, '\\_'));
      const html = readFileSync(`${base}.html`, 'utf8');
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain('</html>');
    });
  }
  it('the text excerpt: its 3 kvm_exit lines', () => {
    expect(json(join(dir, 'fx', `${FIXTURES[2][1]}.json`)).exits.total).toBe(3);
  });
});

describe('several inputs, exit status', () => {
  beforeAll(() => {
    for (const d of ['a', 'b']) mkdirSync(join(dir, d), { recursive: true });
    writeScenario('stacked-spinning', join(dir, 'a', 'trace.dat'), { version: 7 });
    writeScenario('healthy-pinned', join(dir, 'b', 'trace.dat'), { version: 7 });
    copyFileSync(join(dir, 'a', 'trace.dat'), join(dir, 'stacked.dat'));
  });
  it('inputs with the same file name get distinct report names', () => {
    const r = run(['analyze', join(dir, 'a', 'trace.dat'), join(dir, 'b', 'trace.dat'), '-o', join(dir, 'same'), '--format', 'json', '-q']);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(json(join(dir, 'same', 'a-trace.json')).exits.total).toBe(995);
    expect(json(join(dir, 'same', 'b-trace.json')).exits.total).toBe(168);
  });
  it('--fail-on: 1 when a verdict at or above fires, 0 when none does', () => {
    expect(run(['analyze', join(dir, 'stacked.dat'), '-o', join(dir, 'f'), '-q', '--fail-on', 'critical']).status).toBe(1);
    expect(run(['analyze', join(dir, 'b', 'trace.dat'), '-o', join(dir, 'f'), '-q', '--fail-on', 'info']).status).toBe(0);
  });
  it('a bad input among good ones: one line naming it, the others written, exit 2', () => {
    const r = run(['analyze', join(dir, 'nope.dat'), join(dir, 'stacked.dat'), '-o', join(dir, 'mixed'), '--format', 'md', '-q']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`kvmtrace: ${join(dir, 'nope.dat')}: no such file\n`);
    expect(existsSync(join(dir, 'mixed', 'stacked.md'))).toBe(true);
  });
  it('usage errors exit 2: unknown option, bad values, --name with several inputs', () => {
    const cases = [
      [['analyze', 'x.dat', '--bogus'], /unknown option '--bogus'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['analyze'], /missing required argument 'files'/],
      [['analyze', 'x.dat', '--format', 'pdf'], /unknown report format "pdf"/],
      [['analyze', 'x.dat', '--window', '+2s..+1s'], /ends before it starts/],
      [['analyze', 'x.dat', '--vcpu', 'a:b'], /--vcpu needs N or VM:N/],
      [['analyze', 'x.dat', 'y.dat', '--name', 'n'], /--name names one report/],
      [['analyze', join(dir, 'stacked.dat'), '--vm', '4242', '-o', join(dir, 'u')], /--vm 4242: no such VM in the trace \(VMs found: vm-3000/],
    ] as const;
    for (const [args, msg] of cases) {
      const r = run([...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    }
  });
  it('no arguments and no terminal: a usage error at once, not a wait for input', () => {
    const r = run([], '');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no command given and no terminal/);
    expect(r.stdout).toBe('');
  });
  it('--interactive inlines the vega runtime and the specs; without it the page has no script', () => {
    expect(run(['analyze', join(dir, 'stacked.dat'), '-o', join(dir, 'i'), '--format', 'html', '-q', '--interactive']).status).toBe(0);
    const live = readFileSync(join(dir, 'i', 'stacked.html'), 'utf8');
    expect(live).toContain("script-src 'unsafe-inline' 'unsafe-eval'");
    expect(live).toMatch(/<script type="application\/json" id="vega-spec-/);
    expect(run(['analyze', join(dir, 'stacked.dat'), '-o', join(dir, 'i'), '--format', 'html', '-q']).status).toBe(0);
    const still = readFileSync(join(dir, 'i', 'stacked.html'), 'utf8');
    expect(still).not.toContain('<script');
    expect(live.length - still.length).toBeGreaterThan(300_000);
  });
  it('-o FILE.md (or .html, .json) writes that one file in the format its extension names', () => {
    const r = run(['analyze', join(dir, 'stacked.dat'), '-o', join(dir, 'one', 'ticket.md'), '-q']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(readdirSync(join(dir, 'one'))).toEqual(['ticket.md']);
    expect(readFileSync(join(dir, 'one', 'ticket.md'), 'utf8')).toMatch(/^## kvmtrace report: /);
    const two = run(['analyze', join(dir, 'stacked.dat'), join(dir, 'b', 'trace.dat'), '-o', join(dir, 'one', 'x.json')]);
    expect([two.status, two.stderr]).toEqual([2, `kvmtrace: -o ${join(dir, 'one', 'x.json')} names one report file; with several inputs give a directory\n`]);
  });
  it('--window: the JSON says which, and only its events are counted', () => {
    const r = run(['analyze', join(dir, 'stacked.dat'), '-o', join(dir, 'w'), '--format', 'json', '-q', '--window', '+5ms..+12ms']);
    expect(r.status).toBe(0);
    const rep = json(join(dir, 'w', 'stacked.json'));
    expect(rep.window).toEqual({ spec: '+5ms..+12ms', startNs: 5000005000000, endNs: 5000012000000 });
    expect([rep.exits.total, rep.exits.unpaired, rep.spin.pauseExits]).toEqual([247, 3, 242]);
  });
});

describe('--help', () => {
  for (const cmd of ['analyze', 'diff', 'info', 'dump', 'events', 'simulate']) {
    it(`${cmd} --help shows examples, exit 0`, () => {
      const r = run([cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/\nExamples?:\n {2}kvmtrace /);
    });
  }
  it('the top-level help lists the exit status, and analyze --help the filters', () => {
    expect(run(['--help']).stdout).toContain('Exit status: 0 ok, 1 a verdict at or above --fail-on, 2 bad input or usage.');
    const a = run(['analyze', '--help']).stdout;
    for (const s of ['--vm NAME|PID', '--vcpu N|VM:N', '--window A..B', '+1.2s..+1.5s']) expect(a).toContain(s);
  });
});

describe('the reader thread started ahead of the read (main.ts prestartReader)', () => {
  it('reads a trace.dat and then a perf.data exactly as without threads (the second input starts its own)', () => {
    const inputs = ['fixtures/tracedat/kvm-stress/trace.dat', 'fixtures/tracedat/kvm-pinned/perf.data'];
    const env = (workers: string) => ({ ...process.env, KVMTRACE_WORKERS: workers });
    const threaded = spawnSync(process.execPath, [CLI, 'analyze', ...inputs, '-o', join(dir, 'pre-on'), '--format', 'json', '-q'], { encoding: 'utf8', timeout: 120_000, env: env('1') });
    const single = spawnSync(process.execPath, [CLI, 'analyze', ...inputs, '-o', join(dir, 'pre-off'), '--format', 'json', '-q'], { encoding: 'utf8', timeout: 120_000, env: env('0') });
    expect([threaded.status, threaded.stderr]).toEqual([0, '']);
    expect([single.status, single.stderr]).toEqual([0, '']);
    const strip = (p: string) => ({ ...json(p), generator: null });
    for (const name of ['trace', 'perf']) {
      const a = strip(join(dir, 'pre-on', `${name}.json`));
      expect(a.input.events).toBeGreaterThan(1000);
      expect(a).toEqual(strip(join(dir, 'pre-off', `${name}.json`)));
    }
  });
});
