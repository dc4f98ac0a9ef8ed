// `kvmtrace` with no arguments on a terminal: prompts (@clack/prompts) to pick a trace file in the
// current folder (recognised by the importers' content sniff, like openInput), the VMs, the window
// and the report formats; the caller then runs analyze with the answers. The prompt functions are
// injected so the flow is testable without a terminal.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { discoverVms } from '../analyze/select.js';
import { parseWindow, type WindowSpec } from '../analyze/window.js';
import { detect, openInput } from '../ingest/index.js';
import { wrapperOf } from '../ingest/text/chunks.js';
import { FORMATS, type ReportFormat } from './options.js';
import { formatBytes } from './progress.js';

type Opt<V> = { value: V; label?: string; hint?: string };

/** The subset of @clack/prompts the flow uses. */
export interface Prompts {
  intro(title?: string): void;
  cancel(message?: string): void;
  log: { info(message: string): void };
  select<V>(o: { message: string; options: Opt<V>[]; initialValue?: V }): Promise<V | symbol>;
  multiselect<V>(o: { message: string; options: Opt<V>[]; initialValues?: V[]; required?: boolean }): Promise<V[] | symbol>;
  text(o: { message: string; placeholder?: string; defaultValue?: string; validate?: (v: string | undefined) => string | Error | undefined }): Promise<string | symbol>;
  isCancel(v: unknown): v is symbol;
}

export interface Choice {
  file: string;
  /** `--vm` selectors (empty = every VM). */
  vms: string[];
  window?: WindowSpec;
  formats: ReportFormat[];
}

/** Files in `dir` whose first bytes an importer recognises, sorted by name. */
export function traceFilesIn(dir: string): Array<{ name: string; size: number }> {
  const out: Array<{ name: string; size: number }> = [];
  const head = new Uint8Array(4096);
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    let fd = -1;
    try {
      const st = statSync(path);
      if (!st.isFile() || st.size === 0) continue;
      fd = openSync(path, 'r');
      const n = readSync(fd, head, 0, head.length, 0);
      const h = head.subarray(0, n);
      if (wrapperOf(h) || detect(h)) out.push({ name, size: st.size });
    } catch {
      // unreadable entries are not offered
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }
  return out;
}

/** Runs the prompts; null when the user cancels, or when there is nothing to pick (said why). */
export async function promptChoice(p: Prompts, dir: string): Promise<Choice | null> {
  p.intro('kvmtrace');
  const files = traceFilesIn(dir);
  if (!files.length) {
    p.cancel(`no trace file in ${dir} (trace.dat, perf.data or trace text); run kvmtrace analyze FILE`);
    return null;
  }
  const file = await p.select({ message: 'Trace to analyse', options: files.map((f) => ({ value: f.name, label: f.name, hint: formatBytes(f.size) })) });
  if (p.isCancel(file)) return cancelled(p);
  const path = join(dir, file);
  const src = openInput(path);
  let vms;
  try {
    vms = discoverVms(src);
  } finally {
    src.close();
  }
  let chosenVms: string[] = [];
  if (vms.length > 1) {
    const key = (v: (typeof vms)[number]) => (v.pid !== null ? String(v.pid) : v.name);
    const picked = await p.multiselect({
      message: 'VMs to include',
      options: vms.map((v) => ({ value: key(v), label: v.name, hint: `${v.vcpus.length} vCPU thread(s)` })),
      initialValues: vms.map(key),
      required: true,
    });
    if (p.isCancel(picked)) return cancelled(p);
    if (picked.length < vms.length) chosenVms = picked;
  } else {
    p.log.info(vms.length ? `VM: ${vms[0].name} (${vms[0].vcpus.length} vCPU thread(s))` : 'no vCPU thread found in this trace');
  }
  const win = await p.text({
    message: 'Time window (empty = the whole trace)',
    placeholder: '+1.2s..+1.5s or 1234.5..1235.0',
    defaultValue: '',
    validate: (v) => {
      if (!v || !v.trim()) return undefined;
      try {
        parseWindow(v);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (p.isCancel(win)) return cancelled(p);
  const formats = await p.multiselect({ message: 'Report formats', options: FORMATS.map((f) => ({ value: f, label: f })), initialValues: [...FORMATS], required: true });
  if (p.isCancel(formats)) return cancelled(p);
  return { file: dir === process.cwd() ? file : path, vms: chosenVms, window: win.trim() ? parseWindow(win) : undefined, formats };
}

function cancelled(p: Prompts): null {
  p.cancel('cancelled');
  return null;
}
