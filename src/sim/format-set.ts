// Loads a folder of kernel trace format files (a copy of tracefs `events/`, or tracefs itself) into
// the pieces a trace.dat writer needs: header_page / header_event texts, the ftrace formats and the
// per-system event formats, each kept as the verbatim text (trace-cmd copies the files byte for byte,
// lib/trace-cmd/trace-output.c read_header_files / copy_event_system) plus its parsed layout.
// Layout accepted: <dir>/header_page or <dir>/events/header_page, and <dir>[/events]/<sys>/<event>/format.
// See /work/shared/reference/trace-formats.md §1.2–§1.4.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseEventFormat, parseHeaderPage } from '../ingest/tracedat/format-parser.js';
import type { EventFormat, HeaderPage } from '../ingest/tracedat/format-parser.js';

export interface FormatFile {
  system: string;
  name: string;
  /** Exact file text as stored in the trace.dat. */
  text: string;
  format: EventFormat;
}

export interface FormatSet {
  headerPageText: string;
  headerEventText: string;
  headerPage: HeaderPage;
  /** events/ftrace/* formats (written in the "ftrace events" part). */
  ftrace: FormatFile[];
  /** Other systems in file order (system name → formats). */
  systems: Map<string, FormatFile[]>;
  /** Lookup by `name` and by `system/name` (first system wins for a bare name). */
  byName: Map<string, FormatFile>;
}

export interface LoadFormatOptions {
  /** Only these systems (the ftrace system is always loaded). */
  systems?: string[];
  /** Only these events, as `system/name` or bare `name` (ftrace events are always loaded). */
  events?: string[];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Builds a FormatSet from already-read texts (used by loadFormatSet and by tests). */
export function buildFormatSet(
  headerPageText: string,
  headerEventText: string,
  files: Array<{ system: string; name: string; text: string }>,
): FormatSet {
  const set: FormatSet = {
    headerPageText,
    headerEventText,
    headerPage: parseHeaderPage(headerPageText),
    ftrace: [],
    systems: new Map(),
    byName: new Map(),
  };
  for (const f of files) {
    const ff: FormatFile = { ...f, format: parseEventFormat(f.text, f.system) };
    if (f.system === 'ftrace') set.ftrace.push(ff);
    else {
      let list = set.systems.get(f.system);
      if (!list) set.systems.set(f.system, (list = []));
      list.push(ff);
    }
    set.byName.set(`${f.system}/${ff.format.name}`, ff);
    if (!set.byName.has(ff.format.name)) set.byName.set(ff.format.name, ff);
  }
  return set;
}

/** Reads a formats folder (fixture copy or tracefs). Unreadable/odd format files are skipped. */
export function loadFormatSet(dir: string, opts: LoadFormatOptions = {}): FormatSet {
  const evDir = existsSync(join(dir, 'events', 'header_page')) ? join(dir, 'events') : dir;
  const hp = existsSync(join(dir, 'header_page')) ? join(dir, 'header_page') : join(evDir, 'header_page');
  const he = existsSync(join(dir, 'header_event')) ? join(dir, 'header_event') : join(evDir, 'header_event');
  const sysRoot = isDir(join(dir, 'events')) ? join(dir, 'events') : dir;
  const wantSys = opts.systems ? new Set(opts.systems) : null;
  const wantEv = opts.events ? new Set(opts.events) : null;
  const files: Array<{ system: string; name: string; text: string }> = [];
  const systems = readdirSync(sysRoot).filter((s) => isDir(join(sysRoot, s))).sort();
  // ftrace first, like trace-cmd's separate "ftrace events" block.
  systems.sort((a, b) => (a === 'ftrace' ? -1 : b === 'ftrace' ? 1 : 0));
  for (const sys of systems) {
    if (sys !== 'ftrace' && wantSys && !wantSys.has(sys)) continue;
    for (const ev of readdirSync(join(sysRoot, sys)).sort()) {
      if (sys !== 'ftrace' && wantEv && !wantEv.has(`${sys}/${ev}`) && !wantEv.has(ev)) continue;
      const p = join(sysRoot, sys, ev, 'format');
      if (!existsSync(p)) continue;
      let text: string;
      try {
        text = readFileSync(p, 'latin1');
      } catch {
        continue;
      }
      files.push({ system: sys, name: ev, text });
    }
  }
  return buildFormatSet(readFileSync(hp, 'latin1'), readFileSync(he, 'latin1'), files);
}

/** header_page text for a given kernel long size and sub-buffer size (same field syntax as the kernel's). */
export function makeHeaderPageText(longSize: 4 | 8, pageSize: number): string {
  const dataOff = 8 + longSize;
  return (
    '\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n' +
    `\tfield: local_t commit;\toffset:8;\tsize:${longSize};\tsigned:1;\n` +
    '\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n' +
    `\tfield: char data;\toffset:${dataOff};\tsize:${pageSize - dataOff};\tsigned:0;\n`
  );
}
