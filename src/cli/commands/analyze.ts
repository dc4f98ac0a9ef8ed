// `kvmtrace analyze FILE`: read the trace once, run the analyses, write reports/<name>.{json,html,md}
// and print a short summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { analyzeSource } from '../../analyze/run.js';
import { UsageError } from '../../diag/errors.js';
import { openInput } from '../../ingest/index.js';
import { toHtml } from '../../report/html.js';
import { toJson } from '../../report/json.js';
import { toMarkdown } from '../../report/markdown.js';
import { buildReport, type Report } from '../../report/model.js';
import { toTerminal, useColor } from '../../report/terminal.js';
import { VERSION } from '../version.js';

export const FORMATS = ['html', 'json', 'md'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export interface AnalyzeOptions {
  outDir: string;
  formats: ReportFormat[];
  name?: string;
  buffer?: string;
  quiet?: boolean;
}

export function parseFormats(text: string): ReportFormat[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of list) {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown report format "${f}" (use ${FORMATS.join(', ')})`);
  }
  return list as ReportFormat[];
}

/** Report name from the input file: `trace.dat` → `trace`, `x.perf.data.gz` → `x.perf`. */
export function reportName(file: string): string {
  return basename(file).replace(/\.(gz|zst|zstd)$/i, '').replace(/\.(dat|data|txt)$/i, '') || 'report';
}

export function analyzeFile(file: string, buffer?: string): Report {
  const src = openInput(file, { buffer });
  try {
    return buildReport(file, src, analyzeSource(src), VERSION);
  } finally {
    src.close();
  }
}

export async function analyze(file: string, opts: AnalyzeOptions): Promise<{ report: Report; written: string[] }> {
  const report = analyzeFile(file, opts.buffer);
  mkdirSync(opts.outDir, { recursive: true });
  const name = opts.name ?? reportName(file);
  const written: string[] = [];
  for (const f of opts.formats) {
    const path = join(opts.outDir, `${name}.${f}`);
    const text = f === 'json' ? toJson(report) : f === 'md' ? toMarkdown(report) : await toHtml(report);
    writeFileSync(path, text);
    written.push(path);
  }
  if (!opts.quiet) process.stdout.write(toTerminal(report, written, useColor(process.stdout)));
  return { report, written };
}
