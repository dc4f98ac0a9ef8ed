// Structural checks of v7 files without trace-cmd: a minimal independent section walker verifies
// that a zlib file decompresses to exactly the same metadata and page streams as the uncompressed
// file (trace-cmd on this host is built without zlib, so this is the zlib verification).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFormatSet } from '../../src/sim/format-set.js';
import { TraceDatWriter } from '../../src/sim/tracedat-writer.js';
import type { WriterOptions } from '../../src/sim/tracedat-writer.js';

const FORMATS = loadFormatSet('fixtures/formats/linux-6.18');
const dir = mkdtempSync(join(tmpdir(), 'sim-v7-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Parsed {
  comp: string;
  compVersion: string;
  sections: Map<number, Uint8Array[]>;
  buffers: Array<{ name: string; clock: string; pageSize: number; cpus: Array<{ cpu: number; data: Uint8Array; chunks: number[] }> }>;
}

function parseV7(buf: Buffer): Parsed {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  expect(buf.subarray(0, 10).toString('latin1')).toBe('\x17\x08\x44tracing');
  let p = 10;
  const cstr = (): string => {
    const e = buf.indexOf(0, p);
    const s = buf.subarray(p, e).toString('latin1');
    p = e + 1;
    return s;
  };
  expect(cstr()).toBe('7');
  const le = buf[p] === 0;
  p += 2;
  const pageSize = dv.getUint32(p, le);
  p += 4;
  const comp = cstr();
  const compVersion = cstr();
  const firstOpt = Number(dv.getBigUint64(p, le));
  p += 8;
  const u32 = (o: number): number => dv.getUint32(o, le);
  const u64 = (o: number): number => Number(dv.getBigUint64(o, le));
  const sections = new Map<number, Uint8Array[]>();
  const payload = (at: number): Uint8Array => {
    const flags = dv.getUint16(at + 2, le);
    const size = u64(at + 8);
    const body = buf.subarray(at + 16, at + 16 + size);
    if (!(flags & 1)) return body;
    const z = u32(at + 16);
    const u = u32(at + 20);
    expect(8 + z).toBe(size);
    const out = inflateSync(buf.subarray(at + 24, at + 24 + z));
    expect(out.length).toBe(u);
    return out;
  };
  // Linear walk: sections are back to back up to EOF.
  for (let at = p; at < buf.length; at += 16 + u64(at + 8)) {
    const id = dv.getUint16(at, le);
    if (id === 3) continue;
    if (!sections.has(id)) sections.set(id, []);
    sections.get(id)!.push(payload(at));
  }
  // Options chain.
  const buffers: Parsed['buffers'] = [];
  for (let at = firstOpt; at !== 0;) {
    expect(dv.getUint16(at, le)).toBe(0);
    const body = payload(at);
    const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    let q = 0;
    let next = 0;
    for (;;) {
      const id = bv.getUint16(q, le);
      const size = bv.getUint32(q + 2, le);
      const o = q + 6;
      q = o + size;
      if (id === 0) {
        next = Number(bv.getBigUint64(o, le));
        break;
      }
      if (id !== 3) continue;
      const b = Buffer.from(body.subarray(o, o + size));
      let r = 8;
      const s = (): string => {
        const e = b.indexOf(0, r);
        const t = b.subarray(r, e).toString('latin1');
        r = e + 1;
        return t;
      };
      const name = s();
      const clock = s();
      const ps = le ? b.readUInt32LE(r) : b.readUInt32BE(r);
      const n = le ? b.readUInt32LE(r + 4) : b.readUInt32BE(r + 4);
      r += 8;
      const cpus = [];
      for (let i = 0; i < n; i++, r += 20) {
        const cpu = le ? b.readUInt32LE(r) : b.readUInt32BE(r);
        const off = Number(le ? b.readBigUInt64LE(r + 4) : b.readBigUInt64BE(r + 4));
        const size2 = Number(le ? b.readBigUInt64LE(r + 12) : b.readBigUInt64BE(r + 12));
        expect(off % ps).toBe(0);
        if (comp === 'none') cpus.push({ cpu, data: buf.subarray(off, off + size2), chunks: [] });
        else {
          const k = u32(off);
          const parts: Uint8Array[] = [];
          const chunks: number[] = [];
          let c = off + 4;
          for (let j = 0; j < k; j++) {
            const z = u32(c);
            const u = u32(c + 4);
            const d = inflateSync(buf.subarray(c + 8, c + 8 + z));
            expect(d.length).toBe(u);
            chunks.push(u);
            parts.push(d);
            c += 8 + z;
          }
          expect(c - off).toBe(size2);
          cpus.push({ cpu, data: Buffer.concat(parts), chunks });
        }
      }
      buffers.push({ name, clock, pageSize: ps, cpus });
    }
    at = next;
  }
  void pageSize;
  return { comp, compVersion, sections, buffers };
}

function write(path: string, o: Partial<WriterOptions>): void {
  const w = new TraceDatWriter(FORMATS, { version: 7, cpus: 4, instances: [{ name: 'inst', clock: 'mono', pageSize: 8192 }], ...o } as WriterOptions);
  let t = 5_000_000n;
  for (let i = 0; i < 3000; i++) {
    t += 1000n + BigInt(i % 13) * 97n;
    w.add({ cpu: i % 3, ts: t, event: 'kvm_exit', pid: 10 + (i % 3), values: { exit_reason: i, vcpu_id: i % 3 } });
    if (i % 50 === 0) w.add({ cpu: 1, ts: t + 1n, event: 'sched_wakeup', pid: 1, values: { comm: 'x', pid: i } }, 'inst');
  }
  w.finishSync(path);
}

describe('v7 structure', () => {
  for (const be of [false, true]) {
    it(`zlib output decompresses to the uncompressed output${be ? ' (big-endian)' : ''}`, () => {
      const a = join(dir, `none${be}.dat`);
      const b = join(dir, `zlib${be}.dat`);
      write(a, { bigEndian: be });
      write(b, { bigEndian: be, compression: 'zlib' });
      const pa = parseV7(readFileSync(a));
      const pb = parseV7(readFileSync(b));
      expect([pa.comp, pa.compVersion]).toEqual(['none', '']);
      expect([pb.comp, pb.compVersion]).toEqual(['zlib', '1.2.13']);
      for (const id of [15, 16, 17, 18, 19, 20, 21]) expect(Buffer.from(pb.sections.get(id)![0]).equals(Buffer.from(pa.sections.get(id)![0])), `section ${id}`).toBe(true);
      expect(pb.buffers.map((x) => [x.name, x.clock, x.pageSize])).toEqual([['', 'local', 4096], ['inst', 'mono', 8192]]);
      expect(pb.buffers[0].cpus.map((c) => c.cpu)).toEqual([0, 1, 2]); // cpu 3 has no data: omitted
      pb.buffers.forEach((bf, i) => bf.cpus.forEach((c, j) => {
        expect(Buffer.from(c.data).equals(Buffer.from(pa.buffers[i].cpus[j].data))).toBe(true);
        for (const u of c.chunks) expect(u % bf.pageSize === 0 && u <= 10 * bf.pageSize).toBe(true);
      }));
      // Strings section holds every section description.
      const strs = Buffer.from(pa.sections.get(15)![0]).toString('latin1').split('\0');
      expect(strs).toEqual(expect.arrayContaining(['headers', 'ftrace events', 'events format', 'kallsyms', 'printk', 'command lines', 'options', 'buffer flyrecord inst', 'strings']));
    });
  }
});
