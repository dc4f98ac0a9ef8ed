// perf.data read in a reader thread (perf-reader.ts through io/source-worker.ts) must give the
// very same batches as a read on the calling thread: every column, payload byte, thread name
// (commOf) and pid (pidOf) of every event, the batch boundaries, the lost records, the diagnostics,
// the comm and tgid tables and the skipped-sample count — for file and pipe mode, -z, lost records
// and several attrs; and a read stopped half way must end the thread.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readerStats } from '../../../src/ingest/io/source-thread.js';
import { perfDigest } from '../../helpers/perf-digest.js';

const FILES = ['fixtures/perf/zstd.data', 'fixtures/perf/pipe.data', 'fixtures/perf/lost.data', 'fixtures/perf/multi.data', 'fixtures/tracedat/kvm-pinned/perf.data'];

const digest = (path: string, readerThread: 'on' | 'off', batchSize = 500, stopAfter = Infinity) => perfDigest(path, { readerThread, batchSize }, stopAfter);

describe('perf.data in a reader thread', () => {
  for (const f of FILES) {
    it(`${f}: the same batches, names, pids, losses and diagnostics as on the calling thread`, () => {
      const before = readerStats.batches;
      const threaded = digest(f, 'on');
      expect(readerStats.batches - before).toBe(threaded.batches);
      const local = digest(f, 'off');
      expect(local.events).toBeGreaterThan(0);
      expect(threaded).toEqual(local);
    });
  }
  it('a damaged copy (cut, and a record size broken) ends the same way in both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-perf-rt-'));
    const b = readFileSync('fixtures/perf/multi.data');
    const cut = join(dir, 'cut.data');
    writeFileSync(cut, b.subarray(0, Math.floor(b.length * 0.6)));
    const broken = Buffer.from(b);
    const dataOff = Number(broken.readBigUInt64LE(40));
    broken.writeUInt16LE(3, dataOff + 6 + 8 * 40); // two bytes of the records set to 3 (a header size, or a payload)
    const bad = join(dir, 'bad.data');
    writeFileSync(bad, broken);
    const outcome = (f: string, mode: 'on' | 'off') => {
      try {
        return digest(f, mode);
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    for (const f of [cut, bad]) expect(outcome(f, 'on')).toEqual(outcome(f, 'off'));
    expect(JSON.parse(outcome(cut, 'off').state!)[0].length).toBeGreaterThan(0);
  });
  it('a read stopped after two batches delivers exactly those', () => {
    const t = digest('fixtures/perf/multi.data', 'on', 100, 2);
    expect(t).toMatchObject({ events: 200, batches: 2, sizes: '100,100' });
    expect(t.hash).toBe(digest('fixtures/perf/multi.data', 'off', 100, 2).hash);
  });
});
