// Fuzzed trace strings in the HTML and Markdown reports: every comm, VM name, exit reason, symbol,
// event name, clock, buffer, host, file name and diagnostic message of a real report model is
// replaced by seeded random strings — random bytes read as Latin-1 and as UTF-8 (invalid sequences
// become U+FFFD), lone surrogates, control characters, quotes, Markdown metacharacters and markup
// with an attribute breakout — and the renderings must keep every one of them as text: no tag or
// attribute from the data, Markdown tables with their header's cell count, no injected lines.
// (The hand-written hostile strings are in escaping.test.ts; this adds the fuzzed ones, issue 7.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { toHtml } from '../../src/report/html.js';
import { toMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/model.js';
import { rng } from '../../src/sim/rng.js';
import { VMM_PID, writeEvilTrace } from './evil-trace.js';

/** Keys whose string values come from the trace (or the file system). */
const UNTRUSTED = new Set(['comm', 'name', 'ranInstead', 'file', 'host', 'reason', 'event', 'clock', 'buffer', 'buffers', 'message', 'examples', 'symbol', 'sym', 'func', 'function', 'caller', 'holder']);
const MARKUP = ['<kvmfz>', '</kvmfz>', '<kvmfz src=x onerror=kvmfz()>', '" onmouseover="kvmfz', "' onfocus='kvmfz", '<!--', ']]>', '<script>kvmfz()</script>'];
const META = ['|', '`', '*', '_', '[', ']', '(', ')', '#', '\\', '&amp;', '&#x3c;', '~', '>', '<', '\n', '\r\n', '\t', '\u2028', '\u0000', '\u001b[31m', '\u007f', '\u0085'];

function fuzzString(r: () => number): string {
  const int = (n: number) => Math.floor(r() * n);
  let s = '';
  for (let k = 1 + int(5); k > 0; k--) {
    const pick = int(6);
    const bytes = Uint8Array.from({ length: 1 + int(12) }, () => int(256));
    if (pick === 0) s += MARKUP[int(MARKUP.length)];
    else if (pick === 1) s += META[int(META.length)];
    else if (pick === 2) s += Buffer.from(bytes).toString('latin1');
    else if (pick === 3) s += new TextDecoder().decode(bytes); // invalid UTF-8 → U+FFFD
    else if (pick === 4) s += String.fromCharCode(0xd800 + int(0x800)); // a lone surrogate
    else s += 'qemu-vcpu';
  }
  return s + MARKUP[int(MARKUP.length)]; // every fuzzed string carries markup
}

/** A copy of the report with every untrusted string replaced (the same replacement for the same original). */
function fuzzReport(r: Report, seed: number): { report: Report; strings: string[] } {
  const rand = rng(seed);
  const memo = new Map<string, string>();
  const swap = (s: string) => {
    if (!memo.has(s)) memo.set(s, fuzzString(rand));
    return memo.get(s)!;
  };
  const walk = (v: unknown, untrusted: boolean): unknown => {
    if (typeof v === 'string') return untrusted && v !== '' ? swap(v) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, untrusted));
    if (v && typeof v === 'object' && !(v instanceof Map)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, UNTRUSTED.has(k))]));
    }
    return v;
  };
  return { report: walk(r, false) as Report, strings: [...memo.values()] };
}

const prose = (md: string) => md.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '');
const tableProblems = (md: string): string[] => {
  const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
  const bad: string[] = [];
  let head = 0;
  for (const l of md.split('\n')) {
    if (!l.startsWith('|')) head = 0;
    else if (head === 0) head = cells(l);
    else if (cells(l) !== head) bad.push(l);
  }
  return bad;
};

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-escape-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let base: Report;
beforeAll(() => {
  base = analyzeFile(writeEvilTrace(dir), { vms: [{ name: 'vm', pid: VMM_PID }] });
});

/** 12 seeds in CI; `npm run fuzz` runs 200 from FUZZ_SEED on. */
const VARIANTS = process.env.FUZZ_CASES ? 200 : 12;
const FIRST = Number(process.env.FUZZ_SEED ?? 1);

describe('fuzzed trace strings in the reports', () => {
  it('the fuzzer reaches the strings the reports show', () => {
    const { report, strings } = fuzzReport(base, 1);
    expect(strings.length).toBeGreaterThan(10);
    expect(report.vms[0].vcpus[0].comm).not.toBe(base.vms[0].vcpus[0].comm);
    expect(report.exits.byReason[0].reason).not.toBe(base.exits.byReason[0].reason);
  });

  for (let seed = FIRST; seed < FIRST + VARIANTS; seed++) {
    it(`seed ${seed}: HTML and Markdown keep every fuzzed string as text`, async () => {
      const { report } = fuzzReport(base, seed);
      const html = await toHtml(report);
      // No tag from the data, and no tag whose attributes a quote from the data broke open.
      expect(html).not.toMatch(/<\/?kvmfz|<script/i);
      const attrs = (html.match(/<[a-zA-Z][^>]*>/g) ?? []).map((tag) => tag.replace(/"[^"]*"|'[^']*'/g, '""'));
      expect(attrs.filter((tag) => /\son(mouseover|focus|error)\s*=|kvmfz/i.test(tag))).toEqual([]);
      expect(html).toMatch(/&lt;(\/)?kvmfz|&quot; onmouseover=&quot;kvmfz|&#39; onfocus=&#39;kvmfz|&lt;script&gt;/);
      const md = toMarkdown(report);
      expect(prose(md)).not.toMatch(/<\/?kvmfz|<script/i);
      expect(tableProblems(md)).toEqual([]);
      // No line breaks from the data: as many lines as the report with the original strings.
      expect(md.split('\n').length).toBe(toMarkdown(base).split('\n').length);
    });
  }
});
