// The interactive mode's prompt flow with injected prompt functions (what it offers, what it
// returns, cancelling), and the progress line: drawn on a terminal only, at most every 100 ms,
// cleared at the end, never without a TTY or with --quiet.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWindow } from '../../src/analyze/window.js';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { promptChoice, traceFilesIn, type Prompts } from '../../src/cli/interactive.js';
import { progressFor, progressLine } from '../../src/cli/progress.js';
import { EventBatch } from '../../src/model/event-batch.js';
import type { TraceSource } from '../../src/model/trace-source.js';
import { writeScenario } from '../../src/sim/scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-prompt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  writeScenario('stacked-spinning', join(dir, 'spin.dat'), { version: 7 });
  copyFileSync('fixtures/tracedat/kvm-stress/trace.dat', join(dir, 'stress.dat'));
  copyFileSync('fixtures/text/excerpts/25-ept-violation-loop-linux-guest-all-events.txt', join(dir, 'excerpt.txt'));
  writeFileSync(join(dir, 'notes.txt'), 'hello world\n');
  writeFileSync(join(dir, 'empty.dat'), '');
  mkdirSync(join(dir, 'reports'));
});

const CANCEL = Symbol('cancel');

/** Prompts that answer from a script and record what they were asked. */
function scripted(answers: unknown[]) {
  const asked: Array<{ kind: string; message: string; options?: unknown[]; initial?: unknown }> = [];
  const log: string[] = [];
  const next = () => answers.shift();
  const p: Prompts & { validate?: (v: string | undefined) => string | Error | undefined } = {
    intro: () => {},
    cancel: (m) => log.push(`cancel: ${m}`),
    log: { info: (m) => log.push(`info: ${m}`) },
    select: async (o) => (asked.push({ kind: 'select', message: o.message, options: o.options.map((x) => x.value) }), next() as never),
    multiselect: async (o) => (asked.push({ kind: 'multiselect', message: o.message, options: o.options.map((x) => x.value), initial: o.initialValues }), next() as never),
    text: async (o) => {
      asked.push({ kind: 'text', message: o.message });
      p.validate = o.validate;
      return next() as never;
    },
    isCancel: (v): v is symbol => v === CANCEL,
  };
  return { p, asked, log };
}

describe('interactive mode', () => {
  it('offers only the files an importer recognises', () => {
    expect(traceFilesIn(dir).map((f) => f.name)).toEqual(['excerpt.txt', 'spin.dat', 'stress.dat']);
  });
  it('two VMs: asks which, the window and the formats; the answers drive analyze', async () => {
    const { p, asked } = scripted(['stress.dat', ['5128'], '+0.5s..+1s', ['json', 'md']]);
    const c = await promptChoice(p, dir);
    expect(asked.map((a) => a.kind)).toEqual(['select', 'multiselect', 'text', 'multiselect']);
    expect(asked[1]).toMatchObject({ options: ['5129', '5128'], initial: ['5129', '5128'] });
    expect(asked[3]).toMatchObject({ options: ['html', 'json', 'md'], initial: ['html', 'json', 'md'] });
    expect(p.validate?.('abc')).toMatch(/needs START..END, got "abc"/);
    expect(p.validate?.('abc..1')).toMatch(/cannot read "abc"/);
    expect([p.validate?.(''), p.validate?.('+1s..+2s')]).toEqual([undefined, undefined]);
    expect(c).toEqual({ file: join(dir, 'stress.dat'), vms: ['5128'], window: parseWindow('+0.5s..+1s'), formats: ['json', 'md'] });
    const r = analyzeFile(c!.file, { select: { vms: c!.vms, vcpus: [] }, window: c!.window });
    expect(r.vms.map((v) => v.name)).toEqual(['vm-5128']);
    expect(r.window?.spec).toBe('+0.5s..+1s');
  });
  it('one VM: says which instead of asking; every VM picked means no selection', async () => {
    const one = scripted(['spin.dat', '', ['html']]);
    expect(await promptChoice(one.p, dir)).toEqual({ file: join(dir, 'spin.dat'), vms: [], window: undefined, formats: ['html'] });
    expect(one.log).toEqual(['info: VM: vm-3000 (4 vCPU thread(s))']);
    const all = scripted(['stress.dat', ['5129', '5128'], '', ['md']]);
    expect((await promptChoice(all.p, dir))?.vms).toEqual([]);
  });
  it('cancelling at any prompt returns null', async () => {
    for (const answers of [[CANCEL], ['stress.dat', CANCEL], ['spin.dat', CANCEL], ['spin.dat', '', CANCEL]]) {
      const s = scripted(answers);
      expect(await promptChoice(s.p, dir)).toBeNull();
      expect(s.log.at(-1)).toBe('cancel: cancelled');
    }
  });
  it('an empty folder: says so, no prompt', async () => {
    const s = scripted([]);
    expect(await promptChoice(s.p, join(dir, 'reports'))).toBeNull();
    expect(s.asked).toEqual([]);
    expect(s.log[0]).toMatch(/^cancel: no trace file in /);
  });
});

describe('progress', () => {
  const source = (input: { size: number; bytesRead: number }) => ({ input }) as unknown as TraceSource;
  const batch = (n: number) => Object.assign(new EventBatch(16), { length: n });

  it('formats bytes, rate and time left', () => {
    expect(progressLine('t.dat: analysing', 256 << 20, 1 << 30, 5_000_000, 2000)).toBe(
      't.dat: analysing [######------------------]  25% 256.0 MiB/1.00 GiB 2.5M ev/s ETA 6s');
  });
  it('draws at most every 100 ms on a TTY and clears the line at the end', () => {
    const out: string[] = [];
    let now = 0;
    const input = { size: 1000, bytesRead: 100 };
    const hook = progressFor({ isTTY: true, columns: 200, write: (s) => out.push(s) }, false, 't.dat', () => now)!('analysing', source(input))!;
    for (let i = 1; i <= 10; i++) {
      now = i * 30; // a batch every 30 ms
      input.bytesRead = 100 + i * 50;
      hook.batch(batch(1000));
    }
    hook.done();
    // Drawn at 120 and 240 ms (not at 30..90, 150..210, 270, 300), then cleared.
    expect(out).toHaveLength(3);
    expect(out[0]).toBe(`\r${progressLine('t.dat: analysing', 200, 1000, 4000, 120)}\x1b[K`);
    expect(out[1]).toContain(' 40% ');
    expect(out[2]).toBe('\r\x1b[K');
  });
  it('silent when stderr is not a terminal, with --quiet, or without a byte count', () => {
    expect(progressFor({ isTTY: false, write: () => {} }, false, 'x')).toBeUndefined();
    expect(progressFor({ isTTY: true, write: () => {} }, true, 'x')).toBeUndefined();
    expect(progressFor({ isTTY: true, write: () => {} }, false, 'x')!('analysing', {} as TraceSource)).toBeUndefined();
  });
  it('a real input reports the bytes it reads', () => {
    const seen: number[] = [];
    analyzeFile('fixtures/tracedat/kvm-stress/trace.dat', {
      progress: (_pass, src) => ({ batch: () => seen.push(src.input!.bytesRead), done: () => seen.push(-src.input!.size) }),
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(-statSync('fixtures/tracedat/kvm-stress/trace.dat').size);
    expect(seen[seen.length - 2]).toBeGreaterThan(seen[0]);
  });
});
