// Splits a chunk stream into lines without copying each line. Bytes are gathered into a work buffer
// and cut after its last newline (0x0A never occurs inside a UTF-8 sequence, so no character is
// split); that part becomes one flat string (latin1 fast path when it is pure ASCII, UTF-8
// otherwise) and lines are handed out as (string, start, end) ranges. The bytes after the last
// newline are carried to the front of the next round. CRLF and a lone trailing CR are stripped.
// A line longer than MAX_LINE (binary garbage without newlines) is handed out cut at MAX_LINE and
// the rest of it skipped. While an ASCII part's lines are handed out, its string and bytes are
// published (asciiText/asciiBytes) so the scanner and payload matchers can read bytes instead of
// calling charCodeAt.
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

function toText(buf: Buffer, end: number): string {
  const part = buf.subarray(0, end);
  return part.toString(isAscii(part) ? 'latin1' : 'utf8');
}

/** emitLines over buf[0, end), with asciiText/asciiBytes set for an ASCII part. */
function emitPart(buf: Buffer, end: number, onLine: LineHandler): boolean {
  const part = buf.subarray(0, end);
  const ascii = isAscii(part);
  const s = part.toString(ascii ? 'latin1' : 'utf8');
  if (ascii) {
    asciiText = s;
    asciiBytes = buf;
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
    if (!emitPart(work, lastNl + 1, onLine)) return;
    const rest = used - (lastNl + 1);
    if (rest > 0) work.copy(work, 0, lastNl + 1, used);
    used = rest;
    if (used > MAX_LINE) {
      if (onLine(toText(work, MAX_LINE), 0, MAX_LINE) === false) return;
      used = 0;
      skipping = true;
    }
  }
  if (used > 0 && !skipping) emitPart(work, used, onLine);
}
