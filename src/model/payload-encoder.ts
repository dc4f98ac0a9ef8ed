// Encodes field values into the raw payload of one trace event, following its tracefs format:
// common fields first, fixed fields at their `offset`/`size`, then dynamic data. `__data_loc` is a
// u32 = (length << 16) | offset-from-payload-start, `__rel_loc` the same with the offset counted from
// the end of the field itself (kernel include/trace/stages/stage6_event_callback.h; libtraceevent
// event-parse.c dynamic_offset / dynamic_offset_field). Dynamic data is appended after the fixed
// struct (aligned like the C struct would be) in field order; strings get their NUL.
// Flexible arrays (`char buf[]`, `u32 buf[]`, size 0) get their bytes at their own offset.
// See /work/shared/reference/trace-formats.md §4.

import type { EventFormat, FieldDef } from '../ingest/tracedat/format-parser.js';

export type FieldValue = number | bigint | string | number[] | bigint[] | Uint8Array;

const enc = new TextEncoder();

function toBytes(v: FieldValue | undefined, f: FieldDef, withNul: boolean): Uint8Array {
  if (v === undefined) return withNul ? new Uint8Array(1) : new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') {
    const s = enc.encode(v);
    if (!withNul) return s;
    const out = new Uint8Array(s.length + 1);
    out.set(s);
    return out;
  }
  if (Array.isArray(v)) {
    const es = f.elemSize > 0 ? f.elemSize : 1;
    const out = new Uint8Array(v.length * es);
    return out; // filled by caller (needs endianness)
  }
  throw new Error(`field ${f.name}: cannot encode ${typeof v} as bytes`);
}

/** Reusable encoder for one event format; `encode` writes into `buf` and returns the length. */
export class PayloadEncoder {
  readonly format: EventFormat;
  /** End of the fixed part, aligned like the C struct (start of dynamic data). */
  readonly fixedSize: number;
  buf: Uint8Array;
  private view: DataView;
  private readonly le: boolean;
  private readonly byName = new Map<string, FieldDef>();

  constructor(format: EventFormat, bigEndian = false) {
    this.format = format;
    this.le = !bigEndian;
    let end = 0;
    let align = 1;
    for (const f of format.fields) {
      this.byName.set(f.name, f);
      end = Math.max(end, f.offset + f.size);
      const a = f.isArray ? f.elemSize : f.size;
      if (a === 2 || a === 4 || a === 8) align = Math.max(align, a);
    }
    this.fixedSize = Math.ceil(end / align) * align;
    this.buf = new Uint8Array(Math.max(256, this.fixedSize * 2));
    this.view = new DataView(this.buf.buffer);
  }

  field(name: string): FieldDef | undefined {
    return this.byName.get(name);
  }

  /** Makes `buf` at least `n` bytes long (keeping its content) and returns it. */
  reserve(n: number): Uint8Array {
    this.ensure(n);
    return this.buf;
  }

  private ensure(n: number): void {
    if (n <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(n, this.buf.length * 2));
    nb.set(this.buf);
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }

  /** Writes an integer of `size` bytes (two's complement for negatives) at `off`. */
  writeInt(off: number, size: number, v: number | bigint): void {
    const dv = this.view;
    switch (size) {
      case 1: dv.setUint8(off, Number(BigInt.asUintN(8, BigInt(v)))); break;
      case 2: dv.setUint16(off, Number(BigInt.asUintN(16, BigInt(v))), this.le); break;
      case 4: dv.setUint32(off, Number(BigInt.asUintN(32, BigInt(v))), this.le); break;
      case 8: dv.setBigUint64(off, BigInt.asUintN(64, BigInt(v)), this.le); break;
      default:
        if (size !== 0) throw new Error(`unsupported integer size ${size}`);
    }
  }

  private writeArray(off: number, es: number, vals: ArrayLike<number | bigint>, max: number): number {
    const n = Math.min(vals.length, Math.floor(max / es));
    for (let i = 0; i < n; i++) this.writeInt(off + i * es, es, vals[i]);
    return n * es;
  }

  /**
   * Encodes one event. Missing fields are 0 / empty. Returns the payload length
   * (the kernel's entry size; the ring buffer rounds it up to 4 bytes).
   */
  encode(values: Record<string, FieldValue> | undefined, pid: number, flags = 0, preemptCount = 0): number {
    const vals = values ?? {};
    let dynEnd = this.fixedSize;
    this.ensure(dynEnd);
    this.buf.fill(0, 0, dynEnd);
    for (const f of this.format.fields) {
      let v: FieldValue | undefined = vals[f.name];
      if (f.common) {
        if (f.name === 'common_type') v = this.format.id;
        else if (f.name === 'common_pid') v = pid;
        else if (f.name === 'common_flags') v = v ?? flags;
        else if (f.name === 'common_preempt_count') v = v ?? preemptCount;
      }
      if (f.dynamic !== 'none') {
        const bytes = toBytes(v, f, f.isString);
        const start = dynEnd;
        this.ensure(start + bytes.length);
        if (Array.isArray(v)) this.writeArray(start, f.elemSize || 1, v, bytes.length);
        else this.buf.set(bytes, start);
        dynEnd = start + bytes.length;
        const rel = f.dynamic === 'rel_loc' ? start - (f.offset + f.size) : start;
        this.writeInt(f.offset, f.size === 2 ? 2 : 4, f.size === 2 ? rel : ((bytes.length << 16) | rel) >>> 0);
        continue;
      }
      if (v === undefined) continue;
      if (f.isArray && f.size === 0) {
        // Flexible array at the end of the fixed part (ftrace print/bprint buf[]).
        const bytes = toBytes(v, f, f.isString);
        this.ensure(f.offset + bytes.length);
        if (Array.isArray(v)) this.writeArray(f.offset, f.elemSize || 4, v, bytes.length);
        else this.buf.set(bytes, f.offset);
        dynEnd = Math.max(dynEnd, f.offset + bytes.length);
        continue;
      }
      if (typeof v === 'string' || v instanceof Uint8Array) {
        const b = typeof v === 'string' ? enc.encode(v) : v;
        this.buf.set(b.subarray(0, f.size), f.offset);
      } else if (Array.isArray(v)) {
        this.writeArray(f.offset, f.elemSize || 1, v, f.size);
      } else {
        this.writeInt(f.offset, f.size, v);
      }
    }
    // A flexible array decides the end itself; without dynamic data use the fixed size.
    return dynEnd;
  }
}
