// A perf.data read reduced to what two reads must agree on: every event's columns, thread name
// (commOf) and pid (pidOf), its payload bytes, the batch boundaries, and the source's state after
// the read (diagnostics, lost records, tgid and comm tables, skipped samples). Used to show that the
// zstd worker and the reader thread change nothing.
import { createHash } from 'node:crypto';
import { InputError } from '../../src/diag/errors.js';
import { FileSource } from '../../src/ingest/io/byte-source.js';
import { openPerfFile, perfSource, type PerfSourceOptions } from '../../src/ingest/perf/index.js';

export interface PerfDigest {
  events: number;
  batches: number;
  /** Batch sizes, comma-separated. */
  sizes: string;
  hash: string;
  state: string;
}

/** Reads `path` with `opts` and digests every batch; after `stopAfter` batches the callback says stop. */
export function perfDigest(path: string, opts: PerfSourceOptions, stopAfter = Infinity): PerfDigest {
  const src = new FileSource(path);
  const s = perfSource(src, openPerfFile(src, path), opts);
  const h = createHash('sha256');
  const sizes: number[] = [];
  let events = 0;
  s.read((b) => {
    events += b.length;
    sizes.push(b.length);
    for (let i = 0; i < b.length; i++) {
      h.update(`${b.ts[i]} ${b.cpu[i]} ${b.pid[i]} ${b.fmt[i]} ${b.type[i]} ${s.commOf(i)} ${s.pidOf(i)}|`);
      h.update(b.data.subarray(b.off[i], b.off[i] + b.len[i]));
    }
    return sizes.length < stopAfter;
  });
  s.close();
  const state = JSON.stringify([s.diag.list(), s.lost, [...s.tgids], [...s.comms], s.skippedSamples]);
  return { events, batches: sizes.length, sizes: sizes.join(','), hash: h.digest('hex'), state };
}

/** The InputError `fn` throws (any other outcome fails the test). */
export function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('no error');
}
