// The records inside PERF_RECORD_COMPRESSED(2): ONE zstd stream for the whole session (perf keeps
// one ZSTD_DStream per session; a record may continue in the next compressed record's output), cut
// into records and handed to the walk's handler. The stream is decompressed here (zstd-wasm.ts), or —
// for big inputs — by a worker thread that runs ahead of the walk (ZstdPrefetch); both give the
// same bytes, so the records, their order and every error are the same.
// Upstream: tools/perf/util/session.c perf_session__process_compressed_event, util/zstd.c
// zstd_decompress_stream; trace-formats.md §5.6.
import { InputError } from '../../diag/errors.js';
import { ZstdStream } from '../io/zstd-wasm.js';
import { ZstdStreamError } from '../io/zstd-worker.js';
import { REC } from './constants.js';
import { trailingBytes, type RecordHandler } from './record-frame.js';
import type { ZstdPrefetch } from './zstd-prefetch.js';

/** Decompressed bytes waiting for the rest of a record never exceed this (a record is < 64 KiB). */
const MAX_PENDING = 64 << 20;
/** The limit on the bytes waiting to be cut into records (one compressed record's output included). */
export const MAX_WAITING = MAX_PENDING * 2;
const overLimit = () => `decompressed data waiting for a record exceeds ${MAX_WAITING} bytes`;

export class ZstdRecords {
  private dec: ZstdStream | null = null;
  private buf = new Uint8Array(1 << 20);
  private len = 0;
  private failed = false;

  constructor(private prefetch: ZstdPrefetch | null) {
    if (!prefetch) this.dec = new ZstdStream();
  }

  private append(chunk: Uint8Array): void {
    if (this.len + chunk.length > this.buf.length) {
      let n = this.buf.length * 2;
      while (n < this.len + chunk.length) n *= 2;
      if (n > MAX_WAITING) throw new Error(overLimit());
      const next = new Uint8Array(n);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }

  /**
   * Decompresses the data of the compressed record at `fileOff` and hands every complete record to
   * `h`; false = the handler asked to stop.
   */
  feed(data: Uint8Array, fileOff: number, little: boolean, h: RecordHandler): boolean {
    try {
      if (this.prefetch) for (const part of this.prefetch.take(fileOff)) this.append(part);
      else this.dec!.push(data, (chunk) => this.append(chunk));
    } catch (e) {
      if (this.prefetch && !(e instanceof ZstdStreamError)) throw e;
      this.failed = true;
      const why = e instanceof ZstdStreamError && e.overLimit ? overLimit() : (e as Error).message;
      throw new InputError(`zstd stream error in compressed record: ${why}`, fileOff);
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
      if (h(b, v, p, size, type, fileOff, true) < 0) {
        stop = true;
        p += size;
        break;
      }
      const extra = trailingBytes(v, p, size, type, true, little);
      if (p + size + extra > this.len) throw new InputError(`record type ${type} inside a compressed record declares ${extra} trailing bytes past its data`, fileOff);
      p += size + extra;
    }
    if (p > 0) {
      this.buf.copyWithin(0, p, this.len);
      this.len -= p;
    }
    return !stop;
  }

  /** Decompressed bytes left over that do not form a whole record. */
  get leftover(): number {
    return this.failed ? 0 : this.len;
  }

  close(): void {
    this.prefetch?.close();
    this.dec?.close();
  }
}
