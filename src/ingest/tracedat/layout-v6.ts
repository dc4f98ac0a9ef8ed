// trace.dat version 6: metadata back to back after the file header, then the CPU count, the
// `options  ` list (u16 id, u32 size, payload; id 0 ends it without a size), and the `flyrecord`
// table of (u64 offset, u64 size) per CPU. Buffer instances: BUFFER option = u64 offset of a second
// `flyrecord` table + name. Layout: trace-formats.md §1; trace-cmd trace-input.c read_headers_v6,
// handle_options, read_cpu_data; trace-output.c add_buffer_option_v6.
import { InputError } from '../../diag/errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { Cursor } from '../io/cursor.js';
import type { BufferInfo, CpuData, TraceDatFile } from './file-info.js';
import {
  readEventFormats, readFtraceFormats, readHeaderInfo, readSizedText32, readSizedText64,
} from './metadata.js';
import { applyOption } from './options.js';
import { parseSavedCmdlines } from './symbols.js';

const MAX_CPUS = 1 << 16;

function readTag(c: Cursor): string {
  const at = c.pos;
  const raw = c.bytes(10, 'section tag');
  const tag = new TextDecoder().decode(raw).replace(/\0.*$/s, '').trim();
  if (tag !== 'options' && tag !== 'latency' && tag !== 'flyrecord') {
    throw new InputError(`expected "options", "latency" or "flyrecord", found ${JSON.stringify(tag.slice(0, 10))}`, at);
  }
  return tag;
}

function readCpuTable(c: Cursor, cpus: number, fileSize: number): CpuData[] {
  const out: CpuData[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    const offset = c.u64(`CPU ${cpu} data offset`);
    const size = c.u64(`CPU ${cpu} data size`);
    if (size === 0) continue;
    if (offset > fileSize) throw new InputError(`CPU ${cpu} data starts past the end of the file (offset ${offset})`, c.pos - 16);
    out.push({ cpu, offset, size });
  }
  return out;
}

/** Reads everything after the file header (cursor positioned just after the page size). */
export function readLayoutV6(src: ByteSource, c: Cursor, file: TraceDatFile): void {
  const hi = readHeaderInfo(c);
  file.headerPage = hi.headerPage;
  file.kernelLongSize = hi.headerPage.commitSize;
  readFtraceFormats(c, file.formats, file.badFormats, file.kernelLongSize);
  readEventFormats(c, file.formats, file.badFormats, file.kernelLongSize);
  file.kallsyms = readSizedText32(c, 'kallsyms');
  file.printk = readSizedText32(c, 'printk formats');
  file.cmdlines = parseSavedCmdlines(readSizedText64(c, 'saved cmdlines'));
  const cpusAt = c.pos;
  const cpus = c.u32('CPU count');
  if (cpus > MAX_CPUS) throw new InputError(`CPU count ${cpus} is implausible`, cpusAt);

  const instances: Array<{ name: string; offset: number; at: number }> = [];
  let tag = readTag(c);
  if (tag === 'options') {
    for (;;) {
      const at = c.pos;
      const id = c.u16('option id');
      if (id === 0) break;
      const size = c.u32('option size');
      const payload = c.bytes(size, `option ${id}`);
      file.options.seen.push(id);
      if (id === 3) {
        if (payload.length < 9) throw new InputError('BUFFER option too short', at);
        const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
        const off = view.getBigUint64(0, file.little);
        const z = payload.indexOf(0, 8);
        const name = new TextDecoder().decode(payload.subarray(8, z >= 0 ? z : payload.length));
        instances.push({ name, offset: Number(off), at });
      } else {
        applyOption(file.options, id, payload, file.little, at + 6);
      }
    }
    tag = readTag(c);
  }
  if (tag === 'latency') {
    file.latencyText = c.text(Math.min(c.remaining, 64 << 20), 'latency text');
    return;
  }
  const clock = file.options.clock ?? 'local';
  const top: BufferInfo = {
    name: '', clock, pageSize: file.headerPageSize, compressed: false,
    cpus: readCpuTable(c, cpus, src.size),
  };
  file.buffers.push(top);
  for (const inst of instances) {
    const ic = new Cursor(src, inst.offset);
    ic.little = file.little;
    if (readTag(ic) !== 'flyrecord') throw new InputError(`buffer "${inst.name}" does not point at a flyrecord table`, inst.offset);
    file.buffers.push({
      name: inst.name, clock, pageSize: file.headerPageSize, compressed: false,
      cpus: readCpuTable(ic, file.options.cpuCount ?? cpus, src.size),
    });
  }
}
