// A perf.data read in the reader thread (io/source-worker.ts runs it, source-thread.ts takes
// its batches): the record walk, the ordering queue and the batches run on a second core while the
// main thread runs the analyses. Besides the generic batch columns, each batch carries the thread
// name id and pid of every event (commOf/pidOf) and the thread names interned since the previous
// batch; the end carries the final comm and tgid tables and the skipped-sample count, so the main
// thread's source ends in the state a read on the main thread would leave.
import type { EventBatch } from '../../model/event-batch.js';
import type { FileSource } from '../io/byte-source.js';
import type { ReaderHooks } from '../io/source-worker.js';
import { openPerfFile } from './open.js';
import { perfSource } from './source.js';

export interface PerfBatchExtra {
  /** Int32 thread-name ids, then Int32 pids, one per event. */
  buf: ArrayBuffer;
  /** Thread names interned since the previous batch (ids continue from there). */
  names: string[];
}

export interface PerfEndExtra {
  comms: Array<[number, string]>;
  tgids: Array<[number, number]>;
  skipped: number;
}

/** The worker side: the perf.data source and its extras. */
export function perfReaderHooks(src: FileSource, path: string, batchSize?: number): ReaderHooks {
  const s = perfSource(src, openPerfFile(src, path), { batchSize, inWorker: true });
  let namesSent = 0;
  return {
    source: s,
    batchExtra(b: EventBatch) {
      const t = s.threadColumns();
      const n = b.length;
      const buf = new ArrayBuffer(8 * n);
      new Int32Array(buf, 0, n).set(t.comm.subarray(0, n));
      new Int32Array(buf, 4 * n, n).set(t.pid.subarray(0, n));
      const names = t.names.slice(namesSent);
      namesSent = t.names.length;
      const extra: PerfBatchExtra = { buf, names };
      return { extra, transfer: [buf] };
    },
    endExtra(): PerfEndExtra {
      return { comms: [...s.comms], tgids: [...s.tgids], skipped: s.skippedSamples };
    },
  };
}
