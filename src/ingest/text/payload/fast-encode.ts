// Encoding of the fast path's scratch values (fast.ts, fast-plugins.ts) into an event's raw payload
// bytes, written straight into the destination arena (the EventBatch's `data`) at a base offset:
// no object, no BigInt below 2^53, no intermediate buffer per line. The bytes are exactly those
// PayloadEncoder (model/payload-encoder.ts) writes for the same values: little-endian integers in
// two's complement truncated to the field size, ASCII strings byte by byte (char arrays cut at
// their size, __data_loc/__rel_loc strings NUL-terminated after the fixed part). A string that is
// not ASCII makes encodeFast return -1 and the caller encodes through PayloadEncoder (UTF-8).
import type { EventFormat, FieldDef } from '../../tracedat/format-parser.js';
import { asciiBytes, asciiText } from '../lines.js';
import { vA, vB, vBig, vHi, vKind, vNum } from './fast.js';

export interface FastLayout {
  fixedSize: number;
  typeOff: number;
  typeSize: number;
  pidOff: number;
  pidSize: number;
  flagsOff: number;
  flagsSize: number;
  preemptOff: number;
  preemptSize: number;
  /** The non-common fields in format order (slot = index). */
  fields: FieldDef[];
  /** 1 scalar, 2 fixed char array, 3 dynamic (data_loc / rel_loc), 4 flexible array, 0 other (left 0). */
  kinds: Int8Array;
  /** The four common fields are present with the kernel's sizes (2, 4, 1, 1): written inline. */
  std: boolean;
  /** Offset and size of each field (slot), read without a property load per field. */
  offs: Int32Array;
  sizes: Int32Array;
  /**
   * [start, end) byte ranges of the fixed part that encodeFast does not always write (padding,
   * other common fields, kinds 0/3/4): zeroed first. Scalars and char arrays are written in full.
   */
  zeros: Int32Array;
}

const layoutCache = new WeakMap<EventFormat, FastLayout | null>();

/** The layout the fast encoder writes, or null when the format has a field it does not handle (then PayloadEncoder does). */
export function fastLayout(fmt: EventFormat, fixedSize: number): FastLayout | null {
  const hit = layoutCache.get(fmt);
  if (hit !== undefined) return hit;
  const l: FastLayout = { fixedSize, typeOff: -1, typeSize: 0, pidOff: -1, pidSize: 0, flagsOff: -1, flagsSize: 0, preemptOff: -1, preemptSize: 0, fields: [], kinds: new Int8Array(0), std: false, offs: new Int32Array(0), sizes: new Int32Array(0), zeros: new Int32Array(0) };
  const kinds: number[] = [];
  let ok = true;
  for (const f of fmt.fields) {
    if (f.common) {
      const sz = f.size;
      if (f.dynamic !== 'none' || f.isArray) {
        if (['common_type', 'common_pid', 'common_flags', 'common_preempt_count'].includes(f.name)) ok = false;
        continue;
      }
      if (f.name === 'common_type') { l.typeOff = f.offset; l.typeSize = sz; }
      else if (f.name === 'common_pid') { l.pidOff = f.offset; l.pidSize = sz; }
      else if (f.name === 'common_flags') { l.flagsOff = f.offset; l.flagsSize = sz; }
      else if (f.name === 'common_preempt_count') { l.preemptOff = f.offset; l.preemptSize = sz; }
      if (sz !== 1 && sz !== 2 && sz !== 4 && sz !== 8 && sz !== 0) ok = false;
      continue;
    }
    l.fields.push(f);
    let k = 0;
    if (f.dynamic !== 'none') k = 3;
    else if (f.isArray && f.size === 0) k = 4;
    else if (!f.isArray && f.size > 0 && f.size <= 8) {
      k = 1;
      if (f.size !== 1 && f.size !== 2 && f.size !== 4 && f.size !== 8) ok = false;
    } else if (f.isArray && f.isString) k = 2;
    else if (f.size > 8 && !f.isArray) ok = false;
    kinds.push(k);
  }
  l.kinds = Int8Array.from(kinds);
  l.std = l.typeOff >= 0 && l.typeSize === 2 && l.pidOff >= 0 && l.pidSize === 4 && l.flagsOff >= 0 && l.flagsSize === 1 && l.preemptOff >= 0 && l.preemptSize === 1;
  l.offs = Int32Array.from(l.fields, (f) => f.offset);
  l.sizes = Int32Array.from(l.fields, (f) => f.size);
  const written = new Uint8Array(fixedSize);
  // overlapping fields (none in the kernel's formats) keep PayloadEncoder's write order: no fast layout
  const mark = (off: number, size: number): void => {
    for (let i = off; i < off + size; i++) {
      if (i >= fixedSize || written[i]) ok = false;
      else written[i] = 1;
    }
  };
  if (l.typeOff >= 0) mark(l.typeOff, l.typeSize);
  if (l.pidOff >= 0) mark(l.pidOff, l.pidSize);
  if (l.flagsOff >= 0) mark(l.flagsOff, l.flagsSize);
  if (l.preemptOff >= 0) mark(l.preemptOff, l.preemptSize);
  l.fields.forEach((f, k) => { if (kinds[k] === 1 || kinds[k] === 2) mark(f.offset, f.size); });
  const zeros: number[] = [];
  for (let i = 0; i < fixedSize; i++) {
    if (written[i]) continue;
    let j = i;
    while (j < fixedSize && !written[j]) j++;
    zeros.push(i, j);
    i = j;
  }
  l.zeros = Int32Array.from(zeros);
  const out = ok ? l : null;
  layoutCache.set(fmt, out);
  return out;
}

function writeNum(d: Uint8Array, off: number, size: number, v: number): void {
  switch (size) {
    case 1: d[off] = v & 0xff; return;
    case 2: d[off] = v & 0xff; d[off + 1] = (v >>> 8) & 0xff; return;
    case 4: { const x = v >>> 0; d[off] = x & 0xff; d[off + 1] = (x >>> 8) & 0xff; d[off + 2] = (x >>> 16) & 0xff; d[off + 3] = x >>> 24; return; }
    case 8: {
      const lo = v >>> 0;
      const hi = Math.floor(v / 4294967296) >>> 0;
      d[off] = lo & 0xff; d[off + 1] = (lo >>> 8) & 0xff; d[off + 2] = (lo >>> 16) & 0xff; d[off + 3] = lo >>> 24;
      d[off + 4] = hi & 0xff; d[off + 5] = (hi >>> 8) & 0xff; d[off + 6] = (hi >>> 16) & 0xff; d[off + 7] = hi >>> 24;
      return;
    }
    default: return;
  }
}

function writePair(d: Uint8Array, off: number, size: number, lo: number, hi: number): void {
  if (size < 8) { writeNum(d, off, size, lo); return; }
  d[off] = lo & 0xff; d[off + 1] = (lo >>> 8) & 0xff; d[off + 2] = (lo >>> 16) & 0xff; d[off + 3] = lo >>> 24;
  d[off + 4] = hi & 0xff; d[off + 5] = (hi >>> 8) & 0xff; d[off + 6] = (hi >>> 16) & 0xff; d[off + 7] = hi >>> 24;
}

/** Ensures the destination holds at least `n` bytes (absolute); returns the (possibly new) array. */
export type Reserve = (n: number) => Uint8Array;

/**
 * Writes the payload from the scratch values (after a MATCH; `matched` false: common fields only)
 * into the destination at `base` (grown through `reserve`). Returns the payload length, or -1
 * when a string is not ASCII (the caller then encodes through PayloadEncoder, which writes UTF-8);
 * the bytes written at `base` are then garbage the caller overwrites.
 */
export function encodeFast(l: FastLayout, typeId: number, reserve: Reserve, base: number, s: string, pid: number, flags: number, preempt: number, matched: boolean): number {
  const fixed = l.fixedSize;
  let d = reserve(base + fixed);
  const zeros = l.zeros;
  for (let z = 0; z < zeros.length; z += 2) for (let i = base + zeros[z], e = base + zeros[z + 1]; i < e; i++) d[i] = 0;
  if (l.std) {
    // the kernel's common header: u16 type, u8 flags, u8 preempt_count, s32 pid
    let o = base + l.typeOff;
    d[o] = typeId & 0xff; d[o + 1] = (typeId >>> 8) & 0xff;
    d[base + l.flagsOff] = flags & 0xff;
    d[base + l.preemptOff] = preempt & 0xff;
    o = base + l.pidOff;
    const x = pid >>> 0;
    d[o] = x & 0xff; d[o + 1] = (x >>> 8) & 0xff; d[o + 2] = (x >>> 16) & 0xff; d[o + 3] = x >>> 24;
  } else {
    if (l.typeOff >= 0) writeNum(d, base + l.typeOff, l.typeSize, typeId);
    if (l.pidOff >= 0) writeNum(d, base + l.pidOff, l.pidSize, pid);
    if (l.flagsOff >= 0) writeNum(d, base + l.flagsOff, l.flagsSize, flags);
    if (l.preemptOff >= 0) writeNum(d, base + l.preemptOff, l.preemptSize, preempt);
  }
  let dynEnd = fixed;
  const u = s === asciiText ? asciiBytes : null; // the part's bytes (lines.ts), index for index
  const kinds = l.kinds;
  const offs = l.offs;
  const sizes = l.sizes;
  for (let k = 0; k < kinds.length; k++) {
    const kind = kinds[k];
    const vk = matched ? vKind[k] : 0;
    if (kind === 0) {
      if (vk !== 0) return -1;
      continue;
    }
    if (kind === 4 && !matched) continue;
    if (kind === 1) {
      const off = base + offs[k];
      const size = sizes[k];
      if (vk === 1) {
        const v = vNum[k];
        if (size === 4) {
          const x = v >>> 0;
          d[off] = x & 0xff; d[off + 1] = (x >>> 8) & 0xff; d[off + 2] = (x >>> 16) & 0xff; d[off + 3] = x >>> 24;
        } else writeNum(d, off, size, v);
      } else if (vk === 3) return -1;
      else if (vk === 0) writeNum(d, off, size, 0);
      else if (vk === 2) writePair(d, off, size, vNum[k], vHi[k]);
      else if (vk === 4) {
        const v = BigInt.asUintN(64, vBig[k]);
        writePair(d, off, size, Number(v & 0xffffffffn), Number(v >> 32n));
      }
      continue;
    }
    // strings
    let a = 0;
    let e = 0;
    if (vk === 3) { a = vA[k]; e = vB[k]; }
    else if (vk !== 0) return -1;
    const len = e - a;
    if (kind === 2) {
      const size = sizes[k];
      const n = len < size ? len : size;
      const o = base + offs[k];
      if (u !== null) {
        for (let i = 0; i < n; i++) d[o + i] = u[a + i]; // ASCII: the bytes are the chars
      } else {
        let hi = 0; // any char >= 128 (checked once after the copy)
        for (let i = 0; i < n; i++) {
          const c = s.charCodeAt(a + i);
          hi |= c;
          d[o + i] = c;
        }
        if (n < len) for (let i = n; i < len; i++) hi |= s.charCodeAt(a + i);
        if (hi >= 128) return -1;
      }
      for (let i = n; i < size; i++) d[o + i] = 0;
      continue;
    }
    const f = l.fields[k];
    const nul = f.isString ? 1 : 0;
    if (kind === 4 && !f.isString && len > 0) return -1;
    const start = kind === 3 ? dynEnd : f.offset;
    d = reserve(base + start + len + nul);
    const o = base + start;
    if (u !== null) for (let i = 0; i < len; i++) d[o + i] = u[a + i];
    else {
      for (let i = 0; i < len; i++) {
        const c = s.charCodeAt(a + i);
        if (c >= 128) return -1;
        d[o + i] = c;
      }
    }
    if (nul) d[o + len] = 0;
    if (kind === 3) {
      const bytes = len + nul;
      dynEnd = start + bytes;
      const rel = f.dynamic === 'rel_loc' ? start - (f.offset + f.size) : start;
      if (f.size === 2) writeNum(d, base + f.offset, 2, rel);
      else writeNum(d, base + f.offset, 4, ((bytes << 16) | rel) >>> 0);
    } else {
      dynEnd = Math.max(dynEnd, f.offset + len + nul);
    }
  }
  return dynEnd;
}
