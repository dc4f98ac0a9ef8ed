// Verdicts in the HTML, Markdown and terminal reports: first, escaped, with copyable remediation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/commands/analyze.js';
import type { Report } from '../../src/report/model.js';
import { toTerminal } from '../../src/report/terminal.js';
import { vhostOnVcpuCpu, writeBuilt } from './synthetic.js';

const EVIL = '<img src=x>|*`';
const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-verdicts-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let report: Report;
let html: string;
let md: string;

beforeAll(async () => {
  // A host task with a hostile name preempts a vCPU for 2 ms: long-exits names it.
  const p = join(dir, 'evil.dat');
  writeBuilt(p, vhostOnVcpuCpu({ intruderComm: EVIL }));
  ({ report } = await analyze(p, { outDir: dir, formats: ['html', 'md'], quiet: true }));
  html = readFileSync(join(dir, 'evil.html'), 'utf8');
  md = readFileSync(join(dir, 'evil.md'), 'utf8');
});

describe('rendered verdicts', () => {
  it('the trace fires long-exits naming the hostile thread', () => {
    expect(report.verdicts[0].id).toBe('long-exits');
    expect(report.verdicts[0].evidence.summary).toContain(EVIL);
  });

  it('HTML: verdicts first, escaped, remediation in <pre>, docs included', () => {
    expect(html.indexOf('id="verdicts"')).toBeGreaterThan(0);
    expect(html.indexOf('id="verdicts"')).toBeLessThan(html.indexOf('VMs and vCPU threads'));
    expect(html).toContain('id="verdict-long-exits"');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x&gt;');
    expect(html).toMatch(/<pre>isolcpus=managed_irq,domain,2-7 nohz_full=2-7/);
    expect(html).toContain('A VM exit stalls the vCPU');
    expect(html).toContain('class="badge sev-warning"');
    expect(html).not.toMatch(/<(script|iframe|object|embed|link)\b/i);
  });

  it('Markdown: verdicts first, escaped, remediation fenced', () => {
    expect(md.indexOf('### Verdicts')).toBeGreaterThan(0);
    expect(md.indexOf('### Verdicts')).toBeLessThan(md.indexOf('### VMs'));
    expect(md).toContain('#### 1. WARNING:');
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img src=x&gt;\\|\\*\\`');
    expect(md).toMatch(/\n {3}```\n {3}isolcpus=/);
  });

  it('terminal: coloured by severity on a TTY, plain otherwise, control characters dropped', () => {
    const plain = toTerminal(report, [], false);
    const colour = toTerminal(report, [], true);
    expect(plain).not.toContain('\x1b[');
    expect(plain).toMatch(/WARNING +Individual VM exits stall a vCPU for long \[long-exits\]/);
    expect(colour).toContain('\x1b[33mWARNING');
    const withEsc = { ...report, verdicts: report.verdicts.map((v) => ({ ...v, evidence: { ...v.evidence, summary: 'x\x1b[31my' } })) };
    expect(toTerminal(withEsc, [], false)).not.toContain('\x1b[31m');
  });
});
