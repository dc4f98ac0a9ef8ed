// Decompression limits and sizes from the file: zlib/zstd bombs inside trace.dat (a CPU chunk and a
// metadata section), inside perf.data (PERF_RECORD_COMPRESSED) and around text (zstd wrapper) are
// refused with a clear error or read in bounded memory; sizes and counts claiming more than the
// file holds are refused before anything that size is allocated; deep nesting in a print fmt does
// not recurse without bound. Bombs are built here: zstd from RLE blocks (RFC 8878 §3.1.1.2: a
// 4-byte block stands for 128 KiB), zlib by deflating zeros.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_DEPTH, parsePrintFmt } from '../../src/ingest/tracedat/print-fmt.js';
import { writeScenario } from '../../src/sim/scenarios/index.js';
import { traceDatLayout } from './layout-tracedat.js';
import { perfLayout } from './layout-perf.js';
import type { Field } from './mutate.js';
import { FuzzPool } from './pool.js';

const pool = new FuzzPool(60_000);
afterAll(() => pool.close());

/** A zstd frame (no content size) of `raw` verbatim then `rleBytes` copies of `byte`. */
export function zstdBomb(rleBytes: number, byte: number, raw = new Uint8Array(0)): Uint8Array {
  const BLOCK = 128 << 10;
  const out: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3]; // magic, FHD 0, window 2^17
  const header = (last: boolean, type: number, size: number) => {
    const h = (last ? 1 : 0) | (type << 1) | (size << 3);
    out.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff);
  };
  for (let p = 0; p < raw.length; p += BLOCK) {
    const piece = raw.subarray(p, p + BLOCK);
    header(false, 0, piece.length);
    out.push(...piece);
  }
  for (let left = rleBytes; left > 0; left -= BLOCK) {
    header(left <= BLOCK, 1, Math.min(BLOCK, left));
    out.push(byte);
  }
  return Uint8Array.from(out);
}

function put(b: Uint8Array, f: Field, v: number): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (f.size === 8) dv.setBigUint64(f.at, BigInt(v), f.little);
  else dv.setUint32(f.at, v, f.little);
}
const field = (fields: Field[], what: string) => fields.find((f) => f.what === what)!;
const cat = (...p: Uint8Array[]) => Uint8Array.from(Buffer.concat(p));
const u32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};

/** The trace.dat with its first CPU's block replaced by one chunk (appended at the end). */
function withCpuChunk(trace: Uint8Array, compressed: Uint8Array, claimed: number): Uint8Array {
  const L = traceDatLayout(trace);
  // 4 spare bytes: trace-cmd's CPU size leaves out the chunk count (page-source.ts), the simulator's does not
  const b = cat(trace, u32(1), u32(compressed.length), u32(claimed), compressed, u32(0));
  put(b, field(L.fields, 'BUFFER cpu offset'), trace.length);
  put(b, field(L.fields, 'BUFFER cpu size'), 12 + compressed.length);
  return b;
}

/** The trace.dat with its kallsyms section replaced by a compressed one appended at the end. */
function withKallsyms(trace: Uint8Array, compressed: Uint8Array, claimed: number): Uint8Array {
  const L = traceDatLayout(trace);
  const hdr = new Uint8Array(16);
  const dv = new DataView(hdr.buffer);
  dv.setUint16(0, 19, true);
  dv.setUint16(2, 1, true); // compressed
  dv.setUint32(4, 0xffffffff, true);
  dv.setBigUint64(8, BigInt(8 + compressed.length), true);
  const b = cat(trace, hdr, u32(compressed.length), u32(claimed), compressed);
  put(b, field(L.fields, 'option 19 section offset'), trace.length);
  return b;
}

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-limits-'));
function sim(compression: 'zlib' | 'none'): Uint8Array {
  const p = join(dir, `${compression}.dat`);
  writeScenario('one-long-exit', p, { version: 7, compression });
  return new Uint8Array(readFileSync(p));
}
const zstdTrace = new Uint8Array(readFileSync('fixtures/fuzz/seeds/sim-v7-zstd.dat'));

/** Runs an input; returns its one-line error or the data-quality codes of its report. */
async function outcomeOf(bytes: Uint8Array): Promise<{ text: string; growthMb: number; ms: number }> {
  const r = await pool.run(bytes);
  const o = r.outcome;
  const text = o.kind === 'error' ? o.message : o.kind === 'report' ? `report ${o.events} events ${o.warnings.join(' ')}\n${o.messages.join('\n')}` : JSON.stringify(o);
  return { text, growthMb: r.growthMb, ms: r.ms };
}

describe('decompression bombs', () => {
  it('trace.dat zlib CPU chunk inflating past its declared size', async () => {
    const r = await outcomeOf(withCpuChunk(sim('zlib'), deflateSync(Buffer.alloc(64 << 20)), 40960));
    expect(r.text).toMatch(/zlib decompression failed: data inflates past the 40960 bytes its header declares \(refusing a likely decompression bomb\)/);
    expect(r.growthMb).toBeLessThan(256);
  });
  it('trace.dat zstd CPU chunk decompressing past its declared size', async () => {
    const r = await outcomeOf(withCpuChunk(zstdTrace, zstdBomb(1 << 30, 0), 40960));
    expect(r.text).toMatch(/zstd data does not fit the 40960 bytes its header declares \(its raw and RLE blocks alone make 1073741824\): refusing a likely decompression bomb/);
    expect(r.growthMb).toBeLessThan(256);
  });
  it('trace.dat compressed metadata section (kallsyms) inflating past its declared size', async () => {
    const r = await outcomeOf(withKallsyms(sim('zlib'), deflateSync(Buffer.alloc(32 << 20, 0x41)), 100));
    expect(r.text).toMatch(/zlib decompression failed: data inflates past the 100 bytes its header declares.*\(at byte \d+\)$/);
  });
  it('trace.dat block claiming more than the per-block limit', async () => {
    const r = await outcomeOf(withKallsyms(sim('zlib'), deflateSync(Buffer.from('x')), 0xffffffff));
    expect(r.text).toMatch(/compressed block claims 4294967295 bytes uncompressed, over the 536870912-byte limit/);
  });
  it('perf.data PERF_RECORD_COMPRESSED expanding to 1 GiB of zeros', async () => {
    const pipe = new Uint8Array(readFileSync('fixtures/perf/pipe.data'));
    const cut = perfLayout(pipe).records.filter((x) => x.end <= 32 << 10).pop()!.end;
    const frame = zstdBomb(1 << 30, 0);
    const rec = cat(u32(81), Uint8Array.of(0, 0, (8 + frame.length) & 0xff, (8 + frame.length) >> 8), frame);
    const r = await outcomeOf(cat(pipe.subarray(0, cut), rec));
    expect(r.text).toMatch(/zstd stream error in compressed record: decompressed data waiting for a record exceeds 134217728 bytes \(at byte \d+\)$/);
    expect(r.growthMb).toBeLessThan(256);
  });
  it('zstd-wrapped text expanding 256 MiB from 8 KiB is refused by the ratio limit', async () => {
    const text = readFileSync('fixtures/fuzz/seeds/trace-cmd-report.txt');
    const r = await outcomeOf(zstdBomb(256 << 20, 0x61, text.subarray(0, 4096)));
    expect(r.text).toMatch(/zstd data expands more than 1000× \(\d+ bytes from \d+ compressed\): refusing a likely decompression bomb/);
    expect(r.growthMb).toBeLessThan(256);
  });
});

describe('sizes from the file are checked before allocating', () => {
  const cases: Array<[string, Uint8Array, string, number, RegExp]> = [
    ['v7 section size', zstdTrace, 'section 16 size', 2 ** 40, /section 16 of 1099511627776 bytes runs past the end of the file|impossibly large/],
    ['BUFFER CPU count', zstdTrace, 'BUFFER cpu count', 0xffffffff, /BUFFER option lists 4294967295 CPUs/],
    ['BUFFER CPU offset', zstdTrace, 'BUFFER cpu offset', 2 ** 50, /starts past the end of the file/],
  ];
  for (const [name, seed, what, value, pattern] of cases) {
    it(name, async () => {
      const b = new Uint8Array(seed);
      put(b, field(traceDatLayout(seed).fields, what), value);
      const r = await outcomeOf(b);
      expect(r.text).toMatch(pattern);
      expect(r.growthMb).toBeLessThan(64);
    });
  }
  it('perf.data attr and data sections past the end of the file', async () => {
    const f = new Uint8Array(readFileSync('fixtures/perf/file-one-event.data'));
    for (const what of ['attrs size', 'data offset', 'data size']) {
      const b = new Uint8Array(f);
      put(b, field(perfLayout(f).fields, what), 2 ** 52);
      const r = await outcomeOf(b);
      expect(r.text, what).toMatch(/\(at byte \d+\)$/);
      expect(r.growthMb).toBeLessThan(64);
    }
  });
});

describe('no recursion on untrusted depth', () => {
  it('a print fmt nested 100 000 deep is refused, not a stack overflow', () => {
    const deep = `"%d", ${'('.repeat(100_000)}REC->x${')'.repeat(100_000)}`;
    expect(() => parsePrintFmt(deep)).toThrow(/nesting deeper than \d+/);
  });
  it('a trace.dat whose kvm_exit print fmt nests past the depth limit still gets a report (reasons by number)', async () => {
    const t = sim('none');
    const text = Buffer.from(t).toString('latin1');
    const at = text.indexOf('print fmt: "reason %s', text.indexOf('name: kvm_exit\n'));
    const eol = text.indexOf('\n', at);
    const depth = Math.floor((eol - at - 30) / 2);
    const nested = `print fmt: "%d", ${'('.repeat(depth)}REC->x${')'.repeat(depth)}`.padEnd(eol - at, ' ');
    const b = Uint8Array.from(Buffer.from(text.slice(0, at) + nested + text.slice(eol), 'latin1'));
    expect(b.length).toBe(t.length);
    expect(depth).toBeGreaterThan(MAX_DEPTH);
    const r = await outcomeOf(b);
    expect(r.text.split('\n')[0]).toBe('report 389 events entry-without-exit:2'); // 2 vCPUs were in the guest at the start
  });
});
