// Decodes one CPU's ring-buffer pages into a small per-page event list and walks it: the merge
// (merge.ts) asks each cursor for its current timestamp and payload. Page header: u64 timestamp,
// klong commit (low 27 bits = data bytes; bit 31 = events missed before this page; bit 30 = the
// count is stored as a klong after the data). Record header word: type_len (5 bits) + time_delta
// (27 bits), placed by endianness; type_len 1..28 data of type_len*4 bytes, 0 = length in array[0],
// 29 = padding (length array[0]), 30 = time extend, 31 = absolute time stamp.
// Upstream: libtraceevent src/kbuffer-parse.c (translate_data, update_pointers, __next_event,
// kbuffer_load_subbuffer), kernel kernel/trace/ring_buffer.c; trace-formats.md §3.
import type { Diagnostics } from '../../diag/diagnostics.js';
import type { PageSource } from './page-source.js';

const COMMIT_MASK = (1 << 27) - 1;
const MISSED_EVENTS = 0x80000000;
const MISSED_STORED = 0x40000000;
const TWO27 = 134217728;

export interface PageLayout {
  little: boolean;
  /** Kernel long size: width of commit and of the stored missed count. */
  klong: number;
  dataOffset: number;
  /** Converts a raw absolute clock value to ns relative to the source base. */
  toRel: (raw: bigint) => number;
  /** True when `toRel` is affine with slope 1 (ns clocks): per-event deltas are added as Numbers. */
  linear: boolean;
}

export class CpuCursor {
  /** Events of the current page. */
  n = 0;
  i = 0;
  ts = new Float64Array(512);
  start = new Int32Array(512);
  len = new Int32Array(512);
  page: Uint8Array = new Uint8Array(0);
  /**
   * The current page as 32-bit words (a view on its whole buffer; the page starts at word `base32`),
   * or null when some event of the page does not start on a word: the merge then reads bytes.
   */
  page32: Int32Array | null = null;
  base32 = 0;
  /**
   * True when the page's events fill most of the bytes from the first event's payload to the last
   * one's end (no long padding between them): the merge then copies that span whole.
   */
  dense = false;
  private words: Int32Array | null = null;
  private dv: DataView | null = null;
  /** Missed events announced by the current page (-1 unknown, 0 none); consumed by the merge. */
  missed = 0;
  /** First raw page timestamp seen (to choose the source base). */
  firstPageTs: bigint | null = null;
  pages = 0;
  private pendingPage: Uint8Array | null = null;

  constructor(
    readonly cpu: number,
    private readonly pages_: PageSource,
    private readonly layout: PageLayout,
    private readonly diag: Diagnostics,
    private readonly label: string,
  ) {}

  /** Reads the first page's timestamp without decoding (the base is chosen from these). */
  peekFirstTimestamp(): bigint | null {
    const p = this.pages_.next();
    if (!p) return null;
    this.pendingPage = p.slice();
    const v = new DataView(this.pendingPage.buffer);
    this.firstPageTs = v.getBigUint64(0, this.layout.little);
    return this.firstPageTs;
  }

  /** Advances to the next event; false at the end of this CPU's data. */
  advance(): boolean {
    if (++this.i < this.n) return true;
    for (;;) {
      const page = this.pendingPage ?? this.pages_.next();
      this.pendingPage = null;
      if (!page) {
        this.n = 0;
        return false;
      }
      this.decodePage(page);
      if (this.n > 0) return true;
      // An empty page can still carry a missed-events flag; keep it for the next page's first event.
    }
  }

  private decodePage(page: Uint8Array): void {
    const L = this.layout;
    const little = L.little;
    // One DataView per underlying buffer (pages are views into a reused block), offsets shifted by
    // `o`; a page too short for its header gets its own view, whose reads past the end throw.
    let view: DataView;
    let o = 0;
    if (page.length >= 16) {
      if (this.dv === null || this.dv.buffer !== page.buffer) this.dv = new DataView(page.buffer);
      view = this.dv;
      o = page.byteOffset;
    } else view = new DataView(page.buffer, page.byteOffset, page.byteLength);
    this.page = page;
    this.pages++;
    const pageTs = view.getBigUint64(o, little);
    const commitWord = L.klong === 8 && !little ? view.getUint32(o + 12, false) : view.getUint32(o + 8, little);
    const size = commitWord & COMMIT_MASK;
    const dataOff = L.dataOffset;
    this.i = 0;
    this.n = 0;
    if (commitWord & MISSED_EVENTS) {
      let count = -1;
      const at = dataOff + size;
      if (commitWord & MISSED_STORED && at + L.klong <= page.length) {
        count = L.klong === 8 ? Number(view.getBigUint64(o + at, little)) : view.getUint32(o + at, little);
      }
      this.missed = this.missed === 0 ? count : this.missed < 0 || count < 0 ? -1 : this.missed + count;
    }
    if (size === 0) return;
    const end = dataOff + size;
    if (end > page.length) {
      this.diag.add('bad-page', 'data-loss', `${this.label}: page commit ${size} exceeds the page size ${page.length}; page skipped`);
      return;
    }
    // At most one event per 8 bytes of data: size the columns once, then fill them without checks.
    if ((size >> 3) + 1 > this.ts.length) this.grow((size >> 3) + 1);
    const tsA = this.ts;
    const startA = this.start;
    const lenA = this.len;
    const linear = L.linear;
    let k = 0;
    let odd = page.byteOffset; // OR of every start: all word-aligned when its low bits are 0
    let bytes = 0; // payload bytes of the page's events
    let rawBase = pageTs; // bigint clock value that `t` counts from (only for non-linear clocks)
    let t = linear ? L.toRel(pageTs) : 0;
    let pos = dataOff;
    while (pos + 4 <= end) {
      const w = view.getUint32(o + pos, little);
      const typeLen = little ? w & 31 : w >>> 27;
      const delta = little ? w >>> 5 : w & 0x07ffffff;
      if (typeLen <= 28 && typeLen >= 1) {
        t += delta;
        tsA[k] = linear ? t : L.toRel(rawBase + BigInt(t));
        startA[k] = pos + 4;
        lenA[k++] = typeLen * 4;
        bytes += typeLen * 4;
        odd |= pos;
        pos += 4 + typeLen * 4;
        continue;
      }
      if (pos + 8 > end) break;
      const a0 = view.getUint32(o + pos + 4, little);
      if (typeLen === 0) {
        if (a0 < 4) {
          this.diag.add('bad-record', 'data-loss', `${this.label}: record of length ${a0} in page at byte ${this.pages_.pageOffset}; rest of page skipped`);
          break;
        }
        if (a0 > end - pos) {
          // A length past the page (2^31 and up would even wrap the 32-bit rounding below negative).
          this.diag.add('bad-record', 'data-loss', `${this.label}: record of length ${a0} runs past its page at byte ${this.pages_.pageOffset}; rest of page skipped`);
          break;
        }
        const len = (a0 - 4 + 3) & ~3;
        t += delta;
        tsA[k] = linear ? t : L.toRel(rawBase + BigInt(t));
        startA[k] = pos + 8;
        const l = Math.min(len, end - pos - 8);
        lenA[k++] = l;
        bytes += l;
        odd |= pos;
        pos += 8 + len;
      } else if (typeLen === 29) {
        t += delta; // libtraceevent adds a padding record's delta (the kernel's reader does not)
        if (a0 === 0 && delta === 0) break;
        pos += 4 + a0;
      } else if (typeLen === 30) {
        t += a0 * TWO27 + delta;
        pos += 8;
      } else {
        // Absolute time stamp: low 59 bits given, the top 5 bits come from the running time.
        const cur = linear ? pageTs + BigInt(t - L.toRel(pageTs)) : rawBase + BigInt(t);
        const abs = (BigInt(a0) << 27n) | BigInt(delta) | (cur & 0xf800000000000000n);
        if (linear) t = L.toRel(abs);
        else {
          rawBase = abs;
          t = 0;
        }
        pos += 8;
      }
    }
    this.n = k;
    this.dense = k > 0 && startA[k - 1] + lenA[k - 1] - startA[0] <= 2 * bytes + 64;
    if ((odd & 3) === 0) {
      if (this.words === null || this.words.buffer !== page.buffer) this.words = new Int32Array(page.buffer, 0, page.buffer.byteLength >> 2);
      this.page32 = this.words;
      this.base32 = page.byteOffset >> 2;
    } else this.page32 = null;
  }

  private grow(min: number): void {
    let size = this.ts.length * 2;
    while (size < min) size *= 2;
    this.ts = new Float64Array(size);
    this.start = new Int32Array(size);
    this.len = new Int32Array(size);
  }
}
