// --window and --vm/--vcpu: a windowed analysis equals the scenario truth computed independently
// (truth.ts) from only the events inside the window — "as if the recording had begun at START" —
// for absolute and relative bounds alike; a vCPU selection equals the unfiltered report's rows of
// those vCPUs; bad values are usage errors.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSelection } from '../../src/analyze/select.js';
import type { VmInfo } from '../../src/analyze/threads.js';
import { formatSeconds, parseWindow } from '../../src/analyze/window.js';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { UsageError } from '../../src/diag/errors.js';
import { toJson } from '../../src/report/json.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { toTerminal } from '../../src/report/terminal.js';
import { buildScenario, computeTruth, writeScenario } from '../../src/sim/scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const paths: Record<string, string> = {};
beforeAll(() => {
  for (const s of ['one-long-exit', 'stacked-spinning', 'ept-violations']) writeScenario(s, (paths[s] = join(dir, `${s}.dat`)), { version: 7 });
});

describe('parseWindow', () => {
  it('reads absolute seconds exactly, relative times with units, open sides', () => {
    expect(parseWindow('1890.163890242..1891.5')).toEqual({ text: '1890.163890242..1891.5', start: { relative: false, ns: 1890163890242n }, end: { relative: false, ns: 1891500000000n } });
    expect(parseWindow('+1.2s..+1.5s')).toMatchObject({ start: { relative: true, ns: 1200000000n }, end: { relative: true, ns: 1500000000n } });
    expect(parseWindow('+300ms..+450000us')).toMatchObject({ start: { ns: 300000000n }, end: { ns: 450000000n } });
    expect(parseWindow('+2..')).toMatchObject({ start: { relative: true, ns: 2000000000n }, end: null });
    expect(parseWindow('..5559771.610942')).toMatchObject({ start: null, end: { relative: false, ns: 5559771610942000n } });
    expect(formatSeconds(5559771610942000n)).toBe('5559771.610942000');
  });
  it('rejects what it cannot read', () => {
    for (const bad of ['1..2..3', '..', 'abc..1', '2..1', '+5ms..+1ms', '10ms..20ms', '-1..2']) expect(() => parseWindow(bad), bad).toThrow(UsageError);
  });
});

/**
 * Truth of the scenario's kvm events inside [startNs, endNs]. The truth needs every vCPU thread's
 * fork and scheduler history to group and place them, so it also gets the scheduler events from
 * before the window; the figures compared below (exit pairing and durations, spin counts) do not
 * depend on that history.
 */
function windowTruth(name: string, startNs: number, endNs: number) {
  const b = buildScenario(name);
  const inside = b.events.filter((e) => e.ts >= startNs && e.ts <= endNs);
  const history = b.events.filter((e) => e.ts < startNs && e.event.startsWith('sched_'));
  return { truth: computeTruth([...history, ...inside], { kallsyms: b.writerOptions.kallsyms ?? '', cmdlines: b.writerOptions.cmdlines }), count: inside.length };
}

type R = ReturnType<typeof analyzeFile>;
type T = ReturnType<typeof computeTruth>;
const reasons = (rows: Array<{ reason: string; count: number; totalNs: number; p50Ns: number | null; p90Ns: number | null; p99Ns: number | null; maxNs: number | null }>) =>
  rows.map(({ reason, count, totalNs, p50Ns, p90Ns, p99Ns, maxNs }) => ({ reason, count, totalNs, p50Ns, p90Ns, p99Ns, maxNs })).sort((x, y) => x.reason.localeCompare(y.reason));
const ours = (r: R) => ({
  total: r.exits.total, unpaired: r.exits.unpaired, byReason: reasons(r.exits.byReason),
  byVcpu: r.exits.byVcpu.map((x) => [x.vcpu, x.count, x.totalNs]), spin: [r.spin.onSpinEvents, r.spin.pauseExits],
});
const theirs = (t: T) => ({
  total: t.exits.total, unpaired: t.exits.withoutDuration, byReason: reasons(t.exits.byReason),
  byVcpu: t.exits.byVcpu.map((x) => [x.vcpu, x.count, x.totalNs]), spin: [t.spin.onSpinEvents, t.spin.pauseExits],
});

describe('--window equals the truth of the events inside it', () => {
  for (const [name, fromMs, toMs] of [['one-long-exit', 20, 45], ['stacked-spinning', 5, 12], ['ept-violations', 3, 9]] as const) {
    it(`${name} ${fromMs}..${toMs} ms`, () => {
      const first = buildScenario(name).events[0].ts;
      const { truth, count } = windowTruth(name, first + fromMs * 1e6, first + toMs * 1e6);
      const rel = analyzeFile(paths[name], { window: parseWindow(`+${fromMs}ms..+${toMs}ms`) });
      const abs = analyzeFile(paths[name], { window: parseWindow(`${formatSeconds(BigInt(first + fromMs * 1e6))}..${formatSeconds(BigInt(first + toMs * 1e6))}`) });
      expect(rel.input.events).toBe(count);
      expect(rel.window).toEqual({ spec: `+${fromMs}ms..+${toMs}ms`, startNs: BigInt(first + fromMs * 1e6), endNs: BigInt(first + toMs * 1e6) });
      // Exits and spinning are measured exactly as on a recording of the window alone.
      expect(ours(rel)).toEqual(theirs(truth));
      expect(rel.exits.total).toBeGreaterThan(0);
      expect(rel.exits.total).toBeLessThan(analyzeFile(paths[name]).exits.total);
      expect({ ...abs, window: null }).toEqual({ ...rel, window: null });
    });
  }
  it('one-long-exit: exact figures of a window around the 2.58 ms exit', () => {
    const r = analyzeFile(paths['one-long-exit'], { window: parseWindow('+20ms..+45ms') });
    const io = r.exits.byReason.find((x) => x.reason === 'IO_INSTRUCTION');
    expect(io?.maxNs).toBe(2_580_000);
    expect(r.exits.longest[0].durationNs).toBe(2_580_000);
  });
  it('a window past the end leaves no event; a non-ns clock is a usage error', () => {
    const r = analyzeFile(paths['one-long-exit'], { window: parseWindow('+100s..') });
    expect([r.input.events, r.exits.total]).toEqual([0, 0]);
    const first = buildScenario('one-long-exit').events[0].ts;
    const last = buildScenario('one-long-exit').events.at(-1)!.ts;
    expect(r.dataQuality.diagnostics.find((d) => d.code === 'window-empty')?.message)
      .toBe(`no event inside --window +100s..: the events read span ${formatSeconds(BigInt(first))} .. ${formatSeconds(BigInt(last))} s`);
    expect(() => analyzeFile('fixtures/tracedat/tsc-clock/trace.dat', { window: parseWindow('+1ms..+2ms') })).toThrow(/nanosecond/);
  });
});

describe('--vm / --vcpu', () => {
  it('a vCPU selection reports exactly those vCPUs rows of the unfiltered report', () => {
    const all = analyzeFile(paths['stacked-spinning']);
    const sel = analyzeFile(paths['stacked-spinning'], { select: { vms: [], vcpus: ['1', 'vm-3000:3'] } });
    expect(sel.selection).toEqual({ vm: [], vcpu: ['1', 'vm-3000:3'] });
    expect(sel.vms.map((v) => [v.id, v.name, v.vcpus.map((c) => c.vcpu)])).toEqual([[0, 'vm-3000', [1, 3]]]);
    const rows = (r: typeof all) => r.exits.byVcpu.map((x) => [x.vcpu, x.count, x.totalNs]);
    expect(rows(sel)).toEqual(rows(all).filter(([v]) => v === 1 || v === 3));
    expect(rows(sel)).toEqual([[1, 243, rows(all)[1][2]], [3, 236, rows(all)[3][2]]]);
    expect(sel.exits.total).toBe(243 + 236);
    expect(sel.spin.pauseExits).toBe(all.spin.byVcpu[1].pauseExits + all.spin.byVcpu[3].pauseExits);
    expect(sel.spin.byVcpu.map((x) => x.vcpu)).toEqual([1, 3]);
  });
  it('selecting the whole VM by pid or name changes nothing but the selection key', () => {
    const all = analyzeFile(paths['stacked-spinning']);
    for (const s of ['3000', 'vm-3000']) {
      const sel = analyzeFile(paths['stacked-spinning'], { select: { vms: [s], vcpus: [] } });
      expect({ ...sel, selection: null, dataQuality: null }).toEqual({ ...all, dataQuality: null });
    }
  });
  it('unknown VMs and vCPUs are usage errors naming the VMs found', () => {
    expect(() => analyzeFile(paths['stacked-spinning'], { select: { vms: ['nope'], vcpus: [] } })).toThrow(/--vm nope: no such VM.*vm-3000 \(pid 3000\): vCPUs 0,1,2,3/);
    expect(() => analyzeFile(paths['stacked-spinning'], { select: { vms: [], vcpus: ['7'] } })).toThrow(/matches no vCPU/);
  });
  it('the re-run commands keep the VM names and the selection; the terminal says what was narrowed', () => {
    const r = analyzeFile(paths['stacked-spinning'], { vms: [{ name: "web's", pid: 3000 }], window: parseWindow('+5ms..'), select: { vms: ["web's"], vcpus: ['1'] } });
    const args = ` --vm 'web'\\''s=3000' --vm 'web'\\''s' --vcpu 1`;
    expect(toMarkdown(r)).toContain(`kvmtrace analyze ${paths['stacked-spinning']} --window +5ms..${args}`);
    const worst = r.timeline.worstWindows[0].window;
    const term = toTerminal(r, [], false);
    expect(term).toContain(`  narrowed to --window +5ms.. --vm 'web'\\''s' --vcpu 1\n`);
    expect(term).toContain(`zoom in with --window ${worst}${args}\n`);
  });
  it('resolveSelection: bare vCPU numbers apply to every selected VM, VM:N to one', () => {
    const vm = (id: number, pid: number, n: number): VmInfo => ({ id, name: `vm-${pid}`, pid, grouping: 'tgid', threads: [], vcpus: Array.from({ length: n }, (_, k) => ({ vcpu: k, tid: pid + 10 + k, comm: `CPU ${k}/KVM` })) });
    const all = [vm(0, 100, 2), vm(1, 200, 3)];
    const r = resolveSelection(all, { vms: ['100'], vcpus: ['vm-200:2'] });
    expect(r.vms.map((v) => [v.id, v.vcpus.map((c) => c.tid)])).toEqual([[0, [110, 111]], [1, [212]]]);
    // Renumbered from 0: report `vm` fields index vms[].
    expect(resolveSelection(all, { vms: ['vm-200'], vcpus: [] }).vms.map((v) => [v.id, v.pid])).toEqual([[0, 200]]);
    expect([...r.drop].sort()).toEqual([210, 211]);
    const b = resolveSelection(all, { vms: [], vcpus: ['1'] });
    expect(b.vms.map((v) => [v.id, v.vcpus.map((c) => c.tid)])).toEqual([[0, [111]], [1, [211]]]);
    expect([...b.drop].sort()).toEqual([110, 210, 212]);
  });
});

it('a windowed, selected report validates against the kvmtrace/1 schema', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync('docs/kvmtrace-1.schema.json', 'utf8')));
  const json = JSON.parse(toJson(analyzeFile(paths['stacked-spinning'], { window: parseWindow('+5ms..'), select: { vms: ['3000'], vcpus: ['2'] } })));
  expect(json.window).toEqual({ spec: '+5ms..', startNs: 5000005000000, endNs: null });
  expect(json.selection).toEqual({ vm: ['3000'], vcpu: ['2'] });
  expect(validate(json) ? [] : validate.errors).toEqual([]);
  expect(validate({ ...json, window: { spec: 1 } })).toBe(false);
});
