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
    const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
    this.page = page;
    this.pages++;
    const pageTs = view.getBigUint64(0, little);
    const commitWord = L.klong === 8 && !little ? view.getUint32(12, false) : view.getUint32(8, little);
    const size = commitWord & COMMIT_MASK;
    const dataOff = L.dataOffset;
    this.i = 0;
    this.n = 0;
    if (commitWord & MISSED_EVENTS) {
      let count = -1;
      const at = dataOff + size;
      if (commitWord & MISSED_STORED && at + L.klong <= page.length) {
        count = L.klong === 8 ? Number(view.getBigUint64(at, little)) : view.getUint32(at, little);
      }
      this.missed = this.missed === 0 ? count : this.missed < 0 || count < 0 ? -1 : this.missed + count;
    }
    if (size === 0) return;
    const end = dataOff + size;
    if (end > page.length) {
      this.diag.add('bad-page', 'data-loss', `${this.label}: page commit ${size} exceeds the page size ${page.length}; page skipped`);
      return;
    }
    let rawBase = pageTs; // bigint clock value that `t` counts from (only for non-linear clocks)
    let t = L.linear ? L.toRel(pageTs) : 0;
    let pos = dataOff;
    while (pos + 4 <= end) {
      const w = view.getUint32(pos, little);
      const typeLen = little ? w & 31 : w >>> 27;
      const delta = little ? w >>> 5 : w & 0x07ffffff;
      if (typeLen <= 28 && typeLen >= 1) {
        t += delta;
        this.pushEvent(L.linear ? t : L.toRel(rawBase + BigInt(t)), pos + 4, typeLen * 4);
        pos += 4 + typeLen * 4;
        continue;
      }
      if (pos + 8 > end) break;
      const a0 = view.getUint32(pos + 4, little);
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
        this.pushEvent(L.linear ? t : L.toRel(rawBase + BigInt(t)), pos + 8, Math.min(len, end - pos - 8));
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
        const cur = L.linear ? pageTs + BigInt(t - L.toRel(pageTs)) : rawBase + BigInt(t);
        const abs = (BigInt(a0) << 27n) | BigInt(delta) | (cur & 0xf800000000000000n);
        if (L.linear) t = L.toRel(abs);
        else {
          rawBase = abs;
          t = 0;
        }
        pos += 8;
      }
    }
  }

  private pushEvent(ts: number, start: number, len: number): void {
    if (this.n === this.ts.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.ts = grow(this.ts, (n) => new Float64Array(n));
      this.start = grow(this.start, (n) => new Int32Array(n));
      this.len = grow(this.len, (n) => new Int32Array(n));
    }
    const k = this.n++;
    this.ts[k] = ts;
    this.start[k] = start;
    this.len[k] = len;
  }
}
