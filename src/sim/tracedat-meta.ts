// Metadata blocks of a trace.dat file, byte for byte as trace-cmd writes them
// (lib/trace-cmd/trace-output.c: output_write_init, read_header_files, read_ftrace_files,
// read_event_files, read_proc_kallsyms, read_ftrace_printk, save_tracing_file_data(saved_cmdlines),
// save_clock). Shared by v6 (plain) and v7 (same payloads inside sections 16–21).
// trace-formats.md §1.1–§1.10, §2.1–§2.2.

import { ByteBuilder } from './byte-builder.js';
import { makeHeaderPageText } from './format-set.js';
import type { FormatSet } from './format-set.js';

export const OPT = {
  DONE: 0, DATE: 1, CPUSTAT: 2, BUFFER: 3, TRACECLOCK: 4, UNAME: 5, HOOK: 6, OFFSET: 7, CPUCOUNT: 8,
  VERSION: 9, PROCMAPS: 10, TRACEID: 11, TIME_SHIFT: 12, GUEST: 13, TSC2NSEC: 14, STRINGS: 15,
  HEADER_INFO: 16, FTRACE_EVENTS: 17, EVENT_FORMATS: 18, KALLSYMS: 19, PRINTK: 20, CMDLINES: 21,
} as const;

const CLOCKS = ['local', 'global', 'counter', 'uptime', 'perf', 'mono', 'mono_raw', 'boot', 'tai', 'x86-tsc'];

/** Contents of tracefs `trace_clock` with `clock` selected. */
export function traceClockText(clock: string): string {
  const list = CLOCKS.includes(clock) ? CLOCKS : [...CLOCKS, clock];
  return list.map((c) => (c === clock ? `[${c}]` : c)).join(' ') + '\n';
}

/** Magic, version string, endian byte, user long size, page size (+ v7 compression strings). */
export function fileHeader(
  le: boolean, version: 6 | 7, userLong: number, pageSize: number, compName?: string, compVersion?: string,
): ByteBuilder {
  const b = new ByteBuilder(le, 64);
  b.u8(0x17).u8(0x08).u8(0x44).str('tracing').cstr(String(version));
  b.u8(le ? 0 : 1).u8(userLong).u32(pageSize);
  if (version === 7) b.cstr(compName ?? 'none').cstr(compVersion ?? '');
  return b;
}

export function headerPageTextFor(fs: FormatSet, longSize: 4 | 8, pageSize: number): string {
  const hp = fs.headerPage;
  if (hp.commitSize === longSize && hp.dataOffset + hp.dataSize === pageSize) return fs.headerPageText;
  return makeHeaderPageText(longSize, pageSize);
}

export function headersBlock(le: boolean, headerPage: string, headerEvent: string): Uint8Array {
  const b = new ByteBuilder(le);
  const hp = new TextEncoder().encode(headerPage);
  const he = new TextEncoder().encode(headerEvent);
  b.cstr('header_page').u64(hp.length).bytes(hp);
  b.cstr('header_event').u64(he.length).bytes(he);
  return b.result();
}

export function ftraceBlock(le: boolean, fs: FormatSet): Uint8Array {
  const b = new ByteBuilder(le);
  b.u32(fs.ftrace.length);
  for (const f of fs.ftrace) {
    const t = new TextEncoder().encode(f.text);
    b.u64(t.length).bytes(t);
  }
  return b.result();
}

export function eventsBlock(le: boolean, fs: FormatSet): Uint8Array {
  const b = new ByteBuilder(le);
  b.u32(fs.systems.size);
  for (const [sys, list] of fs.systems) {
    b.cstr(sys).u32(list.length);
    for (const f of list) {
      const t = new TextEncoder().encode(f.text);
      b.u64(t.length).bytes(t);
    }
  }
  return b.result();
}

/** kallsyms / printk (u32 size) or cmdlines (u64 size) block. */
export function sizedText(le: boolean, text: string, sizeBytes: 4 | 8): Uint8Array {
  const t = new TextEncoder().encode(text);
  const b = new ByteBuilder(le, t.length + 8);
  if (sizeBytes === 4) b.u32(t.length);
  else b.u64(t.length);
  return b.bytes(t).result();
}

export function cmdlinesText(cmdlines: Array<[number, string]>): string {
  return cmdlines.map(([pid, comm]) => `${pid} ${comm}\n`).join('');
}

/** One option record: u16 id, u32 size, payload. */
export function option(b: ByteBuilder, id: number, payload: Uint8Array): number {
  b.u16(id).u32(payload.length);
  const at = b.length;
  b.bytes(payload);
  return at;
}

export function cstrBytes(s: string): Uint8Array {
  const t = new TextEncoder().encode(s);
  const out = new Uint8Array(t.length + 1);
  out.set(t);
  return out;
}

export function cpustatText(cpu: number, entries: number, bytes: number, instance?: string): string {
  const head = instance ? `\nBuffer: ${instance}\n\n` : '';
  return (
    `${head}CPU: ${cpu}\nentries: ${entries}\noverrun: 0\ncommit overrun: 0\nbytes: ${bytes}\n` +
    'oldest event ts:     0.000000\nnow ts:     0.000000\ndropped events: 0\nread events: 0\n'
  );
}
