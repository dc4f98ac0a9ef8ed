// The metadata blocks shared by trace.dat v6 (back to back after the file header) and v7 (one
// section each): header_page/header_event, ftrace formats, per-system event formats, kallsyms,
// printk formats, saved cmdlines. Layouts: trace-formats.md §1.2–§1.7, §2.2 (v7 payloads are
// byte-for-byte the v6 parts); trace-cmd lib/trace-cmd/trace-input.c read_header_files,
// read_ftrace_files, read_event_files, read_proc_kallsyms, read_ftrace_printk, read_and_parse_cmdlines.
import { InputError } from '../../diag/errors.js';
import type { Cursor } from '../io/cursor.js';
import { FormatParseError, parseEventFormat, parseHeaderPage, type EventFormat, type HeaderPage } from './format-parser.js';

/** Format texts are small; anything bigger is a corrupt length. */
const MAX_FORMAT_TEXT = 1 << 20;
const MAX_COUNT = 100_000;

export interface HeaderInfo {
  headerPage: HeaderPage;
  headerPageText: string;
  headerEventText: string;
}

export function readHeaderInfo(c: Cursor): HeaderInfo {
  const tag1 = c.cstring('header_page tag', 64);
  if (tag1 !== 'header_page') throw new InputError(`expected "header_page", found "${tag1.slice(0, 20)}"`, c.pos - tag1.length - 1);
  const len1 = c.u64('header_page size');
  const headerPageText = c.text(len1, 'header_page text');
  const tag2 = c.cstring('header_event tag', 64);
  if (tag2 !== 'header_event') throw new InputError(`expected "header_event", found "${tag2.slice(0, 20)}"`, c.pos - tag2.length - 1);
  const len2 = c.u64('header_event size');
  const headerEventText = c.text(len2, 'header_event text');
  let headerPage: HeaderPage;
  if (len1 === 0) {
    // Pre-2.6.31 kernels: libtraceevent falls back to a 64-bit layout.
    headerPage = { timestampOffset: 0, timestampSize: 8, commitOffset: 8, commitSize: 8, dataOffset: 16, dataSize: 4080 };
  } else {
    try {
      headerPage = parseHeaderPage(headerPageText);
    } catch (e) {
      throw new InputError(`bad header_page: ${(e as Error).message}`, c.pos);
    }
  }
  if (headerPage.commitSize !== 4 && headerPage.commitSize !== 8) {
    throw new InputError(`header_page commit size ${headerPage.commitSize} is not 4 or 8`, c.pos);
  }
  return { headerPage, headerPageText, headerEventText };
}

function readOneFormat(c: Cursor, system: string, into: EventFormat[], bad: string[], longSize: number): void {
  const at = c.pos;
  const len = c.u64('event format size');
  if (len > MAX_FORMAT_TEXT) throw new InputError(`event format of ${len} bytes is implausible`, at);
  const text = c.text(len, 'event format');
  try {
    into.push(parseEventFormat(text, system, longSize));
  } catch (e) {
    if (!(e instanceof FormatParseError)) throw e;
    bad.push(`${system}: ${e.message}`);
  }
}

export function readFtraceFormats(c: Cursor, into: EventFormat[], bad: string[], longSize: number): void {
  const at = c.pos;
  const n = c.u32('ftrace format count');
  if (n > MAX_COUNT) throw new InputError(`ftrace format count ${n} is implausible`, at);
  for (let i = 0; i < n; i++) readOneFormat(c, 'ftrace', into, bad, longSize);
}

export function readEventFormats(c: Cursor, into: EventFormat[], bad: string[], longSize: number): void {
  const at = c.pos;
  const systems = c.u32('event system count');
  if (systems > MAX_COUNT) throw new InputError(`event system count ${systems} is implausible`, at);
  for (let s = 0; s < systems; s++) {
    const name = c.cstring('system name', 4096);
    const at2 = c.pos;
    const n = c.u32('event count');
    if (n > MAX_COUNT) throw new InputError(`event count ${n} of system ${name} is implausible`, at2);
    for (let i = 0; i < n; i++) readOneFormat(c, name, into, bad, longSize);
  }
}

/** kallsyms and printk: u32 size then text. */
export function readSizedText32(c: Cursor, what: string): string {
  const n = c.u32(`${what} size`);
  return c.text(n, what);
}

/** cmdlines: u64 size then text. */
export function readSizedText64(c: Cursor, what: string): string {
  const n = c.u64(`${what} size`);
  return c.text(n, what);
}
