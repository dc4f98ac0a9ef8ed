// PERF_RECORD_COMPRESSED decompressed by a worker thread ahead of the record walk must give the
// very same batches as decompressing on the walk's thread: every column, payload byte, thread name
// and pid of every batch, the diagnostics and lost counts, with 1, 2 or the default number of
// compressed records in flight; a stream abandoned half way must not leak into the next read; a
// corrupt record, a decompression bomb and a cut file must end the same way; a worker thread that
// dies must be noticed at once, not after the 60 s stall limit.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ZstdStreamWorker } from '../../../src/ingest/io/zstd-worker.js';
import { inputErrorOf, perfDigest } from '../../helpers/perf-digest.js';

const ZSTD = 'fixtures/perf/zstd.data';
const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-zstdw-'));

/** Reads `path` with the zstd worker mode given and digests every batch (test/helpers/perf-digest.ts). */
const digest = (path: string, zstdWorker: boolean | number, batchSize = 256, stopAfter = Infinity) => perfDigest(path, { zstdWorker, batchSize }, stopAfter);
const errorOf = inputErrorOf;

/** File offsets of the COMPRESSED records of a file-mode perf.data. */
function compressedRecords(b: Buffer): number[] {
  const off = Number(b.readBigUInt64LE(40));
  const end = off + Number(b.readBigUInt64LE(48));
  const out: number[] = [];
  for (let p = off; p < end; p += b.readUInt16LE(p + 6)) if (b.readUInt32LE(p) === 81) out.push(p);
  return out;
}

describe('zstd worker thread for perf record -z', () => {
  it('gives the same batches as decompressing on the reading thread', () => {
    const sync = digest(ZSTD, false);
    expect(sync.events).toBe(4435);
    expect(sync.batches).toBe(Math.ceil(4435 / 256));
    for (const mode of [true, 1, 2]) expect(digest(ZSTD, mode)).toEqual(sync);
  });

  it('drops an abandoned stream: the next read through the kept worker is unchanged', () => {
    const full = digest(ZSTD, 1, 64);
    const part = digest(ZSTD, 1, 64, 3);
    expect(part.batches).toBe(3);
    expect(part.events).toBe(3 * 64);
    expect(digest(ZSTD, 1, 64)).toEqual(full);
  });

  it('a corrupt compressed record fails at the same byte with the same message', () => {
    const z = Buffer.from(readFileSync(ZSTD));
    const recs = compressedRecords(z);
    expect(recs.length).toBe(11);
    // Every record's data starts on a zstd block: make the last one's header a reserved block type
    // (the walk reaches it after the first pass, so the worker is the one that fails).
    const p = recs[recs.length - 1];
    z[p + 8] = 0x06;
    z[p + 9] = 0;
    z[p + 10] = 0;
    const bad = join(dir, 'badz-last.data');
    writeFileSync(bad, z);
    const a = errorOf(() => digest(bad, false));
    const b = errorOf(() => digest(bad, 1));
    expect(a.message).toBe('zstd stream error in compressed record: zstd: corrupt data');
    expect(a.offset).toBe(p);
    expect([b.message, b.offset]).toEqual([a.message, a.offset]);
    // The worker is fine afterwards.
    expect(digest(ZSTD, true).events).toBe(4435);
  });

  it('a file cut inside the compressed stream reads the same up to the cut, with the same warning', () => {
    const z = readFileSync(ZSTD);
    const recs = compressedRecords(z);
    const cut = join(dir, 'cut.data');
    // Header says the data runs on; the file stops half way into the 6th compressed record.
    writeFileSync(cut, z.subarray(0, recs[5] + 100));
    const sync = digest(cut, false);
    expect(sync.events).toBeGreaterThan(0);
    expect(sync.events).toBeLessThan(4435);
    expect(sync.state).toMatch(/truncated/);
    expect(digest(cut, 1)).toEqual(sync);
  });

  it('a decompression bomb fails the same way in the worker, in bounded memory', () => {
    // pipe.data up to the first FINISHED_ROUND after a sample (so the first pass stops before the
    // bomb and the read reaches it through the worker), then one COMPRESSED record whose zstd frame
    // is 8192 RLE blocks of 128 KiB of zeros (1 GiB).
    const pipe = readFileSync('fixtures/perf/pipe.data');
    let p = 16;
    let sample = false;
    for (;;) {
      const type = pipe.readUInt32LE(p);
      const size = pipe.readUInt16LE(p + 6);
      const next = p + size + (type === 66 ? pipe.readUInt32LE(p + 8) : 0);
      if (type === 9) sample = true;
      p = next;
      if (type === 68 && sample) break;
    }
    const frame: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3];
    for (let k = 0; k < 8192; k++) {
      const h = (k === 8191 ? 1 : 0) | (1 << 1) | ((128 << 10) << 3);
      frame.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0);
    }
    const rec = Buffer.alloc(8 + frame.length);
    rec.writeUInt32LE(81, 0);
    rec.writeUInt16LE(rec.length, 6);
    Buffer.from(frame).copy(rec, 8);
    const bomb = join(dir, 'bomb.data');
    writeFileSync(bomb, Buffer.concat([pipe.subarray(0, p), rec]));
    const before = process.resourceUsage().maxRSS;
    const a = errorOf(() => digest(bomb, false));
    const b = errorOf(() => digest(bomb, 1));
    // Each thread stops at 128 MiB of output (peak RSS in KiB).
    expect((process.resourceUsage().maxRSS - before) / 1024).toBeLessThan(400);
    expect(a.message).toBe('zstd stream error in compressed record: decompressed data waiting for a record exceeds 134217728 bytes');
    expect(a.offset).toBe(p);
    expect([b.message, b.offset]).toEqual([a.message, a.offset]);
  });

  it('a worker thread that dies is noticed at once and replaced on the next read', () => {
    const w = ZstdStreamWorker.acquire();
    // A message the worker does not expect throws in its handler: the thread exits.
    (w as unknown as { port: MessagePort }).port.postMessage(null);
    w.submit(readFileSync(ZSTD).subarray(0, 64));
    const t0 = performance.now();
    expect(() => w.take()).toThrow('the zstd worker thread stopped');
    expect(performance.now() - t0).toBeLessThan(10_000);
    w.release();
    expect(digest(ZSTD, true)).toEqual(digest(ZSTD, false));
  });
});
