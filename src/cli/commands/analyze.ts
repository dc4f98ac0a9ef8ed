// `kvmtrace analyze FILE...`: read each trace once (twice with a --vm/--vcpu selection), run the
// analyses, write <out>/<name>.{html,json,md} per input and print a short summary per input.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeInput, type InputOptions, type Selection } from '../../analyze/select.js';
import type { WindowSpec } from '../../analyze/window.js';
import { openInput } from '../../ingest/index.js';
import { toJson } from '../../report/json.js';
import { toMarkdown } from '../../report/markdown.js';
import type { HtmlOptions } from '../../report/html.js';
import { buildReport, type Report } from '../../report/model.js';
import { mark } from '../../diag/timing.js';
import { startSvgWorker } from '../../report/svg-worker.js';
import { toTerminal, useColor } from '../../report/terminal.js';
import type { Thresholds } from '../../verdicts/index.js';
import { reportName, type ReportFormat } from '../options.js';
import { VERSION } from '../version.js';

export { FORMATS, parseFormats, parseVm, reportName, type ReportFormat } from '../options.js';

export interface AnalyzeFileOptions {
  buffer?: string;
  /** Verdict thresholds after --config and --threshold (default: the built-in ones). */
  thresholds?: Thresholds;
  /** VMs named by the user (`--vm name=pid`). */
  vms?: Array<{ name: string; pid: number }>;
  /** `--window START..END`. */
  window?: WindowSpec;
  /** `--vm NAME|PID` and `--vcpu` selectors. */
  select?: Selection;
  /** Progress display (src/cli/progress.ts). */
  progress?: InputOptions['progress'];
}

export interface AnalyzeOptions extends AnalyzeFileOptions {
  outDir: string;
  formats: ReportFormat[];
  name?: string;
  quiet?: boolean;
  /** HTML with the Vega runtime inlined (`--interactive`). */
  interactive?: boolean;
  /** Where the summary goes (default stdout). */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function analyzeFile(file: string, opts: AnalyzeFileOptions = {}): Report {
  const { source, results } = analyzeInput(() => openInput(file, { buffer: opts.buffer }), {
    names: opts.vms, window: opts.window, select: opts.select, progress: opts.progress,
  });
  mark('read and analyses done');
  try {
    return buildReport(file, source, results, VERSION, opts.thresholds);
  } finally {
    source.close();
  }
}

/**
 * Writes the report in each format under `outDir`; returns the paths written. The HTML's charts are
 * handed to `html.svg` (or rendered here) first, and the other formats written while they render.
 */
export async function writeReport(report: Report, outDir: string, name: string, formats: ReportFormat[], html: HtmlOptions = {}): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  // The HTML writer loads Vega (≈ 0.25 s of start-up) unless a worker renders: only for an HTML report.
  const htmlText = formats.includes('html') ? import('../../report/html.js').then((m) => m.toHtml(report, html)) : null;
  const texts = new Map<ReportFormat, string>();
  for (const f of formats) if (f !== 'html') texts.set(f, f === 'json' ? toJson(report) : toMarkdown(report));
  mark('json and markdown rendered');
  if (htmlText) texts.set('html', await htmlText);
  mark('html rendered');
  return formats.map((f) => {
    const path = join(outDir, `${name}.${f}`);
    writeFileSync(path, texts.get(f)!);
    return path;
  });
}

export async function analyze(file: string, opts: AnalyzeOptions): Promise<{ report: Report; written: string[] }> {
  // Started first: the worker loads vega on the other core while this thread reads the trace.
  const svg = opts.formats.includes('html') ? startSvgWorker() : null;
  let report: Report;
  let written: string[];
  try {
    mark('analyze start');
    report = analyzeFile(file, opts);
    mark('report model built');
    written = await writeReport(report, opts.outDir, opts.name ?? reportName(file), opts.formats, { interactive: opts.interactive, svg });
  } finally {
    svg?.close();
  }
  const out = opts.out ?? process.stdout;
  if (!opts.quiet) out.write(toTerminal(report, written, useColor(out as NodeJS.WriteStream)));
  return { report, written };
}
