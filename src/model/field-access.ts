// Reading tracepoint fields out of an EventBatch's payload arena, by the layouts of the event's
// format (offset, size, signedness; __data_loc: low 16 bits offset from the payload start, high 16
// bits length; __rel_loc: offset from the end of the field). Out-of-range dynamic locations are
// clamped the way libtraceevent does (src/event-parse.c dynamic_offset). trace-formats.md §4.2–4.4.
import type { FieldDef } from '../ingest/tracedat/format-parser.js';
import type { EventBatch } from './event-batch.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Integer value of a scalar field as a Number (exact below 2^53; 8-byte fields may round). */
export function readNumber(b: EventBatch, i: number, f: FieldDef): number {
  const size = f.size;
  if (f.offset + size > b.len[i]) return 0;
  const at = b.off[i] + f.offset;
  const v = b.view;
  const le = b.little;
  if (size === 4) return f.signed ? v.getInt32(at, le) : v.getUint32(at, le);
  if (size === 8) {
    // hi·2^32 + lo rounds exactly as Number(BigInt) does (one rounding of the exact value), no BigInt.
    const lo = v.getUint32(le ? at : at + 4, le);
    const hi = f.signed ? v.getInt32(le ? at + 4 : at, le) : v.getUint32(le ? at + 4 : at, le);
    return hi * 4294967296 + lo;
  }
  if (size === 1) return f.signed ? v.getInt8(at) : v.getUint8(at);
  if (size === 2) return f.signed ? v.getInt16(at, le) : v.getUint16(at, le);
  return 0;
}

/** Exact integer value of a scalar field. */
export function readBigInt(b: EventBatch, i: number, f: FieldDef): bigint {
  if (f.size === 8) {
    if (f.offset + 8 > b.len[i]) return 0n;
    const at = b.off[i] + f.offset;
    return f.signed ? b.view.getBigInt64(at, b.little) : b.view.getBigUint64(at, b.little);
  }
  return BigInt(readNumber(b, i, f));
}

/** Byte range [start, end) of a field's data inside the arena (dynamic fields resolved). */
export function fieldRange(b: EventBatch, i: number, f: FieldDef): [number, number] {
  const base = b.off[i];
  const len = b.len[i];
  if (f.dynamic === 'none') {
    const size = f.size === 0 ? Math.max(0, len - f.offset) : f.size; // flexible array: to the end
    const s = Math.min(f.offset, len);
    return [base + s, base + Math.min(len, s + size)];
  }
  if (f.offset + f.size > len) return [base, base];
  const word = f.size === 2 ? b.view.getUint16(base + f.offset, b.little) : b.view.getUint32(base + f.offset, b.little);
  let off = f.size === 2 ? word : word & 0xffff;
  let n = f.size === 2 ? len - off : word >>> 16;
  if (f.dynamic === 'rel_loc') off += f.offset + f.size;
  if (off > len) {
    off = 0;
    n = 0;
  }
  if (off + n > len) n = 0;
  return [base + off, base + off + n];
}

/** Text of a char array or __data_loc string, up to the first NUL. */
export function readString(b: EventBatch, i: number, f: FieldDef): string {
  const [s, e] = fieldRange(b, i, f);
  let z = s;
  const d = b.data;
  while (z < e && d[z] !== 0) z++;
  return utf8.decode(d.subarray(s, z));
}
