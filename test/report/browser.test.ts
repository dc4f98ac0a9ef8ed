// The HTML report in a real browser: Debian's headless Chromium driven by playwright-core opens the
// report of a simulator scenario with verdicts from a file:// URL — static and --interactive — and
// every chart has rendered marks, the console has no error, and no request leaves the page (all
// requests are routed; anything but file: fails the test). The hostile-strings trace renders its
// names as text and fires no dialog. Screenshots go to test-output/ (ignored by git).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { reportCharts } from '../../src/report/charts.js';
import { toHtml } from '../../src/report/html.js';
import type { Report } from '../../src/report/model.js';
import { writeScenario } from '../../src/sim/scenarios/index.js';
import { EVIL_THREAD, EVIL_VCPU0, EVIL_VCPU1, EVIL_VM, VMM_PID, writeEvilTrace } from './evil-trace.js';

const OUT = resolve('test-output');
let browser: Browser;
let report: Report;
const pages: Record<string, string> = {};

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, '.gitignore'), '*\n');
  const dat = join('test-output', 'stacked-spinning.dat');
  writeScenario('stacked-spinning', dat, { version: 7 });
  report = analyzeFile(dat);
  const evil = analyzeFile(writeEvilTrace(OUT), { vms: [{ name: EVIL_VM, pid: VMM_PID }] });
  for (const [name, r, interactive] of [['report', report, false], ['report-interactive', report, true], ['evil', evil, false], ['evil-interactive', evil, true]] as const) {
    pages[name] = join(OUT, `${name}.html`);
    writeFileSync(pages[name], await toHtml(r, { interactive }));
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 120_000);
afterAll(async () => browser?.close());

interface Visit {
  errors: string[]; requests: string[]; blocked: string[]; dialogs: string[]; text: string;
  charts: Array<{ id: string; marks: number; width: number; height: number }>;
  interaction?: { tooltip: string; axisBefore: string; axisAfter: string };
}

async function visit(name: string, screenshot?: string): Promise<Visit> {
  const v: Visit = { errors: [], requests: [], blocked: [], dialogs: [], charts: [], text: '' };
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') v.errors.push(m.text()); });
  page.on('pageerror', (e) => v.errors.push(String(e)));
  page.on('dialog', (d) => { v.dialogs.push(d.message()); void d.dismiss(); });
  page.on('request', (r) => v.requests.push(r.url()));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    v.blocked.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(pages[name]).href, { waitUntil: 'load' });
  if (name.endsWith('interactive')) {
    await page.waitForFunction(() => [...document.querySelectorAll('figure[data-chart]')].every((f) => f.getAttribute('data-live') === '1'), null, { timeout: 30_000 });
  }
  v.charts = await page.evaluate(() => [...document.querySelectorAll('figure.figure')].map((f) => {
    const svg = f.querySelector('.chart svg');
    const box = svg?.getBoundingClientRect();
    const marks = svg ? svg.querySelectorAll('g.role-mark > path:not(.background):not(.foreground), g.role-mark > line, g.role-mark > text').length : 0;
    return { id: f.id, marks, width: box?.width ?? 0, height: box?.height ?? 0 };
  }));
  v.text = await page.evaluate(() => document.body.innerText);
  if (name === 'report-interactive') v.interaction = await interact(page);
  if (screenshot) {
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`screenshot: ${screenshot}`);
    await overviewShot(page, screenshot.replace(/\.png$/, '-overview.png'));
  }
  await page.close();
  return v;
}

/** Hovers a heatmap cell (vega's tooltip: a title attribute) and turns the wheel over the exit-rate chart (zoom). */
async function interact(page: Page): Promise<{ tooltip: string; axisBefore: string; axisAfter: string }> {
  const cell = page.locator('#chart-vcpu-heatmap g.role-mark > path').first();
  await cell.scrollIntoViewIfNeeded();
  await cell.hover({ force: true });
  await page.waitForFunction(() => !!document.querySelector('#chart-vcpu-heatmap [title]'));
  const tooltip = await page.evaluate(() => document.querySelector('#chart-vcpu-heatmap [title]')!.getAttribute('title') ?? '');
  const axis = () => page.evaluate(() => document.querySelector('#chart-exit-rate .role-axis-label')?.textContent ?? '');
  await page.locator('#chart-exit-rate').scrollIntoViewIfNeeded();
  const axisBefore = await axis();
  const box = (await page.locator('#chart-exit-rate svg').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -300);
  await page.waitForFunction((b) => (document.querySelector('#chart-exit-rate .role-axis-label')?.textContent ?? '') !== b, axisBefore);
  return { tooltip, axisBefore, axisAfter: await axis() };
}

/**
 * A compact picture of the report for the README: the verdicts without their remediation steps,
 * then the exit and timeline charts (the Input and VM tables hidden), at 1000 px wide.
 * `KVMTRACE_README_PNG=docs/img/report.png` also writes it there.
 */
async function overviewShot(page: Page, path: string): Promise<void> {
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.addStyleTag({ content: '.verdict ol,.verdict h4,.verdict details,.verdict>.muted,#input,#input+table,nav,#vms,#vms~h3,#vms~table,#vms+p,.figure figcaption .muted{display:none}' });
  const end = await page.evaluate(() => {
    const el = document.querySelector('#chart-cpu-timeline') ?? document.querySelector('figure.figure:last-of-type');
    return el ? el.getBoundingClientRect().bottom + window.scrollY + 10 : 2000;
  });
  const shot = { path, clip: { x: 0, y: 0, width: 1000, height: Math.min(end, 3200) }, fullPage: true };
  await page.screenshot(shot);
  console.log(`screenshot: ${path}`);
  if (process.env.KVMTRACE_README_PNG) await page.screenshot({ ...shot, path: process.env.KVMTRACE_README_PNG });
}

function expectClean(v: Visit, expected: string[]): void {
  expect(v.errors).toEqual([]);
  expect(v.blocked).toEqual([]);
  expect(v.requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
  expect(v.dialogs).toEqual([]);
  expect(v.charts.map((c) => c.id)).toEqual(expected);
  for (const c of v.charts) {
    expect([c.id, c.marks > 0, c.width > 100, c.height > 50]).toEqual([c.id, true, true, true]);
  }
}

describe('HTML report in headless Chromium', () => {
  it('renders every chart of a scenario with verdicts, offline and without errors', async () => {
    const ids = reportCharts(report).map((c) => `chart-${c.id}`);
    expect(ids).toEqual(expect.arrayContaining(['chart-exit-reasons', 'chart-exit-durations', 'chart-exit-split', 'chart-vcpu-heatmap', 'chart-cpu-timeline', 'chart-spin-stacking']));
    expect(report.verdicts.some((x) => x.severity === 'critical')).toBe(true);
    const v = await visit('report', join(OUT, 'report.png'));
    expectClean(v, ids);
    expect(v.text).toContain('vCPUs of one VM wait for the same host CPU');
  });

  it('runs the inlined vega runtime in the --interactive variant: live charts, tooltips, zoom, still no request', async () => {
    const v = await visit('report-interactive');
    expectClean(v, reportCharts(report, { interactive: true }).map((c) => `chart-${c.id}`));
    expect(v.interaction!.tooltip).toMatch(/^vCPU: vm-3000 vCPU \d\nfrom \(ms\): [\d.]+\nexits: \d+\n% in exits \(not halted\): [\d.]+/);
    expect(v.interaction!.axisAfter).not.toBe(v.interaction!.axisBefore);
  });

  for (const name of ['evil', 'evil-interactive']) {
    it(`shows hostile thread and VM names as text, fires no dialog (${name})`, async () => {
      const v = await visit(name);
      expect(v.dialogs).toEqual([]);
      expect(v.errors).toEqual([]);
      expect(v.blocked).toEqual([]);
      for (const s of [EVIL_VCPU0, EVIL_VCPU1, EVIL_THREAD, EVIL_VM]) expect(v.text).toContain(s);
      expect(v.charts.length).toBeGreaterThan(3);
      for (const c of v.charts) expect([c.id, c.marks > 0]).toEqual([c.id, true]);
    });
  }
});
