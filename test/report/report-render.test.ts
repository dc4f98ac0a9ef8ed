// The report renderers: every string from the trace is escaped (a thread named like a script tag
// renders as text), the HTML is self-contained, and the JSON carries the kvmtrace/1 contract.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/commands/analyze.js';
import type { Report } from '../../src/report/model.js';
import { loadFormatSet } from '../../src/sim/format-set.js';
import { TraceDatWriter } from '../../src/sim/tracedat-writer.js';

const EVIL = '<script>alert(1)</script>|*x*';
const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let report: Report;
let html: string;
let md: string;

beforeAll(async () => {
  const fs = loadFormatSet('fixtures/formats/linux-6.18', { systems: ['kvm', 'sched'] });
  const path = join(dir, 'evil.dat');
  const w = new TraceDatWriter(fs, { version: 7, cpus: 2, cmdlines: [[666, EVIL]] });
  for (let i = 0; i < 10; i++) {
    w.add({ cpu: i % 2, ts: 5_000_000_000n + BigInt(i) * 1000n, event: 'kvm_exit', pid: 666, values: { isa: 1, exit_reason: i < 7 ? 12 : 48, vcpu_id: 0 } });
  }
  w.finishSync(path);
  ({ report } = await analyze(path, { outDir: dir, formats: ['html', 'json', 'md'], quiet: true }));
  html = readFileSync(join(dir, 'evil.html'), 'utf8');
  md = readFileSync(join(dir, 'evil.md'), 'utf8');
});

describe('reports', () => {
  it('JSON starts the kvmtrace/1 contract', () => {
    const j = JSON.parse(readFileSync(join(dir, 'evil.json'), 'utf8'));
    expect(j.schema).toBe('kvmtrace/1');
    expect(j.input).toMatchObject({ format: 'trace.dat', version: '7', compression: 'none', cpus: 2, events: 10, lostEvents: 0, firstNs: 5_000_000_000, lastNs: 5_000_009_000 });
    // kvm_exit only, no kvm_entry: every exit is counted, none has a duration.
    expect(j.exits.byReason).toEqual([
      { reason: 'HLT', code: 12, isa: 'vmx', count: 7, totalNs: 0, p50Ns: null, p90Ns: null, p99Ns: null, p999Ns: null, maxNs: null, exact: true },
      { reason: 'EPT_VIOLATION', code: 48, isa: 'vmx', count: 3, totalNs: 0, p50Ns: null, p90Ns: null, p99Ns: null, p999Ns: null, maxNs: null, exact: true },
    ]);
    expect(j.exits.unpaired).toBe(10);
    expect(j.vms).toMatchObject([{ vcpus: [{ vcpu: 0, tid: 666, comm: EVIL }] }]);
    expect(report.exits.byVcpu[0].comm).toBe(EVIL);
  });

  it('HTML shows the hostile comm as text and runs nothing', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<(script|iframe|object|embed|link)\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?https?:/i);
    expect(html).toMatch(/<figure id="chart-exit-reasons"[^>]*>[\s\S]*<svg/);
    expect(html).toContain("default-src 'none'");
  });

  it('Markdown escapes table-breaking and markup characters', () => {
    expect(md).not.toContain('<script>');
    expect(md).toContain('## kvmtrace report:');
    expect(md).toMatch(/\| HLT \| vmx \| 7 \| 70\.0% \|/);
    expect(md).toContain('| 0 | &lt;script&gt;alert(1)&lt;/script&gt;\\|\\*x\\* | 666 | 10 |');
  });
});
