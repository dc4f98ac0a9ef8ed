// trace.dat version 7: sections with 16-byte headers (u16 id, u16 flags, u32 string id, u64 size),
// reached through a chain of options sections that starts at the offset in the file header.
// Metadata sections may be compressed as one block (u32 Z, u32 U, data); flyrecord CPU blocks are
// lists of compressed chunks, located by BUFFER options. Layout: trace-formats.md §2; trace-cmd
// trace-input.c read_section_header, handle_options, handle_buffer_option, init_cpu_zpage.
import { InputError } from '../../diag/errors.js';
import { BufferSource, type ByteSource } from '../io/byte-source.js';
import { Cursor } from '../io/cursor.js';
import { decompressBlock } from './decompress.js';
import type { CpuData, TraceDatFile } from './file-info.js';
import {
  readEventFormats, readFtraceFormats, readHeaderInfo, readSizedText32, readSizedText64,
} from './metadata.js';
import { applyOption } from './options.js';
import { parseCpuStat, recoverFlyrecord, type CpuStat } from './recover-v7.js';
import { parseSavedCmdlines } from './symbols.js';

const SECTION_FLAG_COMPRESSED = 1;
const MAX_OPTION_SECTIONS = 1024;
const MAX_CPUS = 1 << 16;

interface Section {
  id: number;
  flags: number;
  /** Offset of the payload (after the 16-byte header). */
  start: number;
  size: number;
}

function readSectionHeader(src: ByteSource, offset: number, little: boolean, expectId?: number): Section {
  const c = new Cursor(src, offset);
  c.little = little;
  const id = c.u16('section id');
  const flags = c.u16('section flags');
  c.i32('section description');
  const size = c.u64('section size');
  if (expectId !== undefined && id !== expectId) {
    throw new InputError(`expected section ${expectId} but found section ${id}`, offset);
  }
  if (offset + 16 + size > src.size) {
    throw new InputError(`section ${id} of ${size} bytes runs past the end of the file`, offset);
  }
  return { id, flags, start: offset + 16, size };
}

/** A cursor over a section's payload, decompressed when the section says so. */
function sectionCursor(src: ByteSource, file: TraceDatFile, sec: Section): Cursor {
  if (!(sec.flags & SECTION_FLAG_COMPRESSED) || file.compression === 'none') {
    const c = new Cursor(src, sec.start, sec.start + sec.size);
    c.little = file.little;
    return c;
  }
  const h = new Cursor(src, sec.start, sec.start + sec.size);
  h.little = file.little;
  const z = h.u32('compressed size');
  const u = h.u32('uncompressed size');
  const data = h.bytes(z, 'compressed section');
  const plain = decompressBlock(file.compression, data, u, sec.start);
  const c = new Cursor(new BufferSource(plain));
  c.little = file.little;
  return c;
}

function readBufferOption(file: TraceDatFile, payload: Uint8Array, at: number, src: ByteSource): void {
  const c = new Cursor(new BufferSource(payload));
  c.little = file.little;
  const sectionOffset = c.u64('BUFFER section offset');
  const name = c.cstring('BUFFER name', 4096);
  const clock = c.cstring('BUFFER clock', 4096);
  const pageSize = c.u32('BUFFER page size');
  const n = c.u32('BUFFER CPU count');
  if (n > MAX_CPUS) throw new InputError(`BUFFER option lists ${n} CPUs`, at);
  const cpus: CpuData[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const cpu = c.u32('BUFFER cpu id');
    const offset = c.u64('BUFFER cpu offset');
    const size = c.u64('BUFFER cpu size');
    if (cpu >= MAX_CPUS) throw new InputError(`BUFFER "${name}" lists CPU ${cpu}, an implausible CPU number`, at);
    if (seen.has(cpu)) throw new InputError(`BUFFER "${name}" lists CPU ${cpu} twice`, at);
    seen.add(cpu);
    if (offset > src.size) throw new InputError(`CPU ${cpu} data of buffer "${name}" starts past the end of the file (offset ${offset})`, at);
    if (size > 0) cpus.push({ cpu, offset, size });
  }
  const sec = readSectionHeader(src, sectionOffset, file.little, 3);
  if (pageSize < 64 || pageSize > (1 << 24)) throw new InputError(`BUFFER "${name}" page size ${pageSize} is implausible`, at);
  file.buffers.push({ name, clock: clock || file.options.clock || 'local', pageSize, cpus, compressed: (sec.flags & SECTION_FLAG_COMPRESSED) !== 0 && file.compression !== 'none' });
}

/** Reads the options chain and the sections it points at (cursor just after the compression header). */
export function readLayoutV7(src: ByteSource, firstOptions: number, file: TraceDatFile): void {
  const pointers = new Map<number, number>();
  const bufferOpts: Array<{ payload: Uint8Array; at: number }> = [];
  const visited = new Set<number>();
  const stats: CpuStat[] = [];
  let next = firstOptions;
  let cutAt = -1;
  let optionsEnd = 0;
  while (next !== 0) {
    if (visited.has(next) || visited.size >= MAX_OPTION_SECTIONS) throw new InputError('options sections form a loop', next);
    if (next + 16 > src.size) {
      // trace-cmd writes the BUFFER options (where each CPU's data lies) after the data: a v7 file
      // cut short loses them; recover-v7.ts finds the data again once the metadata is read.
      cutAt = next;
      break;
    }
    visited.add(next);
    const sec = readSectionHeader(src, next, file.little, 0);
    optionsEnd = sec.start + sec.size;
    const c = sectionCursor(src, file, sec);
    next = 0;
    while (c.remaining > 0) {
      const at = c.pos;
      const id = c.u16('option id');
      const size = c.u32('option size');
      const payload = c.bytes(size, `option ${id}`);
      if (id === 0) {
        if (size >= 8) next = Number(new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0, file.little));
        break;
      }
      file.options.seen.push(id);
      if (id === 3) bufferOpts.push({ payload, at });
      else if (id === 2) {
        const st = parseCpuStat(new TextDecoder('latin1').decode(payload));
        if (st) stats.push(st);
      }
      else if (id >= 16 && id <= 25 && id !== 22 && id !== 24) {
        if (size >= 8) pointers.set(id, Number(new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0, file.little)));
      } else if (id === 22) {
        file.notes.push('file has a latency (text) buffer, not analysed');
      } else applyOption(file.options, id, payload, file.little, at + 6);
    }
  }
  const section = (id: number, what: string, required: boolean): Cursor | undefined => {
    const off = pointers.get(id);
    if (off === undefined) {
      if (required) throw new InputError(`no ${what} section`, 0);
      return undefined;
    }
    return sectionCursor(src, file, readSectionHeader(src, off, file.little, id));
  };
  const hi = readHeaderInfo(section(16, 'header info', true)!);
  file.headerPage = hi.headerPage;
  file.kernelLongSize = hi.headerPage.commitSize;
  const ft = section(17, 'ftrace events', false);
  if (ft) readFtraceFormats(ft, file.formats, file.badFormats, file.kernelLongSize);
  const ev = section(18, 'event formats', false);
  if (ev) readEventFormats(ev, file.formats, file.badFormats, file.kernelLongSize);
  const ks = section(19, 'kallsyms', false);
  if (ks) file.kallsyms = readSizedText32(ks, 'kallsyms');
  const pk = section(20, 'printk', false);
  if (pk) file.printk = readSizedText32(pk, 'printk formats');
  const cl = section(21, 'command lines', false);
  if (cl) file.cmdlines = parseSavedCmdlines(readSizedText64(cl, 'saved cmdlines'));
  for (const b of bufferOpts) readBufferOption(file, b.payload, b.at, src);
  if (cutAt >= 0 && bufferOpts.length === 0) {
    const what = recoverFlyrecord(src, file, optionsEnd, stats);
    if (!what) {
      throw new InputError(
        `file is truncated: its options section at byte ${cutAt} lies past the end (${src.size} bytes); ` +
          'v7 keeps the table of per-CPU data there, and no CPU data could be found by walking the file',
        src.size,
      );
    }
    file.recovered = `file is truncated (its options section at byte ${cutAt} lies past the end, ${src.size} bytes): ${what}`;
  }
}
