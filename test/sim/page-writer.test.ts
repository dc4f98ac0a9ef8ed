// Byte-level checks of ring-buffer pages (kernel ring_buffer.c / libtraceevent kbuffer-parse.c rules).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PageWriter } from '../../src/sim/page-writer.js';
import { readChunk } from '../../src/sim/file-out.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-pw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function pages(opts: { be?: boolean; long?: 4 | 8; force8?: boolean; pageSize?: number; spool?: number }, fill: (w: PageWriter) => void): { buf: Buffer; dv: DataView; le: boolean } {
  const w = new PageWriter({ pageSize: opts.pageSize ?? 4096, longSize: opts.long ?? 8, bigEndian: !!opts.be, force8ByteAlign: opts.force8, tmpDir: dir, spoolBytes: opts.spool }, `p${n++}`);
  fill(w);
  w.finish();
  const buf = Buffer.concat([...w.chunks(readChunk)]);
  expect(buf.length).toBe(w.bytes);
  return { buf, dv: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), le: !opts.be };
}

const word = (dv: DataView, off: number, le: boolean): { tl: number; d: number } => {
  const w = dv.getUint32(off, le);
  return le ? { tl: w & 31, d: w >>> 5 } : { tl: w >>> 27, d: w & 0x7ffffff };
};

describe('PageWriter', () => {
  for (const be of [false, true]) {
    for (const long of [8, 4] as const) {
      it(`page header, word layout, small/large records (${be ? 'BE' : 'LE'}, klong ${long})`, () => {
        const { dv, le, buf } = pages({ be, long }, (w) => {
          w.addEvent(10_000n, new Uint8Array(16).fill(1));
          w.addEvent(10_050n, new Uint8Array(12).fill(2));
          w.addEvent(10_060n, new Uint8Array(112).fill(3)); // largest type_len 28
          w.addEvent(10_070n, new Uint8Array(113).fill(4)); // type_len 0
        });
        const d0 = 8 + long;
        expect(dv.getBigUint64(0, le)).toBe(10_000n);
        const commit = long === 8 ? Number(dv.getBigUint64(8, le)) : dv.getUint32(8, le);
        expect(commit).toBe(20 + 16 + 116 + 4 + 4 + 116); // 113 rounds to 116, + len word
        expect(word(dv, d0, le)).toEqual({ tl: 4, d: 0 });
        expect(word(dv, d0 + 20, le)).toEqual({ tl: 3, d: 50 });
        expect(word(dv, d0 + 36, le)).toEqual({ tl: 28, d: 10 });
        expect(word(dv, d0 + 152, le)).toEqual({ tl: 0, d: 10 });
        expect(dv.getUint32(d0 + 156, le)).toBe(120); // array[0] = payload(aligned) + 4
        expect(buf[d0 + 160]).toBe(4);
        expect(buf.subarray(d0 + commit).every((b) => b === 0)).toBe(true);
      });
    }
  }

  it('time extend for deltas >= 2^27 and a fresh page timestamp on page change', () => {
    const { dv } = pages({}, (w) => {
      w.addEvent(1_000n, new Uint8Array(8));
      w.addEvent(1_000n + (1n << 27n), new Uint8Array(8)); // exactly 2^27 needs an extend
      w.addEvent(1_000n + (1n << 27n) + 5n, new Uint8Array(8));
    });
    expect(word(dv, 16 + 12, true)).toEqual({ tl: 30, d: 0 });
    expect(dv.getUint32(16 + 16, true)).toBe(1);
    expect(word(dv, 16 + 20, true)).toEqual({ tl: 2, d: 0 });
    expect(word(dv, 16 + 32, true)).toEqual({ tl: 2, d: 5 });
  });

  it('missed events: bit 31 alone, or bits 31+30 with the klong count after the data', () => {
    for (const long of [8, 4] as const) {
      const { dv } = pages({ long }, (w) => {
        w.addEvent(1n, new Uint8Array(8));
        w.markMissed('unknown');
        w.addEvent(2n, new Uint8Array(8));
        w.markMissed(12345);
        w.addEvent(3n, new Uint8Array(8));
      });
      const c = (p: number): number => (long === 8 ? Number(dv.getBigUint64(p * 4096 + 8, true)) : dv.getUint32(p * 4096 + 8, true));
      expect(c(0)).toBe(12);
      expect(c(1)).toBe((0x80000000 | 12) >>> 0);
      expect(c(2)).toBe((0xc0000000 | 12) >>> 0);
      const at = 2 * 4096 + 8 + long + 12;
      expect(long === 8 ? Number(dv.getBigUint64(at, true)) : dv.getUint32(at, true)).toBe(12345);
    }
  });

  it('forced 8-byte alignment uses type_len 0 for every record', () => {
    const { dv } = pages({ force8: true }, (w) => {
      w.addEvent(1n, new Uint8Array(4));
      w.addEvent(2n, new Uint8Array(12));
    });
    expect(word(dv, 16, true)).toEqual({ tl: 0, d: 0 });
    expect(dv.getUint32(20, true)).toBe(12); // 4+8 rounded to 16 → array[0] = 12
    expect(word(dv, 32, true)).toEqual({ tl: 0, d: 1 });
    expect(dv.getUint32(36, true)).toBe(20);
  });

  it('padding and absolute time stamp records', () => {
    const { dv } = pages({}, (w) => {
      w.addEvent(100n, new Uint8Array(8));
      w.addPadding(130n, 10);
      w.addAbsoluteTimestamp((5n << 27n) + 7n);
    });
    expect(word(dv, 28, true)).toEqual({ tl: 29, d: 30 });
    expect(dv.getUint32(32, true)).toBe(12);
    expect(word(dv, 44, true)).toEqual({ tl: 31, d: 7 });
    expect(dv.getUint32(48, true)).toBe(5);
  });

  it('spills to the temp file and streams pages back in order; rejects decreasing time', () => {
    const { dv, buf } = pages({ spool: 8192 }, (w) => {
      for (let i = 0; i < 2000; i++) w.addEvent(BigInt(i * 10), new Uint8Array([i & 255, 0, 0, 0, 0, 0, 0, 0]));
      expect(() => w.addEvent(5n, new Uint8Array(8))).toThrow(/must not decrease/);
    });
    expect(buf.length % 4096).toBe(0);
    let ts = -1n;
    for (let p = 0; p < buf.length; p += 4096) {
      const t = dv.getBigUint64(p, true);
      expect(t > ts).toBe(true);
      ts = t;
    }
  });
});
