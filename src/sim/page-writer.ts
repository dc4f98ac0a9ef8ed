// Ring-buffer sub-buffer ("page") encoder for one CPU of one buffer instance, spooling full pages to
// a temp file. Format facts: kernel kernel/trace/ring_buffer.c (rb_update_event, rb_calculate_event_length,
// rb_add_time_stamp, RB_MAX_SMALL_DATA = 112, RB_ALIGNMENT 4 / RB_ARCH_ALIGNMENT 8 with
// RB_FORCE_8BYTE_ALIGNMENT, commit flags RB_MISSED_EVENTS bit 31 / RB_MISSED_STORED bit 30) and
// libtraceevent src/kbuffer-parse.c (translate_data, update_pointers). trace-formats.md §3.
//
// Page: u64 timestamp | klong commit (bytes used | flags) | records... | [klong missed count] | zeros.
// Record word: type_len (5 bits) + time_delta (27 bits); little endian: type_len in the low bits,
// big endian: type_len in the top bits.

import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const DELTA_LIMIT = 1 << 27;
const DELTA_MASK = (1 << 27) - 1;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export interface PageWriterOptions {
  pageSize: number;
  longSize: 4 | 8;
  bigEndian: boolean;
  /** Use type_len 0 (explicit length) for every data record, 8-byte aligned (RB_FORCE_8BYTE_ALIGNMENT). */
  force8ByteAlign?: boolean;
  /** Directory for the spill file. */
  tmpDir: string;
  /** Bytes buffered in memory before spilling to the temp file (multiple of pageSize). */
  spoolBytes?: number;
}

export class PageWriter {
  readonly pageSize: number;
  private readonly dataOff: number;
  private readonly klong: 4 | 8;
  private readonly le: boolean;
  private readonly force8: boolean;
  private buf: Uint8Array;
  private view: DataView;
  private pageStart = 0; // offset of the current page inside buf
  private pos = 0; // write offset inside the current page (absolute in page)
  private open = false; // current page has a header/records
  private started = false;
  private missed: number | 'unknown' | null = null;
  private fd: number | null = null;
  private readonly path: string;
  /** Bytes of finished pages (spilled + buffered). */
  bytes = 0;
  spilled = 0;
  events = 0;
  firstTs: bigint | null = null;

  constructor(opts: PageWriterOptions, name: string) {
    this.pageSize = opts.pageSize;
    this.klong = opts.longSize;
    this.dataOff = 8 + opts.longSize;
    this.le = !opts.bigEndian;
    this.force8 = !!opts.force8ByteAlign;
    const spool = Math.max(opts.pageSize, Math.floor((opts.spoolBytes ?? 4 << 20) / opts.pageSize) * opts.pageSize);
    this.buf = new Uint8Array(spool);
    this.view = new DataView(this.buf.buffer);
    this.path = join(opts.tmpDir, name);
  }

  get lastTimestamp(): bigint {
    return this.big ? this.lastBig : BigInt(this.lastNum);
  }

  private word(off: number, typeLen: number, delta: number): void {
    const w = this.le ? ((delta << 5) | typeLen) >>> 0 : ((typeLen << 27) | delta) >>> 0;
    this.view.setUint32(this.pageStart + off, w, this.le);
  }

  private startPage(ts: bigint): void {
    if (this.pageStart + this.pageSize > this.buf.length) this.spill();
    this.buf.fill(0, this.pageStart, this.pageStart + this.pageSize);
    this.view.setBigUint64(this.pageStart, ts, this.le);
    this.pos = this.dataOff;
    this.open = true;
  }

  /** Closes the current page: writes commit (+ flags and stored missed count). */
  closePage(): void {
    if (!this.open) return;
    const used = this.pos - this.dataOff;
    let commit = used;
    if (this.missed !== null) {
      commit |= 0x80000000;
      if (this.missed !== 'unknown') {
        commit |= 0x40000000;
        this.writeLong(this.pos, this.missed);
      }
      this.missed = null;
    }
    this.writeLong(8, commit >>> 0);
    this.open = false;
    this.pageStart += this.pageSize;
    this.bytes += this.pageSize;
  }

  private writeLong(off: number, v: number): void {
    if (this.klong === 8) this.view.setBigUint64(this.pageStart + off, BigInt(v), this.le);
    else this.view.setUint32(this.pageStart + off, v >>> 0, this.le);
  }

  private spill(): void {
    if (this.pageStart === 0) return;
    if (this.fd === null) this.fd = openSync(this.path, 'w');
    let off = 0;
    while (off < this.pageStart) off += writeSync(this.fd, this.buf, off, this.pageStart - off);
    this.spilled += this.pageStart;
    this.pageStart = 0;
  }

  /** Space left in the current page for records, keeping room for a stored missed count. */
  private room(): number {
    const reserve = this.missed !== null && this.missed !== 'unknown' ? this.klong : 0;
    return this.pageSize - this.pos - reserve;
  }

  private lastNum = 0; // last timestamp while all timestamps are < 2^53 (fast path)
  private lastBig = 0n; // last timestamp once a bigger one was seen
  private big = false;
  private nextNum = 0;
  private nextBig = 0n;
  private curDelta = 0;

  /** Delta from the previous record (as a number); remembers `ts` as the pending last time. */
  private delta(ts: number | bigint): number {
    if (!this.big) {
      if (typeof ts === 'bigint') {
        if (ts <= MAX_SAFE) ts = Number(ts);
        else {
          this.big = true;
          this.lastBig = BigInt(this.lastNum);
        }
      }
      if (!this.big) {
        const d = (ts as number) - this.lastNum;
        if (d < 0 && this.started) throw new Error(`timestamps must not decrease on a CPU (${ts} < ${this.lastNum})`);
        this.nextNum = ts as number;
        return d;
      }
    }
    const tb = BigInt(ts);
    const d = tb - this.lastBig;
    if (d < 0n && this.started) throw new Error(`timestamps must not decrease on a CPU (${tb} < ${this.lastBig})`);
    if (d > MAX_SAFE && this.started) throw new Error('delta between two records exceeds 2^53 clock units');
    this.nextBig = tb;
    return Number(d);
  }

  private commitTs(): void {
    if (this.big) this.lastBig = this.nextBig;
    else this.lastNum = this.nextNum;
  }

  /**
   * Reserves a record of `recLen` bytes at time `ts` (adding a time extend when needed, opening a new page
   * when it does not fit) and returns the page-relative offset of the record; its delta is in `curDelta`.
   */
  private reserve(ts: number | bigint, recLen: number, absolute = false): number {
    if (recLen + this.dataOff + this.klong > this.pageSize) throw new Error(`record of ${recLen} bytes does not fit in a ${this.pageSize}-byte page`);
    const d = this.delta(ts);
    if (this.open) {
      const ext = !absolute && d >= DELTA_LIMIT ? 8 : 0;
      if (ext + recLen <= this.room()) {
        if (ext) {
          this.word(this.pos, 30, d % DELTA_LIMIT);
          this.view.setUint32(this.pageStart + this.pos + 4, Math.floor(d / DELTA_LIMIT) >>> 0, this.le);
          this.pos += 8;
          this.curDelta = 0;
        } else this.curDelta = d;
        const at = this.pos;
        this.pos += recLen;
        this.commitTs();
        return at;
      }
      this.closePage();
    }
    this.commitTs();
    this.startPage(this.big ? this.lastBig : BigInt(this.lastNum));
    this.curDelta = 0;
    this.started = true;
    const at = this.pos;
    this.pos += recLen;
    return at;
  }

  /** Appends a data record with the given payload bytes. */
  addEvent(ts: bigint | number, payload: Uint8Array, len = payload.length): void {
    const plen = len === 0 ? 1 : len;
    let recLen: number;
    let large: boolean;
    if (this.force8 || plen > 112) {
      large = true;
      recLen = this.force8 ? Math.ceil((plen + 8) / 8) * 8 : Math.ceil((plen + 8) / 4) * 4;
    } else {
      large = false;
      recLen = 4 + Math.ceil(plen / 4) * 4;
    }
    const at = this.reserve(ts, recLen);
    const base = this.pageStart + at;
    if (large) {
      this.word(at, 0, this.curDelta);
      this.view.setUint32(base + 4, recLen - 4, this.le);
      this.buf.set(len === payload.length ? payload : payload.subarray(0, len), base + 8);
    } else {
      this.word(at, (recLen - 4) >> 2, this.curDelta);
      this.buf.set(len === payload.length ? payload : payload.subarray(0, len), base + 4);
    }
    if (this.firstTs === null) this.firstTs = BigInt(ts);
    this.events++;
  }

  /** A discarded event (type_len 29 with a non-zero length) of `payloadLen` bytes at time `ts`. */
  addPadding(ts: bigint | number, payloadLen = 8): void {
    const recLen = 4 + Math.ceil(Math.max(4, payloadLen) / 4) * 4;
    const at = this.reserve(ts, recLen);
    this.word(at, 29, this.curDelta);
    this.view.setUint32(this.pageStart + at + 4, recLen - 4, this.le);
  }

  /** An absolute time stamp record (type_len 31); following events are relative to `ts`. */
  addAbsoluteTimestamp(ts: bigint): void {
    const at = this.reserve(ts, 8, true);
    this.word(at, 31, Number(ts & BigInt(DELTA_MASK)));
    this.view.setUint32(this.pageStart + at + 4, Number((ts >> 27n) & 0xffffffffn), this.le);
  }

  /** Events were lost before the next page: it gets commit bit 31 (and bit 30 + the count if known). */
  markMissed(count: number | 'unknown'): void {
    this.closePage();
    this.missed = count;
  }

  /** Closes the last page and flushes. Returns the total byte size of the page stream. */
  finish(): number {
    this.closePage();
    if (this.fd !== null) {
      this.spill();
      closeSync(this.fd);
      this.fd = null;
    }
    return this.bytes;
  }

  /** Iterates the finished page stream in chunks (from the spill file, then memory). */
  *chunks(readChunk: (path: string, pos: number, len: number) => Uint8Array, chunkBytes = 8 << 20): Generator<Uint8Array> {
    const c = Math.max(this.pageSize, Math.floor(chunkBytes / this.pageSize) * this.pageSize);
    for (let p = 0; p < this.spilled; p += c) yield readChunk(this.path, p, Math.min(c, this.spilled - p));
    if (this.pageStart > 0) yield this.buf.subarray(0, this.pageStart);
  }
}
