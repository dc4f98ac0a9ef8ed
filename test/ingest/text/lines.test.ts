// The line splitter: partial lines carried across chunks of any size, CRLF, UTF-8 characters cut
// between chunks, no final newline, over-long lines.
import { describe, expect, it } from 'vitest';
import { memoryChunks } from '../../../src/ingest/text/chunks.js';
import { asciiBytes, asciiText, forEachLine, MAX_LINE, shapeOf } from '../../../src/ingest/text/lines.js';

function lines(bytes: Uint8Array, chunk: number): string[] {
  const out: string[] = [];
  forEachLine(memoryChunks(bytes, chunk), (s, a, b) => {
    out.push(s.slice(a, b));
  });
  return out;
}

const enc = new TextEncoder();

describe('forEachLine', () => {
  const text = 'first line\r\nsecond: CPU 0/KVM-1 [000]\n\nthird ünïcödé ✓ 𝄞\r\nlast without newline';
  const want = ['first line', 'second: CPU 0/KVM-1 [000]', '', 'third ünïcödé ✓ 𝄞', 'last without newline'];
  for (const chunk of [1, 2, 3, 7, 100, 1 << 20]) {
    it(`chunks of ${chunk} bytes`, () => {
      expect(lines(enc.encode(text), chunk)).toEqual(want);
    });
  }
  it('a trailing newline does not make an empty last line', () => {
    expect(lines(enc.encode('a\nb\n'), 1)).toEqual(['a', 'b']);
  });
  it('an over-long line is cut and the rest of it skipped', () => {
    const long = 'x'.repeat(MAX_LINE + 5000);
    const got = lines(enc.encode(`a\n${long}\nb\n`), 65536);
    expect(got[0]).toBe('a');
    expect(got[1].length).toBe(MAX_LINE);
    expect(got[2]).toBe('b');
    expect(got).toHaveLength(3);
  });
  it('stops when the handler returns false', () => {
    const out: string[] = [];
    forEachLine(memoryChunks(enc.encode('a\nb\nc\n'), 1), (s, a, b) => {
      out.push(s.slice(a, b));
      return out.length < 2;
    });
    expect(out).toEqual(['a', 'b']);
  });
});

describe('shapeOf', () => {
  it('keeps ASCII codes and gives 255 for every other character, index for index', () => {
    expect([...shapeOf('a:Ġ ĺ\u00e9𝄞z')]).toEqual([97, 58, 255, 32, 255, 255, 255, 255, 122]);
    expect(shapeOf('')).toHaveLength(0);
  });
  it('is the part\'s own bytes while an ASCII part is handed out, a copy for a UTF-8 part', () => {
    const seen: boolean[] = [];
    forEachLine(memoryChunks(enc.encode('ab\ncd\n')), (s) => {
      seen.push(s === asciiText && shapeOf(s) === asciiBytes);
    });
    forEachLine(memoryChunks(enc.encode('aé\ncd\n')), (s, a) => {
      const u = shapeOf(s);
      seen.push(u !== asciiBytes && u.length === s.length && u[a] === s.charCodeAt(a));
    });
    expect(seen).toEqual([true, true, true, true]);
  });
});
