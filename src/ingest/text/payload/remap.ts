// When a payload matched another layout of the event than the one the text source encodes (an old
// kernel's print fmt or plugin shape, matched by the catalog's older layout), the slow path copies
// the parsed values by field name into the encoded layout. This does the same on the fast path's
// scratch slots (fast.ts): a per-(target, source) slot map, applied in place.
//
// It only claims pairs where the bytes cannot differ from the slow path's: same-named fields are
// both scalars with the source at least as wide as the target (the slow path first normalises the
// value to the source field's width, then truncates to the target's: the same as truncating once
// when the source is wider or equal), or both strings. Any other pair keeps the slow path.
import type { EventFormat, FieldDef } from '../../tracedat/format-parser.js';
import { resetSlots, vA, vB, vBig, vHi, vKind, vNum } from './fast.js';

export interface Remap {
  ok: boolean;
  /** Target slot → source slot, -1 when the source has no such field. */
  from: Int32Array;
  nsrc: number;
}

const cache = new WeakMap<EventFormat, Map<EventFormat, Remap>>();

const scalar = (f: FieldDef): boolean => !f.isArray && f.dynamic === 'none' && f.size > 0 && f.size <= 8;
const stringy = (f: FieldDef): boolean => f.isString || (f.isArray && f.elemSize <= 1) || (f.dynamic !== 'none' && f.elemSize <= 1);

function build(target: EventFormat, source: EventFormat): Remap {
  const src = source.fields.filter((f) => !f.common);
  const dst = target.fields.filter((f) => !f.common);
  const from = new Int32Array(dst.length).fill(-1);
  let ok = true;
  dst.forEach((t, k) => {
    const j = src.findIndex((f) => f.name === t.name);
    if (j < 0) return;
    const f = src[j];
    from[k] = j;
    if (scalar(t) && scalar(f)) {
      if (f.size < t.size) ok = false;
    } else if (!(stringy(t) && stringy(f) && !scalar(t) && !scalar(f))) ok = false;
  });
  return { ok, from, nsrc: src.length };
}

let tKind = new Int8Array(64);
let tNum = new Float64Array(64);
let tHi = new Float64Array(64);
let tA = new Int32Array(64);
let tB = new Int32Array(64);
const tBig: bigint[] = [];

/** The slot map from `source` to `target` (built once per pair). */
export function remapOf(target: EventFormat, source: EventFormat): Remap {
  let m = cache.get(target);
  if (!m) cache.set(target, (m = new Map()));
  let r = m.get(source);
  if (!r) m.set(source, (r = build(target, source)));
  return r;
}

/**
 * Moves the scratch values of a MATCH against `source` into the slots of `target` (by field name).
 * Returns false, leaving the values as they were, when the pair needs the slow path.
 */
export function remapSlots(target: EventFormat, source: EventFormat): boolean {
  return applyRemap(remapOf(target, source));
}

/** remapSlots with the map from remapOf (callers may keep it per event). */
export function applyRemap(r: Remap): boolean {
  if (!r.ok) return false;
  const n = r.nsrc;
  if (tKind.length < n) {
    tKind = new Int8Array(n); tNum = new Float64Array(n); tHi = new Float64Array(n); tA = new Int32Array(n); tB = new Int32Array(n);
  }
  for (let j = 0; j < n; j++) {
    tKind[j] = vKind[j]; tNum[j] = vNum[j]; tHi[j] = vHi[j]; tA[j] = vA[j]; tB[j] = vB[j];
    if (vKind[j] === 4) tBig[j] = vBig[j];
  }
  const from = r.from;
  resetSlots(from.length);
  for (let k = 0; k < from.length; k++) {
    const j = from[k];
    if (j < 0) continue;
    vKind[k] = tKind[j]; vNum[k] = tNum[j]; vHi[k] = tHi[j]; vA[k] = tA[j]; vB[k] = tB[j];
    if (tKind[j] === 4) vBig[k] = tBig[j];
  }
  return true;
}
