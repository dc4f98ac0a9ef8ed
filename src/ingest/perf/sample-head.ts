// The head of a PERF_RECORD_SAMPLE: which attr it belongs to (by sample id), and its pid/tid, time,
// cpu and PERF_SAMPLE_RAW position — decoded into this object's fields (no object per sample).
// Field order within a sample (include/uapi/linux/perf_event.h, enum perf_event_sample_format,
// "struct { ... } && PERF_RECORD_SAMPLE"): IDENTIFIER, IP, TID, TIME, ADDR, ID, STREAM_ID, CPU,
// PERIOD, READ, CALLCHAIN, RAW. The id that picks the attr is at the body start with
// SAMPLE_IDENTIFIER, else at its SAMPLE_ID position (tools/perf/util/evlist.c, perf 6.1
// evlist__event2id); with one attr there is no choice.
import { READ_FORMAT, SAMPLE } from './constants.js';
import type { PerfAttr } from './attr.js';
import { LAYOUT_STRIDE, sampleLayout } from './sample-layout.js';

const TWO32 = 4294967296;

function idKey(hi: number, lo: number): number {
  return hi * TWO32 + lo;
}

function readSize(attr: PerfAttr): number {
  const rf = attr.readFormat;
  let n = 8;
  if (rf & READ_FORMAT.TOTAL_TIME_ENABLED) n += 8;
  if (rf & READ_FORMAT.TOTAL_TIME_RUNNING) n += 8;
  if (rf & READ_FORMAT.ID) n += 8;
  if (rf & READ_FORMAT.LOST) n += 8;
  return n;
}

export class SampleHeads {
  /** Index in `attrs` of the last decoded sample's attr. */
  attr = 0;
  pid = 0;
  tid = 0;
  /** The sample time as unsigned 32-bit halves (0/0: no time). */
  timeHi = 0;
  timeLo = 0;
  cpu = 0;
  /** Offset of the RAW payload in the record's buffer (-1: none) and its length. */
  raw = -1;
  rawLen = 0;
  /** Samples shorter than their sample_type requires (or naming an impossible CPU). */
  badSamples = 0;
  /** Samples whose id belongs to no attr. */
  unknownIds = 0;

  private idToAttr = new Map<number, number>();
  // Sample ids are small consecutive numbers in practice: a direct table in front of the Map.
  private idBase = 0;
  private idDirect = new Int32Array(0);
  private sampleTypes = new Int32Array(0);
  private readSizes = new Int32Array(0);
  private layouts = new Int32Array(0);
  private idMode = 0; // 0 single attr, 1 IDENTIFIER at body start, 2 ID at idPos
  private idPos = 0;

  constructor(
    private readonly attrs: PerfAttr[],
    private readonly little: boolean,
  ) {
    this.rebuildIds();
  }

  /** Re-reads the ids of every attr (after an attr was added). */
  rebuildIds(): void {
    this.idToAttr.clear();
    this.attrs.forEach((a, i) => {
      for (const id of a.ids) this.idToAttr.set(idKey(Number(id >> 32n), Number(id & 0xffffffffn)), i);
    });
  }

  /** An id → attr pair from an ID_INDEX record (ids of the attrs themselves win). */
  addIndexed(hi: number, lo: number, attr: number): void {
    const key = idKey(hi, lo);
    if (!this.idToAttr.has(key) && attr < this.attrs.length) this.idToAttr.set(key, attr);
  }

  /** Builds the per-attr tables; decode() calls it when the attrs changed. */
  setup(): void {
    const attrs = this.attrs;
    this.sampleTypes = Int32Array.from(attrs.map((a) => a.sampleType));
    this.readSizes = Int32Array.from(attrs.map(readSize));
    this.buildIdDirect();
    this.layouts = Int32Array.from(attrs.flatMap((x, i) => sampleLayout(x.sampleType, x.readFormat, this.readSizes[i])));
    const st = attrs[0]?.sampleType ?? 0;
    this.idMode = 0;
    if (attrs.length > 1 && st & SAMPLE.IDENTIFIER) this.idMode = 1;
    else if (attrs.length > 1 && st & SAMPLE.ID) {
      this.idMode = 2;
      this.idPos = 8 + 8 * (+!!(st & SAMPLE.IP) + +!!(st & SAMPLE.TID) + +!!(st & SAMPLE.TIME) + +!!(st & SAMPLE.ADDR));
    }
  }

  private buildIdDirect(): void {
    let min = Infinity;
    let max = -1;
    for (const k of this.idToAttr.keys()) {
      if (k < TWO32) {
        min = Math.min(min, k);
        max = Math.max(max, k);
      }
    }
    this.idDirect = new Int32Array(max < 0 || max - min >= 1 << 16 ? 0 : max - min + 1).fill(-1);
    this.idBase = max < 0 ? 0 : min;
    for (const [k, v] of this.idToAttr) if (k >= this.idBase && k - this.idBase < this.idDirect.length) this.idDirect[k - this.idBase] = v;
  }

  /** Decodes the head of the sample record at `off` (its header included) into the fields; false when it is unusable. */
  decode(view: DataView, off: number, size: number): boolean {
    if (this.sampleTypes.length !== this.attrs.length) this.setup();
    const little = this.little;
    const e = off + size;
    let a = 0;
    if (this.idMode !== 0) {
      const at = off + (this.idMode === 1 ? 8 : this.idPos);
      if (at + 8 > e) return this.bad();
      const lo = view.getUint32(at + (little ? 0 : 4), little);
      const hi = view.getUint32(at + (little ? 4 : 0), little);
      const d = lo - this.idBase;
      a = hi === 0 && d >= 0 && d < this.idDirect.length ? this.idDirect[d] : -1;
      if (a < 0) {
        const found = this.idToAttr.get(idKey(hi, lo));
        if (found === undefined) {
          this.unknownIds++;
          return false;
        }
        a = found;
      }
    }
    this.attr = a;
    const layouts = this.layouts;
    const lb = a * LAYOUT_STRIDE;
    if (layouts[lb] === 1) {
      // Fixed layout: the same answers as the field-by-field walk below, with no walk.
      if (size < layouts[lb + 5]) return this.bad();
      const t = layouts[lb + 1];
      this.pid = t < 0 ? -1 : view.getInt32(off + t, little);
      this.tid = t < 0 ? -1 : view.getInt32(off + t + 4, little);
      const tm = layouts[lb + 2];
      this.timeLo = tm < 0 ? 0 : view.getUint32(off + tm + (little ? 0 : 4), little);
      this.timeHi = tm < 0 ? 0 : view.getUint32(off + tm + (little ? 4 : 0), little);
      const c = layouts[lb + 3];
      this.cpu = c < 0 ? 0 : view.getUint32(off + c, little);
      if (this.cpu > 0xffff) return this.bad(); // damaged: as in the walk below
      const r = layouts[lb + 4];
      this.raw = -1;
      this.rawLen = 0;
      if (r >= 0) {
        const n = view.getUint32(off + r, little);
        if (r + 4 + n > size) return this.bad();
        this.raw = off + r + 4;
        this.rawLen = n;
      }
      return true;
    }
    return this.walk(view, off, size, a);
  }

  /** The field-by-field decode for sample types without a fixed layout. */
  private walk(view: DataView, off: number, size: number, a: number): boolean {
    const little = this.little;
    const e = off + size;
    const st = this.sampleTypes[a];
    let p = off + 8;
    if (st & SAMPLE.IDENTIFIER) p += 8;
    if (st & SAMPLE.IP) p += 8;
    this.pid = -1;
    this.tid = -1;
    if (st & SAMPLE.TID) {
      if (p + 8 > e) return this.bad();
      this.pid = view.getInt32(p, little);
      this.tid = view.getInt32(p + 4, little);
      p += 8;
    }
    this.timeHi = 0;
    this.timeLo = 0;
    if (st & SAMPLE.TIME) {
      if (p + 8 > e) return this.bad();
      this.timeLo = view.getUint32(p + (little ? 0 : 4), little);
      this.timeHi = view.getUint32(p + (little ? 4 : 0), little);
      p += 8;
    }
    if (st & SAMPLE.ADDR) p += 8;
    if (st & SAMPLE.ID) p += 8;
    if (st & SAMPLE.STREAM_ID) p += 8;
    this.cpu = 0;
    if (st & SAMPLE.CPU) {
      if (p + 8 > e) return this.bad();
      this.cpu = view.getUint32(p, little);
      if (this.cpu > 0xffff) return this.bad(); // damaged: no kernel has that many CPUs (and batches hold u16 CPUs)
      p += 8;
    }
    if (st & SAMPLE.PERIOD) p += 8;
    if (st & SAMPLE.READ) {
      const rf = this.attrs[a].readFormat;
      if (rf & READ_FORMAT.GROUP) {
        if (p + 8 > e) return this.bad();
        const nr = Number(view.getBigUint64(p, little));
        const per = 8 + (rf & READ_FORMAT.ID ? 8 : 0) + (rf & READ_FORMAT.LOST ? 8 : 0);
        if (nr > size) return this.bad();
        p += 8 + (rf & READ_FORMAT.TOTAL_TIME_ENABLED ? 8 : 0) + (rf & READ_FORMAT.TOTAL_TIME_RUNNING ? 8 : 0) + nr * per;
      } else p += this.readSizes[a];
    }
    if (st & SAMPLE.CALLCHAIN) {
      if (p + 8 > e) return this.bad();
      const nr = Number(view.getBigUint64(p, little));
      if (nr > size) return this.bad();
      p += 8 + nr * 8;
    }
    this.raw = -1;
    this.rawLen = 0;
    if (st & SAMPLE.RAW) {
      if (p + 4 > e) return this.bad();
      const n = view.getUint32(p, little);
      if (p + 4 + n > e) return this.bad();
      this.raw = p + 4;
      this.rawLen = n;
    }
    return true;
  }

  private bad(): false {
    this.badSamples++;
    return false;
  }
}
