// Walks the records of a perf.data data stream (file data section or pipe stream) in file order,
// reading 4 MiB at a time, and expands PERF_RECORD_COMPRESSED(2) records with ONE streaming zstd
// decoder for the whole pass (perf keeps one ZSTD_DStream per session; a record may continue in the
// next compressed record's output). Never reads past the declared end; a record that crosses it is
// an InputError unless the file itself is cut short there (then a data-loss diagnostic).
// Upstream: tools/perf/util/session.c reader__read_event / perf_session__process_compressed_event;
// trace-formats.md §5.3, §5.6, P17.
import { Decompress } from 'fzstd';
import type { Diagnostics } from '../../diag/diagnostics.js';
import { InputError } from '../../diag/errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { REC } from './constants.js';

const CHUNK = 4 << 20;
/** Decompressed bytes waiting for the rest of a record never exceed this (a record is < 64 KiB). */
const MAX_PENDING = 64 << 20;

/**
 * Called once per record: `buf[off .. off+size)` is the record (header included), `fileOff` its file
 * offset (for records inside a compressed record: that record's offset), `nested` true inside one.
 * Returns the number of bytes that follow the record outside its header.size (HEADER_TRACING_DATA,
 * AUXTRACE), or -1 to stop the walk.
 */
export type RecordHandler = (buf: Uint8Array, view: DataView, off: number, size: number, type: number, fileOff: number, nested: boolean) => number;

export interface WalkOptions {
  src: ByteSource;
  start: number;
  /** Declared end of the data (never past src.size). */
  end: number;
  /** True when `end` is where the file was cut (a record crossing it is lost data, not corruption). */
  endIsCut: boolean;
  little: boolean;
  diag: Diagnostics;
}

class ZstdRecords {
  private dec: Decompress;
  private buf = new Uint8Array(1 << 20);
  private len = 0;
  private failed: Error | null = null;

  constructor() {
    this.dec = new Decompress((chunk) => this.append(chunk));
  }

  private append(chunk: Uint8Array): void {
    if (this.len + chunk.length > this.buf.length) {
      let n = this.buf.length * 2;
      while (n < this.len + chunk.length) n *= 2;
      if (n > MAX_PENDING * 2) throw new Error(`decompressed data waiting for a record exceeds ${MAX_PENDING * 2} bytes`);
      const next = new Uint8Array(n);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }

  /** Decompresses one record's data and hands every complete record to `h`; false = stop. */
  feed(data: Uint8Array, fileOff: number, little: boolean, h: RecordHandler): boolean {
    try {
      this.dec.push(data);
    } catch (e) {
      this.failed = e as Error;
      throw new InputError(`zstd stream error in compressed record: ${(e as Error).message}`, fileOff);
    }
    const b = this.buf;
    const v = new DataView(b.buffer, 0, this.len);
    let p = 0;
    let stop = false;
    while (p + 8 <= this.len) {
      const size = v.getUint16(p + 6, little);
      const type = v.getUint32(p, little);
      if (size < 8) throw new InputError(`compressed stream holds a record of ${size} bytes (type ${type}), shorter than its header`, fileOff);
      if (p + size > this.len) break;
      if (type === REC.COMPRESSED || type === REC.COMPRESSED2) throw new InputError('compressed record nested inside a compressed record', fileOff);
      const extra = h(b, v, p, size, type, fileOff, true);
      if (extra < 0) {
        stop = true;
        p += size;
        break;
      }
      if (p + size + extra > this.len) throw new InputError(`record type ${type} inside a compressed record declares ${extra} trailing bytes past its data`, fileOff);
      p += size + extra;
    }
    if (p > 0) {
      this.buf.copyWithin(0, p, this.len);
      this.len -= p;
    }
    return !stop;
  }

  get leftover(): number {
    return this.failed ? 0 : this.len;
  }
}

/** Walks the records; returns the file offset where it stopped. */
export function walkRecords(o: WalkOptions, h: RecordHandler): number {
  const { src, end, little } = o;
  let pos = o.start;
  let buf: Uint8Array = new Uint8Array(0);
  let view = new DataView(buf.buffer);
  let bufStart = pos;
  let zstd: ZstdRecords | null = null;
  const refill = (at: number) => {
    buf = src.read(at, Math.min(CHUNK, end - at));
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
      zstd ??= new ZstdRecords();
      if (!zstd.feed(buf.subarray(dStart, dEnd), pos, little, h)) return pos + size;
      pos += size;
      continue;
    }
    const extra = h(buf, view, rel, size, type, pos, false);
    if (extra < 0) return pos + size;
    if (pos + size + extra > end) {
      cut(`record type ${type} is followed by ${extra} bytes of data that run past the end`, pos);
      break;
    }
    pos += size + extra;
  }
  if (zstd && zstd.leftover > 0) {
    o.diag.add('truncated', 'data-loss', `${zstd.leftover} decompressed bytes at the end of the compressed stream do not form a whole record`);
  }
  return pos;
}
