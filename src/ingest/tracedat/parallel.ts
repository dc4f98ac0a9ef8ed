// Decides whether a compressed trace.dat is decompressed by a worker thread, and starts it: the
// worker (decode-worker.ts) decompresses every CPU's chunks into shared rings (chunk-ring.ts) while
// the main thread decodes pages, merges and runs the analyses — zstd decompression is about half of
// a v7 decode, so this uses the second core. The merge order is the single-threaded one by
// construction: the worker only supplies each CPU's bytes, in that CPU's file order.
// KVMTRACE_WORKERS=0 forces single-threaded reading, =1 uses the workers whatever the size.
import { Worker } from 'node:worker_threads';
import { allocRings, RingReader } from './chunk-ring.js';
import type { Algorithm } from './decompress.js';
import type { DecodeWorkerData, WorkerCpu } from './decode-worker.js';
import type { PageSource } from './page-source.js';
import { builtScript } from '../../util/worker-script.js';

/** Compressed bytes below which a decompression worker does not pay for its start (≈ 40 ms). */
export const MIN_PARALLEL_BYTES = 2 << 20;
/** CPU data bytes (on disk) below which the reader thread (source-thread.ts) does not pay. */
export const MIN_THREAD_BYTES = 16 << 20;
export const MIN_THREAD_COMPRESSED_BYTES = 2 << 20;
/** Upper bound of the shared rings (all CPUs together). */
const RING_BUDGET = 64 << 20;

export type ThreadMode = 'auto' | 'off' | 'on';

export function threadModeFromEnv(): ThreadMode {
  const v = process.env.KVMTRACE_WORKERS;
  return v === '0' ? 'off' : v === '1' ? 'on' : 'auto';
}

export interface DecodeWorker {
  stop(): void;
}

/**
 * Starts a decode worker for `pages` (one PageSource per CPU, their first chunk already read) when
 * the mode and the size call for it; attaches the rings to the page sources. Null: stay single-threaded.
 */
export function startDecodeWorker(
  path: string, algo: Algorithm, little: boolean, pages: PageSource[], compressedBytes: number, mode: ThreadMode,
): DecodeWorker | null {
  if (mode === 'off' || pages.length === 0) return null;
  if (mode === 'auto' && compressedBytes < MIN_PARALLEL_BYTES) return null;
  const starts: WorkerCpu[] = [];
  for (const p of pages) {
    const s = p.workerStart();
    if (!s) return null;
    starts.push(s);
  }
  const script = builtScript('decode-worker.js', import.meta.url);
  if (!script) return null;
  const pageSize = pages[0].pageSize;
  const slotBytes = Math.max(10 * pageSize, ...pages.map((p) => p.chunkBytes));
  const slots = Math.max(2, Math.min(32, Math.floor(RING_BUDGET / (pages.length * slotBytes))));
  const rings = allocRings({ cpus: pages.length, slots, slotBytes });
  const data: DecodeWorkerData = { kvmtraceDecode: true, path, algo, little, cpus: starts, rings };
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: data });
  } catch {
    return null;
  }
  worker.unref();
  worker.on('error', () => {}); // failures reach the main thread through the FAILED word
  const reader = new RingReader(rings);
  pages.forEach((p, i) => p.attachFeed(reader, i));
  return {
    stop() {
      reader.stop();
      void worker.terminate();
    },
  };
}
