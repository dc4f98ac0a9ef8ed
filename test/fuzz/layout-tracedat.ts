// Where the sections, size/offset/count fields and pages of an intact trace.dat are (fuzz targets).
// Layout facts from /work/shared/reference/trace-formats.md §1 (v6: header, header_page/event,
// ftrace and event formats, kallsyms, printk, cmdlines, options, flyrecord table) and §2 (v7: 16-byte
// section headers, compressed blocks, options chain, BUFFER option, per-CPU chunk lists).
import type { Field, Layout } from './mutate.js';

class Scan {
  readonly dv: DataView;
  readonly layout: Layout = { boundaries: [], fields: [], sections: [], records: [] };
  little = true;
  constructor(readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u(at: number, size: 2 | 4 | 8, what?: string): number {
    if (what) this.field(at, size, what);
    if (size === 2) return this.dv.getUint16(at, this.little);
    if (size === 4) return this.dv.getUint32(at, this.little);
    return Number(this.dv.getBigUint64(at, this.little));
  }
  field(at: number, size: Field['size'], what: string): void {
    this.layout.fields.push({ at, size, little: this.little, what });
  }
  cstr(at: number): [string, number] {
    let e = at;
    while (this.b[e] !== 0) e++;
    return [new TextDecoder().decode(this.b.subarray(at, e)), e + 1];
  }
  section(start: number, end: number, what: string): void {
    this.layout.sections.push({ start, end, what });
    this.layout.boundaries.push(start, end);
  }
  pages(start: number, end: number, pageSize: number): void {
    for (let p = start; p + pageSize <= end; p += pageSize) this.layout.records.push({ start: p, end: p + pageSize, what: 'page' });
  }
}

/** v6 metadata (also the uncompressed payload of v7 sections 16–21) starting at `at`; returns the end. */
function headers(s: Scan, at: number): number {
  for (const tag of ['header_page', 'header_event']) {
    const st = at;
    at += tag.length + 1;
    const n = s.u(at, 8, `${tag} size`);
    at += 8 + n;
    s.section(st, at, tag);
  }
  return at;
}
function formatList(s: Scan, at: number, what: string): number {
  const n = s.u(at, 4, `${what} count`);
  at += 4;
  for (let i = 0; i < n; i++) {
    const len = s.u(at, 8, `${what} format size`);
    s.section(at, at + 8 + len, `${what} format`);
    at += 8 + len;
  }
  return at;
}
function eventSystems(s: Scan, at: number): number {
  const n = s.u(at, 4, 'system count');
  at += 4;
  for (let i = 0; i < n; i++) at = formatList(s, s.cstr(at)[1], 'system');
  return at;
}
function sized(s: Scan, at: number, size: 4 | 8, what: string): number {
  const n = s.u(at, size, `${what} size`);
  s.section(at, at + size + n, what);
  return at + size + n;
}

function cpuBlock(s: Scan, off: number, size: number, pageSize: number, compressed: boolean): void {
  s.section(off, off + size, 'cpu data');
  if (!compressed) return s.pages(off, off + size, pageSize);
  const k = s.u(off, 4, 'chunk count');
  let at = off + 4;
  for (let i = 0; i < k && at + 8 <= off + size; i++) {
    const z = s.u(at, 4, 'chunk compressed size');
    s.u(at + 4, 4, 'chunk uncompressed size');
    s.layout.records.push({ start: at, end: at + 8 + z, what: 'chunk' });
    s.layout.boundaries.push(at, at + 8, at + 8 + z);
    at += 8 + z;
  }
}

function layoutV6(s: Scan, at: number, pageSize: number): void {
  at = headers(s, at);
  at = formatList(s, at, 'ftrace');
  at = eventSystems(s, at);
  at = sized(s, at, 4, 'kallsyms');
  at = sized(s, at, 4, 'printk');
  at = sized(s, at, 8, 'cmdlines');
  const cpus = s.u(at, 4, 'cpu count');
  at += 4;
  const flyrecords: number[] = [];
  if (s.cstr(at)[0].startsWith('options')) {
    at += 10;
    for (;;) {
      const id = s.u(at, 2);
      if (id === 0) {
        at += 2;
        break;
      }
      const n = s.u(at + 2, 4, `option ${id} size`);
      if (id === 3) flyrecords.push(s.u(at + 6, 8, 'BUFFER offset'));
      s.section(at, at + 6 + n, `option ${id}`);
      at += 6 + n;
    }
  }
  s.layout.boundaries.push(at);
  flyrecords.unshift(at);
  for (const fr of flyrecords) {
    let p = fr + 10; // "flyrecord\0"
    for (let c = 0; c < cpus; c++, p += 16) {
      const off = s.u(p, 8, `cpu${c} offset`);
      const size = s.u(p + 8, 8, `cpu${c} size`);
      if (size > 0) cpuBlock(s, off, size, pageSize, false);
    }
  }
}

function layoutV7(s: Scan, at: number): void {
  [, at] = s.cstr(at); // algorithm
  [, at] = s.cstr(at); // its version
  s.u(at, 8, 'first options offset');
  at += 8;
  const buffers: Array<{ off: number; size: number; pageSize: number }> = [];
  const compressedFile = new Set<number>();
  // Linear walk over the sections (their sizes cover everything up to the next header).
  while (at + 16 <= s.b.length) {
    const id = s.u(at, 2);
    const flags = s.u(at + 2, 2);
    const size = s.u(at + 8, 8, `section ${id} size`);
    s.field(at, 2, 'section id');
    s.section(at, at + 16 + size, `section ${id}`);
    const data = at + 16;
    if (flags & 1 && id !== 3) {
      s.u(data, 4, `section ${id} compressed size`);
      s.u(data + 4, 4, `section ${id} uncompressed size`);
    } else if (id === 3 && flags & 1) compressedFile.add(at);
    else if (id === 16) headers(s, data);
    else if (id === 17) formatList(s, data, 'ftrace');
    else if (id === 18) eventSystems(s, data);
    else if (id === 19 || id === 20) sized(s, data, 4, id === 19 ? 'kallsyms' : 'printk');
    else if (id === 21) sized(s, data, 8, 'cmdlines');
    else if (id === 0) options(s, data, data + size, buffers);
    at = data + size;
  }
  for (const b of buffers) cpuBlock(s, b.off, b.size, b.pageSize, compressedFile.size > 0);
}

function options(s: Scan, at: number, end: number, buffers: Array<{ off: number; size: number; pageSize: number }>): void {
  while (at + 6 <= end) {
    const id = s.u(at, 2);
    const n = s.u(at + 2, 4, `option ${id} size`);
    const p = at + 6;
    s.section(at, p + n, `option ${id}`);
    if (id === 0) {
      s.u(p, 8, 'next options offset');
      return;
    }
    if ((id >= 16 && id <= 21) || id === 23 || id === 25) s.u(p, 8, `option ${id} section offset`);
    if (id === 3) {
      s.u(p, 8, 'BUFFER section offset');
      let q = s.cstr(p + 8)[1];
      q = s.cstr(q)[1];
      const pageSize = s.u(q, 4, 'BUFFER page size');
      const c = s.u(q + 4, 4, 'BUFFER cpu count');
      for (let i = 0; i < c; i++) {
        const e = q + 8 + i * 20;
        s.u(e, 4, 'BUFFER cpu id');
        buffers.push({ off: s.u(e + 4, 8, 'BUFFER cpu offset'), size: s.u(e + 12, 8, 'BUFFER cpu size'), pageSize });
      }
    }
    at = p + n;
  }
}

/** Layout of an intact trace.dat (v6 or v7). */
export function traceDatLayout(b: Uint8Array): Layout {
  const s = new Scan(b);
  const [version, at] = s.cstr(10);
  s.little = b[at] === 0;
  s.layout.boundaries.push(3, 10, at, at + 1, at + 2, at + 6);
  s.field(at + 2, 4, 'page size');
  const pageSize = s.u(at + 2, 4);
  if (version === '6') layoutV6(s, at + 6, pageSize);
  else layoutV7(s, at + 6);
  s.layout.boundaries = [...new Set(s.layout.boundaries)].filter((x) => x > 0 && x < b.length).sort((x, y) => x - y);
  return s.layout;
}

