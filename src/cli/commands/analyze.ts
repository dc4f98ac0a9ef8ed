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
import type { Thresholds } from '../../verdicts/index.js';
import { VERSION } from '../version.js';

export const FORMATS = ['html', 'json', 'md'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export interface AnalyzeOptions {
  outDir: string;
  formats: ReportFormat[];
  name?: string;
  buffer?: string;
  quiet?: boolean;
  /** Verdict thresholds after --config and --threshold (default: the built-in ones). */
  thresholds?: Thresholds;
  /** VMs named by the user (`--vm name=pid`). */
  vms?: Array<{ name: string; pid: number }>;
}

export type AnalyzeFileOptions = Pick<AnalyzeOptions, 'buffer' | 'thresholds' | 'vms'>;

/** `--vm name=pid`: a VM's name and its VMM (QEMU) process id. */
export function parseVm(text: string): { name: string; pid: number } {
  const m = /^(.+)=(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--vm needs name=pid (the VM's QEMU process id), got "${text}"`);
  return { name: m[1], pid: Number(m[2]) };
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

export function analyzeFile(file: string, opts: AnalyzeFileOptions = {}): Report {
  const src = openInput(file, { buffer: opts.buffer });
  try {
    return buildReport(file, src, analyzeSource(src, { vms: opts.vms }), VERSION, opts.thresholds);
  } finally {
    src.close();
  }
}

export async function analyze(file: string, opts: AnalyzeOptions): Promise<{ report: Report; written: string[] }> {
  const report = analyzeFile(file, opts);
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
