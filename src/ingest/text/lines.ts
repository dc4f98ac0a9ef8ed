// Splits a chunk stream into lines without copying each line. Bytes are gathered into a work buffer
// and cut after its last newline (0x0A never occurs inside a UTF-8 sequence, so no character is
// split), into parts of whole lines up to 64 KiB; each part becomes one flat string (latin1 fast
// path when it is pure ASCII, UTF-8 otherwise) and lines are handed out as (string, start, end)
// ranges. The bytes after the last
// newline are carried to the front of the next round. CRLF and a lone trailing CR are stripped.
// A line longer than MAX_LINE (binary garbage without newlines) is handed out cut at MAX_LINE and
// the rest of it skipped. While an ASCII part's lines are handed out, its string and bytes are
// published (asciiText/asciiBytes) so the scanner, payload matchers and encoder can read bytes
// instead of calling charCodeAt; shapeOf gives the scanners such bytes for any string.
import { Buffer, isAscii } from 'node:buffer';
import type { ByteChunks } from './chunks.js';

export const MAX_LINE = 1 << 20;

/** Return false to stop. */
export type LineHandler = (s: string, start: number, end: number) => boolean | void;

/**
 * While lines of an ASCII part are handed out: that part's string and its bytes, index for index
 * (a reader given `s === asciiText` may read `asciiBytes[i]` for `s.charCodeAt(i)`, which is
 * cheaper). Empty between parts and for UTF-8 parts.
 */
export let asciiText = '';
export let asciiBytes: Uint8Array = Buffer.alloc(0); // always a Buffer (one map for the readers)

/** Whether asciiBytes[p, p + codes.length) equals `codes` (the caller keeps the range within the part). */
export function asciiAt(p: number, codes: Uint16Array): boolean {
  const u = asciiBytes;
  for (let k = 0; k < codes.length; k++) if (u[p + k] !== codes[k]) return false;
  return true;
}

let shapeText = '';
let shapeBytes: Uint8Array = Buffer.alloc(0);

/**
 * The "shape" of s, index for index: each ASCII character's code, 255 for any other character.
 * Scanners compare it with ASCII delimiters and digits only, so it answers exactly as charCodeAt
 * would; for the part being handed out (ASCII) it is asciiBytes itself, no copy. Other strings (a
 * UTF-8 part, a held or sniffed line) get one copy, kept while the same string is asked again.
 * Not for copying text: non-ASCII characters are lost (use asciiText/asciiBytes for that).
 */
export function shapeOf(s: string): Uint8Array {
  if (s === asciiText && s !== '') return asciiBytes;
  if (s === shapeText) return shapeBytes;
  const n = s.length;
  const u = Buffer.allocUnsafe(n); // a Buffer like asciiBytes: one map at the readers' element loads
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    u[i] = c < 128 ? c : 255;
  }
  shapeText = s;
  shapeBytes = u;
  return u;
}

let viewFor: Uint8Array | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));

/** A DataView of u (kept for the last u asked): four characters of a shape in one read. */
export function viewOf(u: Uint8Array): DataView<ArrayBufferLike> {
  if (u !== viewFor) {
    viewFor = u;
    view = new DataView(u.buffer, u.byteOffset, u.byteLength);
  }
  return view;
}

function toText(buf: Buffer, end: number): string {
  const part = buf.subarray(0, end);
  return part.toString(isAscii(part) ? 'latin1' : 'utf8');
}

/**
 * Bytes per part (one string): whole lines up to 64 KiB. A part's string then sits in V8's young
 * generation, whose pages are reused, instead of a fresh large-object allocation per 4 MiB round
 * (a first pass over the 74 MB bench text: 26,000 page faults before, 9,000 now), and the part
 * stays in the CPU caches while its lines are read.
 */
const PART = 64 << 10;

/** The lines of buf[0, end) (end after a newline, or the input's end), part by part. */
function emitParts(buf: Buffer, end: number, onLine: LineHandler): boolean {
  let start = 0;
  while (start < end) {
    let stop = end;
    if (end - start > PART) {
      // the last newline within PART bytes (start - 1 is one), else the first one after (a long line)
      const nl = buf.lastIndexOf(10, start + PART - 1);
      if (nl >= start) stop = nl + 1;
      else {
        const next = buf.indexOf(10, start + PART);
        if (next >= 0 && next < end) stop = next + 1;
      }
    }
    if (!emitPart(buf, start, stop, onLine)) return false;
    start = stop;
  }
  return true;
}

/** emitLines over buf[start, end), with asciiText/asciiBytes set for an ASCII part. */
function emitPart(buf: Buffer, start: number, end: number, onLine: LineHandler): boolean {
  const part = buf.subarray(start, end);
  const ascii = isAscii(part);
  const s = part.toString(ascii ? 'latin1' : 'utf8');
  if (ascii) {
    asciiText = s;
    asciiBytes = part;
  }
  try {
    return emitLines(s, onLine);
  } finally {
    asciiText = '';
  }
}

/** Emits the lines of `s` (which ends with a newline unless `last`). */
function emitLines(s: string, onLine: LineHandler): boolean {
  let pos = 0;
  const n = s.length;
  while (pos < n) {
    let nl = s.indexOf('\n', pos);
    if (nl < 0) nl = n;
    let end = nl;
    if (end > pos && s.charCodeAt(end - 1) === 13) end--;
    if (end - pos > MAX_LINE) end = pos + MAX_LINE;
    if (onLine(s, pos, end) === false) return false;
    pos = nl + 1;
  }
  return true;
}

export function forEachLine(chunks: ByteChunks, onLine: LineHandler): void {
  let work = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  let skipping = false;
  for (;;) {
    const c = chunks.next();
    if (!c) break;
    let off = 0;
    if (skipping) {
      const nl = c.indexOf(10);
      if (nl < 0) continue;
      skipping = false;
      off = nl + 1;
    }
    const n = c.length - off;
    if (used + n > work.length) {
      const next = Buffer.allocUnsafe(Math.max(work.length * 2, used + n));
      work.copy(next, 0, 0, used);
      work = next;
    }
    work.set(off === 0 ? c : c.subarray(off), used);
    const scanFrom = used;
    used += n;
    const lastNl = work.lastIndexOf(10, used - 1);
    if (lastNl < scanFrom) {
      if (used > MAX_LINE) {
        if (onLine(toText(work, MAX_LINE), 0, MAX_LINE) === false) return;
        used = 0;
        skipping = true;
      }
      continue;
    }
    if (!emitParts(work, lastNl + 1, onLine)) return;
    const rest = used - (lastNl + 1);
    if (rest > 0) work.copy(work, 0, lastNl + 1, used);
    used = rest;
    if (used > MAX_LINE) {
      if (onLine(toText(work, MAX_LINE), 0, MAX_LINE) === false) return;
      used = 0;
      skipping = true;
    }
  }
  if (used > 0 && !skipping) emitParts(work, used, onLine);
}
