// A sequential reader over a ByteSource with a read-ahead window, in the file's byte order.
// Every read is bounds-checked against the source: running past the end throws an InputError that
// carries the offset, so a truncated or corrupt header becomes one clear line, not a RangeError.
import { InputError } from '../../diag/errors.js';
import type { ByteSource } from './byte-source.js';

const WINDOW = 1 << 20;
const textDecoder = new TextDecoder('utf-8', { fatal: false });

export class Cursor {
  private buf: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.buf.buffer);
  private bufStart = 0;
  little = true;

  constructor(
    private readonly src: ByteSource,
    public pos = 0,
    /** Reads may not go past this offset (a section's end). */
    public limit = src.size,
  ) {}

  get remaining(): number {
    return this.limit - this.pos;
  }

  private ensure(n: number, what: string): number {
    if (n < 0 || this.pos + n > this.limit) {
      throw new InputError(`unexpected end of data reading ${what} (need ${n} bytes, ${Math.max(0, this.limit - this.pos)} left)`, this.pos);
    }
    const rel = this.pos - this.bufStart;
    if (rel >= 0 && rel + n <= this.buf.length) return rel;
    this.buf = this.src.read(this.pos, Math.max(n, WINDOW));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.bufStart = this.pos;
    if (this.buf.length < n) throw new InputError(`unexpected end of file reading ${what}`, this.pos);
    return 0;
  }

  u8(what = 'a byte'): number {
    const r = this.ensure(1, what);
    this.pos += 1;
    return this.buf[r];
  }

  u16(what = 'a u16'): number {
    const r = this.ensure(2, what);
    this.pos += 2;
    return this.view.getUint16(r, this.little);
  }

  u32(what = 'a u32'): number {
    const r = this.ensure(4, what);
    this.pos += 4;
    return this.view.getUint32(r, this.little);
  }

  i32(what = 'an s32'): number {
    const r = this.ensure(4, what);
    this.pos += 4;
    return this.view.getInt32(r, this.little);
  }

  u64big(what = 'a u64'): bigint {
    const r = this.ensure(8, what);
    this.pos += 8;
    return this.view.getBigUint64(r, this.little);
  }

  /** A u64 used as a size or offset: must fit in a Number (2^53). */
  u64(what = 'a u64'): number {
    const at = this.pos;
    const v = this.u64big(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(`${what} is impossibly large (${v})`, at);
    return Number(v);
  }

  bytes(n: number, what = 'data'): Uint8Array {
    if (n < 0 || this.pos + n > this.limit) {
      throw new InputError(`${what} of ${n} bytes runs past the end (${Math.max(0, this.limit - this.pos)} bytes left)`, this.pos);
    }
    if (n <= WINDOW) {
      const r = this.ensure(n, what);
      this.pos += n;
      return this.buf.slice(r, r + n);
    }
    const out = this.src.read(this.pos, n);
    if (out.length < n) throw new InputError(`unexpected end of file reading ${what}`, this.pos);
    this.pos += n;
    return out;
  }

  text(n: number, what = 'text'): string {
    return textDecoder.decode(this.bytes(n, what));
  }

  /** A NUL-terminated string (the NUL is consumed). */
  cstring(what = 'a string', max = 1 << 20): string {
    const start = this.pos;
    const parts: Uint8Array[] = [];
    for (;;) {
      const avail = Math.min(this.limit - this.pos, 4096);
      if (avail <= 0) throw new InputError(`unterminated ${what}`, start);
      const r = this.ensure(avail, what);
      const chunk = this.buf.subarray(r, r + avail);
      const z = chunk.indexOf(0);
      if (z >= 0) {
        parts.push(chunk.subarray(0, z));
        this.pos += z + 1;
        break;
      }
      parts.push(chunk);
      this.pos += avail;
      if (this.pos - start > max) throw new InputError(`${what} longer than ${max} bytes`, start);
    }
    if (parts.length === 1) return textDecoder.decode(parts[0]);
    const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return textDecoder.decode(all);
  }

  skip(n: number, what = 'data'): void {
    if (n < 0 || this.pos + n > this.limit) throw new InputError(`cannot skip ${n} bytes of ${what}: past the end`, this.pos);
    this.pos += n;
  }
}
