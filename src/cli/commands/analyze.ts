// `kvmtrace analyze FILE...`: read each trace once (twice with a --vm/--vcpu selection), run the
// analyses, write <out>/<name>.{html,json,md} per input and print a short summary per input.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeInput, type InputOptions, type Selection } from '../../analyze/select.js';
import type { WindowSpec } from '../../analyze/window.js';
import { openInput } from '../../ingest/index.js';
import { toJson } from '../../report/json.js';
import { toMarkdown } from '../../report/markdown.js';
import { buildReport, type Report } from '../../report/model.js';
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
  try {
    return buildReport(file, source, results, VERSION, opts.thresholds);
  } finally {
    source.close();
  }
}

/** Writes the report in each format under `outDir`; returns the paths written. */
export async function writeReport(report: Report, outDir: string, name: string, formats: ReportFormat[], html: { interactive?: boolean } = {}): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const f of formats) {
    const path = join(outDir, `${name}.${f}`);
    // The HTML writer loads Vega (≈ 0.25 s of start-up): only when an HTML report is written.
    const text = f === 'json' ? toJson(report) : f === 'md' ? toMarkdown(report) : await (await import('../../report/html.js')).toHtml(report, html);
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}

export async function analyze(file: string, opts: AnalyzeOptions): Promise<{ report: Report; written: string[] }> {
  const report = analyzeFile(file, opts);
  const written = await writeReport(report, opts.outDir, opts.name ?? reportName(file), opts.formats, { interactive: opts.interactive });
  const out = opts.out ?? process.stdout;
  if (!opts.quiet) out.write(toTerminal(report, written, useColor(out as NodeJS.WriteStream)));
  return { report, written };
}
