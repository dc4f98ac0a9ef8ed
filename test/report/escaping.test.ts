// Every string a trace (or the user) puts into a report renders as text: thread names shaped like a
// script tag or an <img onerror>, Markdown pipes and backticks, quotes and ampersands, a VM named
// with tags, a file name with shell and HTML metacharacters — in the HTML tables, the SVG charts,
// the interactive variant's inlined specs, and the Markdown tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { escapeHtml } from '../../src/report/escape.js';
import { toHtml } from '../../src/report/html.js';
import { toMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/model.js';
import { shellQuote } from '../../src/report/text.js';
import { EVIL_FILE, EVIL_THREAD, EVIL_VCPU0, EVIL_VCPU1, EVIL_VM, VMM_PID, writeEvilTrace } from './evil-trace.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-escape-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let r: Report;
let html: string;
let live: string;
let md: string;

beforeAll(async () => {
  r = analyzeFile(writeEvilTrace(dir), { vms: [{ name: EVIL_VM, pid: VMM_PID }] });
  html = await toHtml(r);
  live = await toHtml(r, { interactive: true });
  md = toMarkdown(r);
});

describe('hostile strings', () => {
  it('reach the report model unchanged', () => {
    expect(r.vms.map((v) => [v.name, v.vcpus.map((c) => c.comm)])).toEqual([[EVIL_VM, [EVIL_VCPU0, EVIL_VCPU1]]]);
    expect(r.exits.longest[0].ranInstead).toEqual([EVIL_THREAD]);
    expect(r.input.file.endsWith(EVIL_FILE)).toBe(true);
  });

  it('render as text in the static HTML, tables and SVG charts alike', () => {
    for (const s of [EVIL_VCPU0, EVIL_VCPU1, EVIL_THREAD, EVIL_VM, EVIL_FILE]) {
      expect(html).toContain(escapeHtml(s));
    }
    expect(html).not.toMatch(/<script|<img|<i>x|<b>vm/i);
    // The VM name is a chart label: vega's SVG writer escapes it too.
    const svg = html.slice(html.indexOf('id="chart-vcpu-heatmap"'));
    expect(svg).toContain('&lt;b&gt;vm&lt;/b&gt;|`x`&amp;amp; vCPU 0');
    // The file name is quoted for the shell in the re-run command.
    expect(html).toContain(escapeHtml(`kvmtrace analyze '${join(dir, EVIL_FILE).replace(/'/g, `'\\''`)}'`));
  });

  it('stay inert in the interactive HTML: only our own script elements, specs with no raw "<"', () => {
    const scripts = live.match(/<script\b[^>]*>/g) ?? [];
    const specs = scripts.filter((s) => s.startsWith('<script type="application/json" id="vega-spec-'));
    expect(scripts.length).toBe(specs.length + 2); // the vega runtime and the bootstrap
    expect(specs.length).toBe((html.match(/<figure id="chart-/g) ?? []).length);
    expect(live).not.toMatch(/<img|<i>x|<b>vm/i);
    expect(live).toContain('\\u003cb\\u003evm\\u003c/b\\u003e|`x`\\u0026amp; vCPU 0');
    const start = live.indexOf('<script type="application/json"');
    const json = live.slice(start, live.lastIndexOf('<script>')); // the specs, up to the bootstrap
    expect(json.replace(/<\/?script[^>]*>/g, '').match(/.{0,60}[<>].{0,60}/g)).toBeNull();
  });

  it('cannot break the Markdown tables or inject markup', () => {
    // Outside code blocks (whose content GitHub shows verbatim) no tag from the trace survives.
    const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '');
    expect(prose).not.toMatch(/<script|<img|<i>|<b>/i);
    expect(md).toContain("```sh\nkvmtrace analyze '");
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).toContain('a&amp;b"c\'d&lt;e&gt;f\\|g\\`h\\`\\*x\\*');
    expect(md).toContain('&lt;b&gt;vm&lt;/b&gt;\\|\\`x\\`&amp;amp;');
    // Every table row has as many cells as its header (a raw pipe would add one).
    const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
    const lines = md.split('\n');
    let head = 0;
    for (const l of lines) {
      if (!l.startsWith('|')) head = 0;
      else if (head === 0) head = cells(l);
      else expect([l, cells(l)]).toEqual([l, head]);
    }
    expect(lines.filter((l) => l.startsWith('| vm') || l.startsWith('| &lt;b&gt;vm')).length).toBeGreaterThan(0);
  });

  it('quote file names for the shell on one line', () => {
    expect(shellQuote('trace.dat')).toBe('trace.dat');
    expect(shellQuote("a b'c")).toBe("'a b'\\''c'");
    expect(shellQuote('x\ny\\z\'')).toBe("$'x\\x0ay\\\\z\\''");
  });
});
