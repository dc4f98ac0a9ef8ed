// Walks the records of a perf.data data stream (file data section or pipe stream) in file order,
// reading up to 4 MiB at a time into one reused block, and expands PERF_RECORD_COMPRESSED(2) records through ONE zstd stream
// for the whole pass (zstd-records.ts), decompressed on this thread or, with `zstdWorker`, by a
// worker thread running ahead of the walk (zstd-prefetch.ts). Never reads past the declared end; a
// record that crosses it is an InputError unless the file itself is cut short there (then a
// data-loss diagnostic).
// Upstream: tools/perf/util/session.c reader__read_event / perf_session__process_compressed_event;
// trace-formats.md §5.3, §5.6, P17.
import type { Diagnostics } from '../../diag/diagnostics.js';
import { InputError } from '../../diag/errors.js';
import { FileSource, type ByteSource } from '../io/byte-source.js';
import { REC } from './constants.js';
import { trailingBytes, type RecordHandler } from './record-frame.js';
import { ZstdPrefetch } from './zstd-prefetch.js';
import { MAX_WAITING, ZstdRecords } from './zstd-records.js';

export type { RecordHandler } from './record-frame.js';

const CHUNK = 4 << 20;
const FIRST_CHUNK = 256 << 10;

export interface WalkOptions {
  src: ByteSource;
  start: number;
  /** Declared end of the data (never past src.size). */
  end: number;
  /** True when `end` is where the file was cut (a record crossing it is lost data, not corruption). */
  endIsCut: boolean;
  little: boolean;
  diag: Diagnostics;
  /** Decompress in a worker thread ahead of the walk; a number sets the records in flight (tests). */
  zstdWorker?: boolean | number;
}

/** Walks the records; returns the file offset where it stopped. */
export function walkRecords(o: WalkOptions, h: RecordHandler): number {
  const z: { r: ZstdRecords | null } = { r: null };
  try {
    const pos = walk(o, h, z);
    if (z.r && z.r.leftover > 0) {
      o.diag.add('truncated', 'data-loss', `${z.r.leftover} decompressed bytes at the end of the compressed stream do not form a whole record`);
    }
    return pos;
  } finally {
    z.r?.close();
  }
}

function walk(o: WalkOptions, h: RecordHandler, z: { r: ZstdRecords | null }): number {
  const { src, end, little } = o;
  let pos = o.start;
  let buf: Uint8Array = new Uint8Array(0);
  let view = new DataView(buf.buffer);
  let bufStart = pos;
  // A file is read into one reused block (handlers copy what they keep; so does the zstd stream).
  // Reads start at 256 KiB and double up to 4 MiB: the first pass usually stops in the first round.
  const block = src instanceof FileSource ? new Uint8Array(Math.min(CHUNK, Math.max(0, end - pos))) : null;
  let chunk = FIRST_CHUNK;
  const refill = (at: number) => {
    const n = Math.min(chunk, end - at);
    chunk = Math.min(CHUNK, chunk * 2);
    buf = block ? block.subarray(0, (src as FileSource).readInto(block, at, n)) : src.read(at, n);
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    bufStart = at;
  };
  const cut = (what: string, at: number) => {
    if (!o.endIsCut) throw new InputError(what, at);
    o.diag.add('truncated', 'data-loss', `${what}: the file ends at byte ${end}; the rest of the recording is missing`);
  };
  while (pos < end) {
    let rel = pos - bufStart;
    if (rel < 0 || rel + 8 > buf.length) {
      if (end - pos < 8) {
        cut(`${end - pos} stray bytes after the last record`, pos);
        break;
      }
      refill(pos);
      rel = 0;
    }
    const type = view.getUint32(rel, little);
    const size = view.getUint16(rel + 6, little);
    if (size < 8) throw new InputError(`record of ${size} bytes (type ${type}) is shorter than its 8-byte header`, pos);
    if (pos + size > end) {
      cut(`record of ${size} bytes (type ${type}) runs past the end of the data (${end - pos} bytes left)`, pos);
      break;
    }
    if (rel + size > buf.length) {
      refill(pos);
      rel = 0;
    }
    if (type === REC.COMPRESSED || type === REC.COMPRESSED2) {
      let dStart = rel + 8;
      let dEnd = rel + size;
      if (type === REC.COMPRESSED2) {
        if (size < 16) throw new InputError(`COMPRESSED2 record of ${size} bytes is too short`, pos);
        const n = Number(view.getBigUint64(rel + 8, little));
        dStart = rel + 16;
        if (n > size - 16) throw new InputError(`COMPRESSED2 record claims ${n} data bytes in a ${size}-byte record`, pos);
        dEnd = dStart + n;
      }
      if (!z.r) {
        const w = o.zstdWorker;
        let prefetch: ZstdPrefetch | null = null;
        try {
          if (w) prefetch = new ZstdPrefetch({ src, start: pos, end, little, maxAhead: typeof w === 'number' ? w : undefined, maxOutput: MAX_WAITING });
        } catch {
          prefetch = null; // no worker thread to be had: decompress here
        }
        z.r = new ZstdRecords(prefetch);
      }
      if (!z.r.feed(buf.subarray(dStart, dEnd), pos, little, h)) return pos + size;
      pos += size;
      continue;
    }
    if (h(buf, view, rel, size, type, pos, false) < 0) return pos + size;
    const extra = trailingBytes(view, rel, size, type, false, little);
    if (pos + size + extra > end) {
      cut(`record type ${type} is followed by ${extra} bytes of data that run past the end`, pos);
      break;
    }
    pos += size + extra;
  }
  return pos;
}
