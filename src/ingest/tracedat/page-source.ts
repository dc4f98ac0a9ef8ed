// Supplies one CPU's ring-buffer pages in order, reading the file in large blocks (uncompressed) or
// decompressing one chunk at a time (v7 compressed: u32 chunk count, then u32 Z, u32 U, Z bytes per
// chunk; trace-formats.md §2.7, trace-cmd trace-input.c init_cpu_zpage/read_zpage). Memory stays
// bounded by one block or chunk per CPU whatever the file size. With a decode worker attached
// (parallel.ts) the chunks arrive decompressed through a shared ring instead, until the worker hands
// the CPU back; from then on this code reads on as if it had been alone.
import { InputError } from '../../diag/errors.js';
import type { Diagnostics } from '../../diag/diagnostics.js';
import type { FileSource } from '../io/byte-source.js';
import { KIND_DATA, type RingReader } from './chunk-ring.js';
import { decompressBlock, type Algorithm } from './decompress.js';
import type { WorkerCpu } from './decode-worker.js';
import type { CpuData } from './file-info.js';

const READ_BLOCK = 1 << 20;
/** Read-ahead for compressed chunk lists: chunks are a few KiB, so one read serves many. */
const CHUNK_WINDOW = 1 << 18;
const MAX_CHUNKS = 1 << 28;

export class PageSource {
  /** Buffer holding the current block; pages are views into it. */
  private buf: Uint8Array;
  private bufLen = 0;
  private bufPos = 0;
  /** Next file offset to read. */
  private filePos: number;
  private readonly end: number;
  private chunksLeft = -1;
  /** Decode worker ring and this CPU's index in it, while the worker supplies the chunks. */
  private feed: RingReader | null = null;
  private feedIndex = 0;
  /** Read-ahead window over the compressed chunk list: file bytes [winAt, winAt + winLen). */
  private win: Uint8Array | null = null;
  private winAt = 0;
  private winLen = 0;
  /** File offset of the page most recently returned (for messages). */
  pageOffset = 0;
  /** Bytes of this CPU's data missing because the file is shorter than its table says. */
  readonly truncatedBytes: number;

  constructor(
    private readonly src: FileSource,
    data: CpuData,
    readonly pageSize: number,
    private readonly algo: Algorithm | null,
    private readonly little: boolean,
    private readonly diag: Diagnostics,
    private readonly label: string,
  ) {
    this.filePos = data.offset;
    // trace-cmd 3.1.6 records a compressed CPU block's size as the sum of its chunks (8 + Z each)
    // without the leading u32 chunk count (seen in real files; trace-formats.md §2.7 says 4 + sum),
    // so allow those 4 bytes: the chunk count, not the size, ends the block.
    const declaredEnd = data.offset + data.size + (algo ? 4 : 0);
    this.end = Math.min(declaredEnd, src.size);
    this.truncatedBytes = declaredEnd - this.end;
    if (this.truncatedBytes > 0) {
      diag.add('truncated', 'data-loss', `${label}: ${this.truncatedBytes} of ${data.size} bytes of data are missing (file truncated)`);
    }
    const blockPages = Math.max(1, Math.floor(READ_BLOCK / pageSize));
    this.buf = algo ? new Uint8Array(pageSize * 10) : new Uint8Array(blockPages * pageSize);
  }

  /** The next page (a view valid until the next call), or null at the end of this CPU's data. */
  next(): Uint8Array | null {
    if (this.bufPos + this.pageSize > this.bufLen && !this.refill()) return null;
    const page = this.buf.subarray(this.bufPos, this.bufPos + this.pageSize);
    this.bufPos += this.pageSize;
    return page;
  }

  private refill(): boolean {
    return this.algo ? this.refillChunk() : this.refillRaw();
  }

  private refillRaw(): boolean {
    const left = this.end - this.filePos;
    if (left <= 0) return false;
    const want = Math.min(this.buf.length, left);
    const got = this.src.readInto(this.buf, this.filePos, want);
    this.pageOffset = this.filePos;
    this.filePos += got;
    if (got < this.pageSize) {
      if (got > 0) {
        this.diag.add('partial-page', 'data-loss', `${this.label}: last page is only ${got} of ${this.pageSize} bytes (at byte ${this.pageOffset})`);
        this.buf.fill(0, got, this.pageSize);
        this.bufLen = this.pageSize;
        this.bufPos = 0;
        return true;
      }
      return false;
    }
    this.bufLen = got - (got % this.pageSize);
    if (got % this.pageSize !== 0 && this.filePos >= this.end) {
      this.diag.add('partial-page', 'data-loss', `${this.label}: ${got % this.pageSize} trailing bytes do not fill a page`);
    }
    this.filePos -= got - this.bufLen;
    this.bufPos = 0;
    return true;
  }

  /** File bytes [at, at + n) (fewer at the end of the file), valid until the next call. */
  private bytesAt(at: number, n: number): Uint8Array {
    let w = this.win;
    if (w === null || at < this.winAt || at + n > this.winAt + this.winLen) {
      const size = Math.max(n, CHUNK_WINDOW);
      if (w === null || w.length < size) w = this.win = new Uint8Array(size);
      this.winAt = at;
      this.winLen = this.src.readInto(w, at, Math.max(n, Math.min(size, this.end - at)));
    }
    const o = at - this.winAt;
    return w.subarray(o, Math.min(o + n, this.winLen));
  }

  private readU32(at: number, little: boolean): number | null {
    if (at + 4 > this.end) return null;
    const b = this.bytesAt(at, 4);
    if (b.length < 4) return null;
    return little ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  }

  /** Where the worker should start: the state after the chunks read so far. Null when uncompressed. */
  workerStart(): WorkerCpu | null {
    return this.algo ? { pos: this.filePos, left: this.chunksLeft, end: this.end } : null;
  }

  /** Size of the chunk buffer in use (the first chunk's size once a page was read). */
  get chunkBytes(): number {
    return this.buf.length;
  }

  attachFeed(reader: RingReader, index: number): void {
    this.feed = reader;
    this.feedIndex = index;
  }

  /** Next chunk from the worker; on a hand-off (or a failed worker) continues single-threaded. */
  private refillFromFeed(feed: RingReader): boolean {
    const s = feed.take(this.feedIndex);
    if (s === null || s.kind !== KIND_DATA) {
      if (s) {
        this.filePos = s.nextPos;
        this.chunksLeft = s.chunksLeft;
      }
      feed.release(this.feedIndex);
      this.feed = null;
      this.buf = new Uint8Array(this.pageSize * 10); // the shared slot is no longer ours
      this.bufLen = 0;
      return this.refillChunk();
    }
    this.chunksLeft = s.chunksLeft;
    this.filePos = s.nextPos;
    this.pageOffset = s.at;
    this.buf = s.bytes;
    return this.useChunk(s.at, s.u);
  }

  private useChunk(at: number, u: number): boolean {
    if (u % this.pageSize !== 0) {
      this.diag.add('partial-page', 'warning', `${this.label}: chunk at byte ${at} holds ${u} bytes, not a multiple of the page size`);
    }
    this.bufLen = u - (u % this.pageSize);
    this.bufPos = 0;
    return this.bufLen > 0 || this.refillChunk();
  }

  private refillChunk(): boolean {
    if (this.feed) return this.refillFromFeed(this.feed);
    if (this.chunksLeft < 0) {
      const n = this.readU32(this.filePos, this.little);
      if (n === null) return false;
      if (n > MAX_CHUNKS) throw new InputError(`${this.label}: chunk count ${n} is implausible`, this.filePos);
      this.chunksLeft = n;
      this.filePos += 4;
    }
    if (this.chunksLeft === 0) return false;
    const at = this.filePos;
    const z = this.readU32(at, this.little);
    const u = this.readU32(at + 4, this.little);
    if (z === null || u === null || at + 8 + z > this.end) {
      this.diag.add('truncated-chunk', 'data-loss', `${this.label}: compressed chunk at byte ${at} is cut short; ${this.chunksLeft} chunk(s) lost`);
      this.chunksLeft = 0;
      return false;
    }
    const comp = this.bytesAt(at + 8, z);
    this.chunksLeft--;
    this.filePos = at + 8 + z;
    this.pageOffset = at;
    if (u !== this.buf.length) this.buf = new Uint8Array(u);
    let plain: Uint8Array;
    try {
      plain = decompressBlock(this.algo!, comp, u, at, this.buf);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      this.diag.add('bad-chunk', 'data-loss', `${this.label}: ${e.message} (chunk at byte ${at}); its pages are skipped`);
      return this.refillChunk();
    }
    if (plain.buffer !== this.buf.buffer || plain.byteOffset !== this.buf.byteOffset) {
      if (plain.length > this.buf.length) this.buf = new Uint8Array(plain.length);
      this.buf.set(plain);
    }
    return this.useChunk(at, u);
  }
}
