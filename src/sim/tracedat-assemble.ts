// Assembles a trace.dat from spooled ring-buffer pages: v6 (options + flyrecord tables, trace-cmd
// lib/trace-cmd/trace-output.c write_options_v6 / tcmd_out_write_cpu_data / save_clock) and v7
// (16-byte section headers, chained options sections, BUFFER options with per-CPU entries, optional
// zlib: one (u32 Z, u32 U, data) block per metadata section and per-CPU chunk lists of 10 pages,
// tcmd_out_copy_fd_compress). trace-formats.md §1.9–§1.12, §2.1–§2.8.

import { deflateSync } from 'node:zlib';
import { ByteBuilder, u64Bytes } from './byte-builder.js';
import { FileOut, readChunk } from './file-out.js';
import type { PageWriter } from './page-writer.js';
import {
  OPT, cmdlinesText, cpustatText, cstrBytes, eventsBlock, fileHeader, ftraceBlock, headerPageTextFor,
  headersBlock, option, sizedText, traceClockText,
} from './tracedat-meta.js';
import type { InstanceState, TraceDatWriter } from './tracedat-writer.js';

const PAGES_IN_CHUNK = 10;

interface CpuPlace { cpu: number; offset: number; size: number }

function commonOptions(w: TraceDatWriter, b: ByteBuilder): void {
  const o = w.opts;
  const le = !o.bigEndian;
  if (o.tsc2nsec) {
    // Before TRACECLOCK: trace-cmd only keeps ns output for x86-tsc when mult is already known.
    const t = new ByteBuilder(le, 16).u32(o.tsc2nsec.mult).u32(o.tsc2nsec.shift).u64(o.tsc2nsec.offset ?? 0n);
    option(b, OPT.TSC2NSEC, t.result());
  }
  option(b, OPT.TRACECLOCK, cstrBytes(traceClockText(o.clock ?? 'local')));
  option(b, OPT.UNAME, cstrBytes(o.uname ?? 'Linux kvmtrace-sim 6.18.0-sim #1 SMP PREEMPT_DYNAMIC x86_64'));
  option(b, OPT.VERSION, cstrBytes(o.traceCmdVersion ?? '3.1.6 (kvmtrace-sim)'));
  option(b, OPT.CPUCOUNT, new ByteBuilder(le, 4).u32(o.cpus).result());
  const top = w.instances.get('')!;
  for (let c = 0; c < o.cpus; c++) {
    const pw = top.cpus[c];
    option(b, OPT.CPUSTAT, cstrBytes(cpustatText(c, pw?.events ?? 0, pw?.bytes ?? 0)));
  }
  for (const e of o.extraOptions ?? []) option(b, e.id, e.data);
}

/** Copies one CPU's pages at the current (aligned) position; returns its placement. */
function writeCpu(out: FileOut, pw: PageWriter, zlibLevel: number | null): number {
  if (zlibLevel === null) {
    let n = 0;
    for (const c of pw.chunks(readChunk)) {
      out.write(c);
      n += c.length;
    }
    return n;
  }
  const unit = pw.pageSize * PAGES_IN_CHUNK;
  const total = pw.bytes;
  const start = out.pos;
  const le = out.le;
  out.write(new ByteBuilder(le, 4).u32(Math.ceil(total / unit)).result());
  let pending = new Uint8Array(0);
  const emit = (data: Uint8Array): void => {
    const z = deflateSync(data, { level: zlibLevel });
    out.write(new ByteBuilder(le, 8).u32(z.length).u32(data.length).result());
    out.write(z);
  };
  for (const c of pw.chunks(readChunk, unit * 64)) {
    let buf = c;
    if (pending.length) {
      buf = new Uint8Array(pending.length + c.length);
      buf.set(pending);
      buf.set(c, pending.length);
    }
    let p = 0;
    for (; p + unit <= buf.length; p += unit) emit(buf.subarray(p, p + unit));
    pending = buf.slice(p);
  }
  if (pending.length) emit(pending);
  return out.pos - start;
}

function writeInstanceData(out: FileOut, inst: InstanceState, zlibLevel: number | null): CpuPlace[] {
  const places: CpuPlace[] = [];
  inst.cpus.forEach((pw, cpu) => {
    if (!pw || pw.bytes === 0) {
      places.push({ cpu, offset: out.pos, size: 0 });
      return;
    }
    out.align(Math.max(inst.pageSize, 4096));
    const offset = out.pos;
    places.push({ cpu, offset, size: writeCpu(out, pw, zlibLevel) });
  });
  return places;
}

function flyrecordTable(out: FileOut, le: boolean, cpus: number, clock: string): number {
  out.write(cstrBytes('flyrecord'));
  const tableAt = out.write(new Uint8Array(cpus * 16));
  const clk = new TextEncoder().encode(`[${clock}]`);
  out.write(u64Bytes(clk.length, le));
  out.write(clk);
  return tableAt;
}

function patchTable(out: FileOut, le: boolean, at: number, places: CpuPlace[]): void {
  const b = new ByteBuilder(le, places.length * 16);
  for (const p of places) b.u64(p.offset).u64(p.size);
  out.writeAt(at, b.result());
}

function metaBlocks(w: TraceDatWriter): Array<[number, string, Uint8Array]> {
  const o = w.opts;
  const le = !o.bigEndian;
  const hp = headerPageTextFor(w.formats, o.longSize ?? 8, o.pageSize ?? 4096);
  return [
    [OPT.HEADER_INFO, 'headers', headersBlock(le, hp, w.formats.headerEventText)],
    [OPT.FTRACE_EVENTS, 'ftrace events', ftraceBlock(le, w.formats)],
    [OPT.EVENT_FORMATS, 'events format', eventsBlock(le, w.formats)],
    [OPT.KALLSYMS, 'kallsyms', sizedText(le, o.kallsyms ?? '', 4)],
    [OPT.PRINTK, 'printk', sizedText(le, o.printk ?? '', 4)],
    [OPT.CMDLINES, 'command lines', sizedText(le, cmdlinesText(o.cmdlines ?? []), 8)],
  ];
}

function assembleV6(out: FileOut, w: TraceDatWriter): void {
  const o = w.opts;
  const le = !o.bigEndian;
  out.write(fileHeader(le, 6, o.userLongSize ?? o.longSize ?? 8, o.pageSize ?? 4096).result());
  for (const [, , data] of metaBlocks(w)) out.write(data);
  out.write(new ByteBuilder(le, 4).u32(o.cpus).result());
  const ob = new ByteBuilder(le);
  ob.str('options  ').u8(0);
  commonOptions(w, ob);
  const bufferAt = new Map<string, number>();
  for (const inst of w.instances.values()) {
    if (!inst.name) continue;
    const p = new ByteBuilder(le).u64(0).cstr(inst.name).result();
    bufferAt.set(inst.name, option(ob, OPT.BUFFER, p));
    option(ob, OPT.CPUCOUNT, new ByteBuilder(le, 4).u32(o.cpus).result());
  }
  ob.u16(OPT.DONE);
  const optStart = out.write(ob.result());
  const top = w.instances.get('')!;
  const tableAt = flyrecordTable(out, le, o.cpus, top.clock);
  patchTable(out, le, tableAt, writeInstanceData(out, top, null));
  for (const inst of w.instances.values()) {
    if (!inst.name) continue;
    out.writeAt(optStart + bufferAt.get(inst.name)!, u64Bytes(out.pos, le));
    const at = flyrecordTable(out, le, o.cpus, inst.clock);
    patchTable(out, le, at, writeInstanceData(out, inst, null));
  }
}

function assembleV7(out: FileOut, w: TraceDatWriter): void {
  const o = w.opts;
  const le = !o.bigEndian;
  const zlib = o.compression === 'zlib';
  const level = zlib ? (o.zlibLevel ?? 6) : null;
  const strings = new ByteBuilder(le);
  const str = (s: string): number => {
    const id = strings.length;
    strings.cstr(s);
    return id;
  };
  /** Section header; returns the file offset of the header (size patched by endSection). */
  const section = (id: number, desc: string | number, flags: number): number =>
    out.write(new ByteBuilder(le, 16).u16(id).u16(flags).u32(typeof desc === 'number' ? desc : str(desc)).u64(0).result());
  const endSection = (at: number): void => out.writeAt(at + 8, u64Bytes(out.pos - at - 16, le));
  const sectionData = (id: number, desc: string | number, data: Uint8Array, compressible: boolean): number => {
    const at = section(id, desc, zlib && compressible ? 1 : 0);
    if (zlib && compressible) {
      const z = deflateSync(data, { level: level! });
      out.write(new ByteBuilder(le, 8).u32(z.length).u32(data.length).result());
      out.write(z);
    } else out.write(data);
    endSection(at);
    return at;
  };

  const hdr = fileHeader(le, 7, o.userLongSize ?? o.longSize ?? 8, o.pageSize ?? 4096,
    zlib ? 'zlib' : 'none', zlib ? (o.compressionVersion ?? '1.2.13') : '');
  const optPtrAt = hdr.length;
  hdr.u64(0);
  out.write(hdr.result());
  const sectionAt = metaBlocks(w).map(([id, desc, data]) => [id, sectionData(id, desc, data, true)] as const);

  const chain = o.chainOptions ?? true;
  const first = new ByteBuilder(le);
  for (const [id, at] of sectionAt) option(first, id, u64Bytes(at, le));
  commonOptions(w, first);
  let doneAt = -1;
  let firstAt = -1;
  if (chain) {
    doneAt = option(first, OPT.DONE, u64Bytes(0, le));
    firstAt = sectionData(OPT.DONE, 'options', first.result(), false);
    out.writeAt(optPtrAt, u64Bytes(firstAt, le));
  }
  const buffers = new ByteBuilder(le);
  for (const inst of w.instances.values()) {
    const at = section(OPT.BUFFER, `buffer flyrecord ${inst.name}`, zlib ? 1 : 0);
    const places = writeInstanceData(out, inst, level).filter((p) => p.size > 0);
    endSection(at);
    const p = new ByteBuilder(le).u64(at).cstr(inst.name).cstr(inst.clock).u32(inst.pageSize).u32(places.length);
    for (const c of places) p.u32(c.cpu).u64(c.offset).u64(c.size);
    option(buffers, OPT.BUFFER, p.result());
  }
  const last = chain ? buffers : first;
  if (!chain) last.bytes(buffers.result());
  option(last, OPT.DONE, u64Bytes(0, le));
  const lastAt = sectionData(OPT.DONE, 'options', last.result(), false);
  if (chain) out.writeAt(firstAt + 16 + doneAt, u64Bytes(lastAt, le));
  else out.writeAt(optPtrAt, u64Bytes(lastAt, le));
  const sid = str('strings');
  sectionData(OPT.STRINGS, sid, strings.result().slice(), true);
}

export function assemble(path: string, w: TraceDatWriter): void {
  const out = new FileOut(path, !w.opts.bigEndian);
  try {
    if (w.opts.version === 6) assembleV6(out, w);
    else assembleV7(out, w);
  } finally {
    out.close();
  }
}
