// `kvmtrace diff BEFORE AFTER`: analyse both traces and write the comparison report
// (<out>/<name>.{json,md,html}, name default `diff-<before>-<after>`) and a short summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDiff, type DiffReport } from '../../report/diff-model.js';
import { diffToHtml, diffToMarkdown, diffToTerminal } from '../../report/diff-render.js';
import { toJson } from '../../report/json.js';
import { reportNames, type ReportFormat } from '../options.js';
import { VERSION } from '../version.js';
import { analyzeFile, type AnalyzeFileOptions } from './analyze.js';

export interface DiffOptions extends AnalyzeFileOptions {
  outDir: string;
  formats: ReportFormat[];
  name?: string;
  quiet?: boolean;
  out?: NodeJS.WritableStream;
  /** Called before each input is read (error messages name the file being read). */
  onInput?: (file: string) => void;
}

export async function diff(before: string, after: string, opts: DiffOptions): Promise<{ diff: DiffReport; written: string[] }> {
  const read = (file: string) => {
    opts.onInput?.(file);
    return analyzeFile(file, opts);
  };
  const rb = read(before);
  const d = buildDiff(rb, read(after), VERSION);
  const [nb, na] = reportNames([before, after]);
  const name = opts.name ?? `diff-${nb}-${na}`;
  mkdirSync(opts.outDir, { recursive: true });
  const written: string[] = [];
  for (const f of opts.formats) {
    const path = join(opts.outDir, `${name}.${f}`);
    writeFileSync(path, f === 'json' ? toJson(d) : f === 'md' ? diffToMarkdown(d) : diffToHtml(d));
    written.push(path);
  }
  if (!opts.quiet) (opts.out ?? process.stdout).write(diffToTerminal(d, written));
  return { diff: d, written };
}
