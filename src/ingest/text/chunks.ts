// Sequential byte chunks of an input: plain files read with fs.readSync in 1–4 MiB pieces, and
// gzip (pako streaming Inflate) / zstd (zstd-wasm.ts ZstdStream) wrappers recognised by their
// magic bytes. Decompression is guarded against bombs by a ratio limit (decompressed bytes may not
// exceed MAX_RATIO × compressed bytes read + RATIO_SLACK); a truncated or corrupt stream ends the
// chunks early and says so in `problem` (the caller turns it into a data-loss warning, or an error
// when nothing usable was read).
import { Inflate } from 'pako';
import { InputError } from '../../diag/errors.js';
import type { FileSource } from '../io/byte-source.js';
import { ZstdStream } from '../io/zstd-wasm.js';
import { MAX_ZSTD_WINDOW, zstdFrameWindow } from '../tracedat/zstd-frames.js';

export interface ByteChunks {
  /** Next piece of the (decompressed) stream, or null at its end. The array may be reused. */
  next(): Uint8Array | null;
  /** Bytes of the underlying file consumed so far. */
  readonly bytesIn: number;
  /** Bytes handed out so far (decompressed). */
  readonly bytesOut: number;
  /** Set when the stream ended early (truncated or corrupt compressed data). */
  problem?: string;
}

export type Wrapper = 'gzip' | 'zstd';

export const DEFAULT_CHUNK = 4 << 20;
/** A legitimate trace text compresses 10–50×; bombs reach 1000× and more. */
export const MAX_RATIO = 1000;
export const RATIO_SLACK = 64 << 20;
/** Compressed bytes pushed per step, which bounds what one step can produce. */
const PUSH_BYTES = 64 << 10;

export function wrapperOf(head: Uint8Array): Wrapper | null {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return null;
}

/** A file (from `start`) in chunks of `chunkSize` bytes, reusing one buffer. */
export function fileChunks(src: FileSource, chunkSize = DEFAULT_CHUNK, start = 0): ByteChunks {
  const buf = new Uint8Array(Math.max(1, chunkSize));
  let pos = start;
  return {
    get bytesIn() {
      return pos;
    },
    get bytesOut() {
      return pos - start;
    },
    next() {
      if (pos >= src.size) return null;
      const n = src.readInto(buf, pos, buf.length);
      if (n <= 0) return null;
      pos += n;
      return buf.subarray(0, n);
    },
  };
}

/** In-memory chunks (tests): `bytes` cut into pieces of `chunkSize`. */
export function memoryChunks(bytes: Uint8Array, chunkSize = DEFAULT_CHUNK): ByteChunks {
  let pos = 0;
  return {
    get bytesIn() {
      return pos;
    },
    get bytesOut() {
      return pos;
    },
    next() {
      if (pos >= bytes.length) return null;
      const end = Math.min(bytes.length, pos + Math.max(1, chunkSize));
      const c = bytes.subarray(pos, end);
      pos = end;
      return c;
    },
  };
}

interface Engine {
  push(data: Uint8Array, final: boolean): void;
  /** True once the compressed stream reached its proper end. */
  done(): boolean;
}

function gzipEngine(out: (d: Uint8Array) => void): Engine {
  const inf = new Inflate({ chunkSize: 256 << 10 });
  let ended = false;
  inf.onData = (d: Uint8Array | ArrayBuffer | string) => out(d as Uint8Array);
  inf.onEnd = (status: number) => {
    if (status === 0) ended = true;
    else throw new Error(inf.msg || `inflate status ${status}`);
  };
  return {
    push(data, final) {
      if (ended) return; // trailing garbage after the gzip member: ignored
      inf.push(data, final);
      if (inf.err && !ended) throw new Error(inf.msg || `inflate error ${inf.err}`);
    },
    done: () => ended,
  };
}

function zstdEngine(out: (d: Uint8Array) => void): Engine {
  const z = new ZstdStream();
  let pushed = false;
  let first = true;
  return {
    push(data, final) {
      try {
        if (first && data.length > 0) {
          first = false;
          const win = zstdFrameWindow(data);
          if (win !== null && win > MAX_ZSTD_WINDOW) throw new InputError(`zstd frame asks for a ${win}-byte window, over zstd's ${MAX_ZSTD_WINDOW}-byte default limit (damaged, or made with --long: decompress it with zstd -d --memory=…)`, 0);
        }
        if (data.length > 0) {
          z.push(data, out);
          pushed = true;
        }
      } catch (e) {
        z.close(); // the decoder's window can be large: free it now, the stream is over
        throw e;
      }
      if (final) z.close();
    },
    done: () => pushed && !z.midFrame,
  };
}

/**
 * Decompressed chunks of a gzip or zstd wrapped input. Errors in the compressed data end the stream
 * with `problem` set (what was decompressed before stays valid); a bomb throws InputError.
 */
export function decompressChunks(raw: ByteChunks, kind: Wrapper, maxRatio = MAX_RATIO): ByteChunks {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let bytesOut = 0;
  let rawIn = 0;
  let pending: Uint8Array | null = null;
  let pendingAt = 0;
  let finished = false;
  const res: ByteChunks = {
    get bytesIn() {
      return raw.bytesIn;
    },
    get bytesOut() {
      return bytesOut;
    },
    next() {
      while (queued === 0 && !finished) step();
      if (queue.length === 0) return null;
      const c = queue.length === 1 ? queue[0] : concat(queue, queued);
      queue.length = 0;
      queued = 0;
      bytesOut += c.length;
      return c;
    },
  };
  const onData = (d: Uint8Array) => {
    if (d.length === 0) return;
    // pako reuses its output buffer between onData calls, and zstd's is the decoder's memory: copy.
    queue.push(d.slice());
    queued += d.length;
    if (bytesOut + queued > maxRatio * rawIn + RATIO_SLACK) {
      throw new InputError(
        `${kind} data expands more than ${maxRatio}× (${bytesOut + queued} bytes from ${rawIn} compressed): refusing a likely decompression bomb`,
        raw.bytesIn,
      );
    }
  };
  const engine = kind === 'gzip' ? gzipEngine(onData) : zstdEngine(onData);
  function step(): void {
    if (!pending || pendingAt >= pending.length) {
      pending = raw.next();
      pendingAt = 0;
      if (!pending) {
        finished = true;
        try {
          engine.push(new Uint8Array(0), true);
        } catch (e) {
          if (e instanceof InputError) throw e;
          res.problem = `${kind} stream is truncated: ${(e as Error).message}`;
          return;
        }
        if (!engine.done()) res.problem = `${kind} stream is truncated (no end of stream)`;
        return;
      }
    }
    const piece = pending.subarray(pendingAt, Math.min(pending.length, pendingAt + PUSH_BYTES));
    pendingAt += piece.length;
    rawIn += piece.length;
    try {
      engine.push(piece, false);
    } catch (e) {
      if (e instanceof InputError) throw e;
      finished = true;
      res.problem = `${kind} data is corrupt after ${raw.bytesIn} compressed bytes: ${(e as Error).message}`;
    }
  }
  return res;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** First `n` bytes of a chunk stream (a fresh stream should be opened for the full read). */
export function headOf(chunks: ByteChunks, n: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  while (total < n) {
    const c = chunks.next();
    if (!c) break;
    parts.push(c.slice(0, Math.min(c.length, n - total)));
    total += parts[parts.length - 1].length;
  }
  return concat(parts, total);
}
