// gzip / zstd wrapped inputs (by magic bytes, never by name), around text and around trace.dat;
// truncated streams keep what was read with a data-loss warning; bombs are refused.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/diag/errors.js';
import { openInput } from '../../../src/ingest/index.js';
import { decompressChunks, memoryChunks } from '../../../src/ingest/text/chunks.js';
import { decodeAll } from '../../helpers/decoded.js';
import { hasTraceCmd } from '../../helpers/tracecmd.js';
import { compareDecoded, textOf, zstdBomb } from './compare.js';

const dir = join(tmpdir(), `kvmtrace-wrapped-${process.pid}`);
const DAT = 'fixtures/tracedat/kvm-pinned/trace.dat';
const hasZstd = spawnSync('zstd', ['--version']).status === 0;

function zstd(data: Buffer): Buffer {
  const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: data, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(String(r.stderr));
  return r.stdout;
}

beforeAll(() => mkdirSync(dir, { recursive: true }));

describe.skipIf(!hasTraceCmd() || !hasZstd)('wrapped inputs give the answers of the plain ones', () => {
  let text: string;
  beforeAll(() => {
    text = textOf(DAT, ['-t'], 'wrapped-plain.txt');
  });
  it('gzip and zstd text', () => {
    const plain = decodeAll(text);
    const raw = readFileSync(text);
    for (const [name, data] of [['t.txt.gz', gzipSync(raw)], ['t.zst', zstd(raw)], ['noext', gzipSync(raw)]] as const) {
      const p = join(dir, name);
      writeFileSync(p, data);
      const w = decodeAll(p);
      expect(w.source.meta.compression).toBe(name.endsWith('zst') ? 'zstd' : 'gzip');
      compareDecoded(plain, w, 0n);
      expect(w.source.diag.has('truncated')).toBe(false);
    }
  });
  it('gzip and zstd trace.dat (the decompressed head decides)', () => {
    const plain = decodeAll(DAT);
    const raw = readFileSync(DAT);
    for (const [name, data] of [['d.gz', gzipSync(raw)], ['d.zst', zstd(raw)]] as const) {
      const p = join(dir, name);
      writeFileSync(p, data);
      const w = decodeAll(p);
      expect(w.source.meta.format).toBe('trace.dat');
      expect(w.source.meta.details.some(([k]) => k === 'outer compression')).toBe(true);
      compareDecoded(plain, w, 0n);
    }
  });
  it('a truncated gzip text keeps what was read, with a data-loss warning', () => {
    const raw = readFileSync(text);
    const gz = gzipSync(raw);
    const p = join(dir, 'cut.txt.gz');
    writeFileSync(p, gz.subarray(0, gz.length >> 1));
    const w = decodeAll(p);
    expect(w.records.length).toBeGreaterThan(100);
    expect(w.records.length).toBeLessThan(decodeAll(text).records.length);
    const t = w.source.diag.list().find((d) => d.code === 'truncated');
    expect(t?.severity).toBe('data-loss');
    expect(t?.message).toMatch(/gzip stream is truncated/);
  });
  it('a truncated zstd text likewise', () => {
    const z = zstd(readFileSync(text));
    const p = join(dir, 'cut.zst');
    writeFileSync(p, z.subarray(0, z.length >> 1));
    const w = decodeAll(p);
    expect(w.records.length).toBeGreaterThan(100);
    expect(w.source.diag.has('truncated')).toBe(true);
  });
});

describe('decompression guard', () => {
  it('a zstd bomb is refused before it is inflated', () => {
    const bomb = zstdBomb(8192); // 1 GiB from 32 KiB
    const c = decompressChunks(memoryChunks(bomb, 1 << 20), 'zstd');
    let out = 0;
    expect(() => {
      for (let x = c.next(); x; x = c.next()) out += x.length;
    }).toThrow(InputError);
    expect(out).toBeLessThan(256 << 20);
  });
  it('a small RLE frame within the ratio is fine', () => {
    const c = decompressChunks(memoryChunks(zstdBomb(2, 0x0a)), 'zstd');
    let out = 0;
    for (let x = c.next(); x; x = c.next()) out += x.length;
    expect(out).toBe(256 << 10);
    expect(c.problem).toBeUndefined();
  });
  it('openInput names the bomb', () => {
    const p = join(dir, 'bomb.zst');
    writeFileSync(p, zstdBomb(8192));
    expect(() => openInput(p).read(() => {})).toThrow(/decompression bomb/);
  });
});
