// The terminal summary: colour only on a terminal without NO_COLOR (FORCE_COLOR forces it), the
// verdicts, the top exit reasons, the worst window with its --window, and where the reports went.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import type { Report } from '../../src/report/model.js';
import { toTerminal, useColor } from '../../src/report/terminal.js';
import { writeScenario } from '../../src/sim/scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-term-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let r: Report;
beforeAll(() => {
  const p = join(dir, 'one.dat');
  writeScenario('one-long-exit', p, { version: 7 });
  r = analyzeFile(p);
});

const tty = { isTTY: true } as NodeJS.WriteStream;
const pipe = { isTTY: false } as NodeJS.WriteStream;

describe('terminal summary', () => {
  it('uses colour only where it should', () => {
    expect(useColor(tty, {})).toBe(true);
    expect(useColor(pipe, {})).toBe(false);
    expect(useColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });

  it('lists verdicts, top exit reasons, the worst window and the files written', () => {
    const plain = toTerminal(r, ['out/one.html', 'out/one.md'], false);
    const coloured = toTerminal(r, ['out/one.html'], true);
    expect(plain).not.toContain('\x1b[');
    expect(coloured).toContain('\x1b[33mWARNING ');
    expect(plain).toContain('WARNING  Individual VM exits stall a vCPU for long [long-exits]');
    expect(plain).toMatch(/^ {4}EXTERNAL_INTERRUPT +72 +49\.7%/m);
    const w = r.timeline.worstWindows[0];
    expect(w.kind).toBe('exit-time');
    expect(plain).toContain(`zoom in with --window ${w.window}`);
    expect(plain.trimEnd().split('\n').slice(-2)).toEqual(['  wrote out/one.html', '  wrote out/one.md']);
  });
});
