// The worker threads (parallel.ts: decompression; source-thread.ts: the whole read) must not change a single byte of what a
// trace.dat source streams: every event's timestamp, CPU, pid, format, id and payload bytes, in the
// same order, the same lost-event records and the same diagnostics — on the real fixtures and a
// simulator file as v7-zstd (trace-cmd convert), zlib (simulator), v6, and damaged copies whose
// bad chunks make the decompression worker hand CPUs back to the main thread. Batch boundaries are
// compared too. The workers run from dist/, so this test needs a build (`npm test` builds first).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSource } from '../../../src/ingest/io/byte-source.js';
import { ringStats } from '../../../src/ingest/tracedat/chunk-ring.js';
import { openTraceDat } from '../../../src/ingest/tracedat/open.js';
import { traceDatSource, type TraceDatSourceOptions } from '../../../src/ingest/tracedat/source.js';
import { readerStats } from '../../../src/ingest/io/source-thread.js';
import { generateKvmLoad } from '../../../src/sim/generate-kvm-load.js';
import { convertTrace } from '../../helpers/tracecmd.js';

const FIXTURES = ['kvm-stress', 'kvm-pinned', 'overrun', 'instance', 'subbuf8k', 'tsc-clock'];
let dir = '';

interface Digest { events: number; batches: number; hash: string; lost: string; diag: string; perCpuFirst: string }

type Mode = Pick<TraceDatSourceOptions, 'threads' | 'readerThread'>;
const SINGLE: Mode = { threads: 'off', readerThread: 'off' };
const MODES: Array<[string, Mode]> = [
  ['decompression worker', { threads: 'on', readerThread: 'off' }],
  ['reader thread', { threads: 'off', readerThread: 'on' }],
  ['reader thread + its decompression worker', { threads: 'on', readerThread: 'on' }],
];

function digest(path: string, mode: Mode, batchSize?: number): Digest {
  const src = new FileSource(path);
  const s = traceDatSource(src, openTraceDat(src, path), { ...mode, batchSize });
  const h = createHash('sha256');
  let events = 0;
  let batches = 0;
  const firstByCpu = new Map<number, number>();
  s.read((b) => {
    const n = b.length;
    events += n;
    batches++;
    for (const col of [b.ts, b.cpu, b.pid, b.fmt, b.type, b.len]) h.update(new Uint8Array(col.buffer, col.byteOffset, n * col.BYTES_PER_ELEMENT));
    for (let i = 0; i < n; i++) {
      h.update(b.data.subarray(b.off[i], b.off[i] + b.len[i]));
      if (!firstByCpu.has(b.cpu[i])) firstByCpu.set(b.cpu[i], b.ts[i]);
    }
    h.update(`|${n}|`); // batch boundaries too
  });
  s.close();
  return {
    events,
    batches,
    hash: h.digest('hex'),
    lost: JSON.stringify(s.lost),
    diag: JSON.stringify(s.diag.list()),
    perCpuFirst: JSON.stringify([...firstByCpu]),
  };
}

interface Runs { single: Digest; slots: number; handoffs: number; readerBatches: number }

/**
 * Decodes single-threaded, then in every threaded mode, expecting each to equal the single-threaded
 * digest; returns it with how many chunks the main thread's decompression worker supplied, how many
 * CPUs it handed back, and how many batches came through reader threads.
 */
async function both(path: string, batchSize?: number): Promise<Runs> {
  const single = digest(path, SINGLE, batchSize);
  const r0 = { ...ringStats };
  const b0 = readerStats.batches;
  for (const [name, mode] of MODES) {
    await new Promise((r) => setImmediate(r)); // let vitest's own messages through between reads
    expect(digest(path, mode, batchSize), name).toEqual(single);
  }
  return { single, slots: ringStats.dataSlots - r0.dataSlots, handoffs: ringStats.handoffs - r0.handoffs, readerBatches: readerStats.batches - b0 };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kvmtrace-par-'));
  expect(existsSync('dist/src/ingest/tracedat/decode-worker.js'), 'build first: npx tsc -p tsconfig.json').toBe(true);
  await generateKvmLoad({ path: join(dir, 'sim-v6.dat'), targetBytes: 6 << 20, cpus: 4, vcpus: 4, seed: 11, writer: { version: 6 } });
  await generateKvmLoad({ path: join(dir, 'sim-v7-zlib.dat'), targetBytes: 3 << 20, cpus: 3, vcpus: 3, seed: 12, writer: { version: 7, compression: 'zlib' } });
  convertTrace(join(dir, 'sim-v6.dat'), join(dir, 'sim-v7-zstd.dat'), { fileVersion: 7, compression: 'zstd' });
  for (const f of FIXTURES) convertTrace(`fixtures/tracedat/${f}/trace.dat`, join(dir, `${f}-zstd.dat`), { fileVersion: 7, compression: 'zstd' });
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('worker threads give the single-threaded result', () => {
  it.each(FIXTURES)('real fixture %s as v7-zstd', async (f) => {
    const path = join(dir, `${f}-zstd.dat`);
    const cpus = openTraceDat(new FileSource(path), path).buffers.find((b) => b.name === '')!.cpus.length;
    const r = await both(path);
    expect(r.handoffs).toBe(cpus); // the worker ran and handed every CPU back at its end
    if (f === 'kvm-stress') expect(r.slots).toBeGreaterThan(50);
    expect(r.readerBatches).toBe(2 * r.single.batches); // both reader-thread modes ran
    expect(r.single.events).toBeGreaterThan(1000);
  });

  it.each(['kvm-stress', 'overrun'])('real fixture %s as recorded', async (f) => {
    const r = await both(`fixtures/tracedat/${f}/trace.dat`);
    expect(r.readerBatches).toBe(2 * r.single.batches); // both reader-thread modes ran
  });

  it('simulator file: v7-zstd with small batches, v7-zlib, v6', async () => {
    const z = await both(join(dir, 'sim-v7-zstd.dat'), 1000);
    expect(z.slots).toBeGreaterThan(100); // far more chunks than ring slots: the worker waited for room
    expect(z.handoffs).toBe(4); // one per CPU at its end
    expect(z.readerBatches).toBe(2 * z.single.batches); // both reader-thread modes ran
    const zl = await both(join(dir, 'sim-v7-zlib.dat'));
    expect(zl.slots).toBeGreaterThan(10);
    expect(zl.readerBatches).toBe(2 * zl.single.batches); // both reader-thread modes ran
    const v6 = await both(join(dir, 'sim-v6.dat'));
    expect(v6.slots).toBe(0); // uncompressed: nothing to decompress, no worker
    expect(v6.readerBatches).toBe(2 * v6.single.batches); // both reader-thread modes ran
    expect(v6.single.events).toBe(z.single.events);
  });

  it('damaged chunks: the worker hands the CPU back and the main thread reports the same', async () => {
    const src = join(dir, 'sim-v7-zstd.dat');
    const bytes = Buffer.from(readFileSync(src));
    const cpus = openTraceDat(new FileSource(src), src).buffers[0].cpus;
    const chunkAt = (c: number, k: number): number => {
      let pos = cpus[c].offset + 4;
      for (let i = 0; i < k; i++) pos += 8 + bytes.readUInt32LE(pos);
      return pos;
    };
    // CPU 1: garbage in the 5th chunk's compressed bytes; CPU 2: the 7th chunk claims 2 GB.
    const c1 = chunkAt(1, 4);
    for (let k = 0; k < 48; k++) bytes[c1 + 8 + 16 + k] ^= 0xa5;
    bytes.writeUInt32LE(0x7fffffff, chunkAt(2, 6));
    const path = join(dir, 'sim-damaged.dat');
    writeFileSync(path, bytes);
    const r = await both(path);
    expect(r.handoffs).toBe(4);
    expect(r.slots).toBeGreaterThan(50);
    expect(r.readerBatches).toBe(2 * r.single.batches); // both reader-thread modes ran
    expect(r.single.diag).toContain('"truncated-chunk"');
    expect(r.single.diag).toContain('"bad-chunk"');
  });
});
