// The side analyses (exit details, halt polling, IPIs: src/analyze/side.ts) run in the reader thread
// of a big input, on their own copy of the batches, with exit reasons renumbered into the main
// thread's. The report must be the one of a single-threaded run — also when the reader thread was
// promised them but could not start (a gzip-wrapped trace.dat: the worker cannot reopen the
// unlinked temporary file), where the source runs them on the calling thread instead.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/analyze/run.js';
import { openInput } from '../../src/ingest/index.js';
import { readerStats } from '../../src/ingest/io/source-thread.js';
import { toJson } from '../../src/report/json.js';
import { buildReport } from '../../src/report/model.js';
import { writeScenario } from '../../src/sim/scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-side-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The report's sections, with KVMTRACE_WORKERS set to `workers` while reading. */
function report(file: string, workers: '0' | '1'): Record<string, unknown> {
  const before = process.env.KVMTRACE_WORKERS;
  process.env.KVMTRACE_WORKERS = workers;
  try {
    const src = openInput(file);
    try {
      const r = JSON.parse(toJson(buildReport('trace', src, analyzeSource(src), 'test'))) as Record<string, unknown>;
      return { exits: r.exits, haltPoll: r.haltPoll, ipis: r.ipis, events: r.events, verdicts: r.verdicts };
    } finally {
      src.close();
    }
  } finally {
    if (before === undefined) delete process.env.KVMTRACE_WORKERS;
    else process.env.KVMTRACE_WORKERS = before;
  }
}

describe('side analyses in the reader thread', () => {
  for (const scenario of ['ipi-storm', 'halt-poll-wasted', 'ept-violations']) {
    it(`${scenario}: the same report as on one thread, and the reader thread ran`, () => {
      const file = join(dir, `${scenario}.dat`);
      writeScenario(scenario, file, { seed: 3, version: 7, compression: 'zstd' });
      const single = report(file, '0');
      const threads = readerStats.threads;
      const threaded = report(file, '1');
      expect(readerStats.threads).toBe(threads + 1);
      expect(threaded).toEqual(single);
      // The sections the side analyses fill are not empty (or the comparison proves little).
      const exits = single.exits as { hotRips: unknown[]; rate: { counts: number[] } };
      expect(exits.hotRips.length).toBeGreaterThan(0);
      expect(exits.rate.counts.length).toBeGreaterThan(0);
    });
  }

  it('a reader thread that cannot start: the source runs them itself, same report', () => {
    const file = join(dir, 'ipi-storm-wrapped.dat');
    writeScenario('ipi-storm', file, { seed: 4, version: 7, compression: 'zstd' });
    const gz = `${file}.gz`;
    writeFileSync(gz, gzipSync(readFileSync(file)));
    const single = report(file, '0');
    const ipis = single.ipis as { total: number };
    expect(ipis.total).toBeGreaterThan(0);
    const { threads, batches } = readerStats;
    expect(report(gz, '1')).toEqual(single);
    // A reader thread was started, and delivered nothing: the read and the side analyses ran here.
    expect([readerStats.threads, readerStats.batches]).toEqual([threads + 1, batches]);
  });
});
