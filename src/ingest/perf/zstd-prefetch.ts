// Runs ahead of the perf.data record walk: scans the outer records of the data stream with the same
// framing rules as walk.ts (header.size, trailing bytes of HEADER_TRACING_DATA/AUXTRACE, the
// COMPRESSED2 data size) and submits the data of each PERF_RECORD_COMPRESSED(2) to a zstd worker
// thread, so decompression runs on the second core while the walk decodes and orders samples.
// Memory stays bounded: at most MAX_AHEAD_BYTES of compressed data (and its output) are in flight,
// and the scan never runs more than MAX_SCAN_AHEAD bytes past the record the walk is at.
// The walk takes outputs strictly in file order (take(pos) checks the position), so the result is
// the same as decompressing on the walk's thread. Upstream: tools/perf/util/session.c
// reader__read_event; trace-formats.md §5.3, §5.6.
import { FileSource, type ByteSource } from '../io/byte-source.js';
import { ZstdStreamWorker } from '../io/zstd-worker.js';
import { REC } from './constants.js';
import { trailingBytes } from './record-frame.js';

const CHUNK = 4 << 20;
/** Compressed bytes submitted to the worker and not taken yet (perf records are < 64 KiB each). */
const MAX_AHEAD_BYTES = 512 << 10;
const MAX_AHEAD_RECORDS = 32;
const MAX_SCAN_AHEAD = 64 << 20;

export interface PrefetchOptions {
  src: ByteSource;
  start: number;
  end: number;
  little: boolean;
  /** Compressed records in flight at most (tests use 1 to exercise the hand-over). */
  maxAhead?: number;
  /** Output of one compressed record above this fails (the reading thread's pending-bytes limit). */
  maxOutput: number;
}

export class ZstdPrefetch {
  private worker = ZstdStreamWorker.acquire();
  private scanPos: number;
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private bufStart = 0;
  private done = false;
  private queued: number[] = [];
  private qHead = 0;
  private maxAhead: number;
  /** The scan reads a file through its own descriptor (the walk's source counts its reads for progress). */
  private src: ByteSource;

  constructor(private o: PrefetchOptions) {
    this.src = o.src instanceof FileSource ? new FileSource(o.src.path) : o.src;
    this.scanPos = o.start;
    this.maxAhead = Math.max(1, o.maxAhead ?? MAX_AHEAD_RECORDS);
    this.worker.maxOutput = o.maxOutput;
  }

  /** The decompressed output of the compressed record at file offset `pos` (the walk's next one). */
  take(pos: number): Uint8Array[] {
    this.pump(pos);
    if (this.qHead >= this.queued.length || this.queued[this.qHead] !== pos) {
      throw new Error(`zstd prefetch out of step with the record walk at byte ${pos}`);
    }
    this.qHead++;
    if (this.qHead > 1024 && this.qHead * 2 > this.queued.length) {
      this.queued = this.queued.slice(this.qHead);
      this.qHead = 0;
    }
    const out = this.worker.take();
    this.pump(pos);
    return out;
  }

  close(): void {
    this.worker.release();
    if (this.src !== this.o.src) this.src.close();
  }

  private pump(walkPos: number): void {
    const w = this.worker;
    while (!this.done && w.pending < this.maxAhead && w.pendingBytes < MAX_AHEAD_BYTES && this.scanPos - walkPos < MAX_SCAN_AHEAD) {
      this.scanOne();
    }
  }

  private refill(at: number): void {
    this.buf = this.src.read(at, Math.min(CHUNK, this.o.end - at));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.bufStart = at;
  }

  /** One outer record; anything the walk would refuse or cut ends the scan (the walk reports it). */
  private scanOne(): void {
    const { end, little } = this.o;
    const pos = this.scanPos;
    if (end - pos < 8) {
      this.done = true;
      return;
    }
    let rel = pos - this.bufStart;
    if (rel < 0 || rel + 8 > this.buf.length) {
      this.refill(pos);
      rel = 0;
    }
    const type = this.view.getUint32(rel, little);
    const size = this.view.getUint16(rel + 6, little);
    if (size < 8 || pos + size > end) {
      this.done = true;
      return;
    }
    if (rel + size > this.buf.length) {
      this.refill(pos);
      rel = 0;
    }
    if (type === REC.COMPRESSED || type === REC.COMPRESSED2) {
      let dStart = rel + 8;
      let dEnd = rel + size;
      if (type === REC.COMPRESSED2) {
        const n = size >= 16 ? Number(this.view.getBigUint64(rel + 8, little)) : Infinity;
        if (n > size - 16) {
          this.done = true;
          return;
        }
        dStart = rel + 16;
        dEnd = dStart + n;
      }
      this.worker.submit(this.buf.subarray(dStart, dEnd));
      this.queued.push(pos);
      this.scanPos = pos + size;
      return;
    }
    const extra = trailingBytes(this.view, rel, size, type, false, little);
    if (pos + size + extra > end) {
      this.done = true;
      return;
    }
    this.scanPos = pos + size + extra;
  }
}
