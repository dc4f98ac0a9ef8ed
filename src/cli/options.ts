// Option values shared by analyze, diff and the interactive mode: report formats, `--vm` (naming
// `name=pid`, or selecting `NAME|PID`), `--vcpu`, `--window`, and report names for several inputs.
import { basename, dirname, resolve } from 'node:path';
import type { Selection } from '../analyze/select.js';
import { parseWindow, type WindowSpec } from '../analyze/window.js';
import { UsageError } from '../diag/errors.js';

export const FORMATS = ['html', 'json', 'md'] as const;
export type ReportFormat = (typeof FORMATS)[number];

/** Collects a repeatable option's values. */
export const collect = (v: string, acc: string[] = []): string[] => [...acc, v];

export function parseFormats(text: string): ReportFormat[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new UsageError('--format needs at least one of html, json, md');
  for (const f of list) {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown report format "${f}" (use ${FORMATS.join(', ')})`);
  }
  return [...new Set(list)] as ReportFormat[];
}

/** `--vm name=pid`: a VM's name and its VMM (QEMU) process id. */
export function parseVm(text: string): { name: string; pid: number } {
  const m = /^(.+)=(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--vm needs name=pid (the VM's QEMU process id), got "${text}"`);
  return { name: m[1], pid: Number(m[2]) };
}

/** `--vm` values: `name=pid` names a VM; `NAME` or `PID` (no `=`) selects one. */
export function splitVmArgs(values: string[]): { names: Array<{ name: string; pid: number }>; select: string[] } {
  const names: Array<{ name: string; pid: number }> = [];
  const select: string[] = [];
  for (const v of values) {
    if (v.includes('=')) names.push(parseVm(v));
    else if (v.trim()) select.push(v.trim());
    else throw new UsageError('--vm needs a VM name or pid (select) or name=pid (name)');
  }
  return { names, select };
}

export interface Filters {
  names: Array<{ name: string; pid: number }>;
  select: Selection;
  window?: WindowSpec;
}

/** The filters of `--vm`, `--vcpu` and `--window` (UsageError on a bad value). */
export function parseFilters(o: { vm?: string[]; vcpu?: string[]; window?: string }): Filters {
  const { names, select } = splitVmArgs(o.vm ?? []);
  const vcpus = (o.vcpu ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  for (const v of vcpus) if (!/^(?:.+:)?\d+$/.test(v)) throw new UsageError(`--vcpu needs N or VM:N (VM = name or pid), got "${v}"`);
  return { names, select: { vms: select, vcpus }, window: o.window !== undefined ? parseWindow(o.window) : undefined };
}

/** Report name from the input file: `trace.dat` → `trace`, `x.perf.data.gz` → `x.perf`. */
export function reportName(file: string): string {
  return basename(file).replace(/\.(gz|zst|zstd)$/i, '').replace(/\.(dat|data|txt)$/i, '') || 'report';
}

/**
 * Distinct report names for several inputs: the file's name, with its parent folder's name in
 * front when two inputs share a name (`a/trace.dat`, `b/trace.dat` → `a-trace`, `b-trace`), and a
 * number after it when that is not enough.
 */
export function reportNames(files: string[]): string[] {
  const base = files.map(reportName);
  const dup = (list: string[], i: number) => list.filter((x) => x === list[i]).length > 1;
  const withDir = base.map((n, i) => (dup(base, i) ? `${basename(resolve(dirname(files[i]))) || 'input'}-${n}` : n));
  const seen = new Map<string, number>();
  return withDir.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n}-${k}`;
  });
}

/**
 * `-o x.md` / `x.html` / `x.json`: one report file in the format its extension names, instead of a
 * directory of reports; null for a directory.
 */
export function singleFileOut(out: string): { dir: string; name: string; format: ReportFormat } | null {
  const m = /^(.*?)([^/]+)\.(md|html|json)$/i.exec(out);
  if (!m) return null;
  return { dir: m[1] || '.', name: m[2], format: m[3].toLowerCase() as ReportFormat };
}
