// Growable byte buffer with endian-aware integer writers, used to build trace.dat metadata blocks
// (trace-cmd lib/trace-cmd/trace-output.c writes every number through convert_endian_{2,4,8}).

const enc = new TextEncoder();

export class ByteBuilder {
  buf: Uint8Array;
  view: DataView;
  length = 0;
  constructor(readonly le: boolean, initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }
  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(this.length + n, this.buf.length * 2));
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }
  u8(v: number): this {
    this.grow(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
    return this;
  }
  u16(v: number): this {
    this.grow(2);
    this.view.setUint16(this.length, v, this.le);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.grow(4);
    this.view.setUint32(this.length, v >>> 0, this.le);
    this.length += 4;
    return this;
  }
  u64(v: number | bigint): this {
    this.grow(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)), this.le);
    this.length += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  /** Raw text without terminator (latin1/utf8 as given). */
  str(s: string): this {
    return this.bytes(enc.encode(s));
  }
  /** NUL-terminated text. */
  cstr(s: string): this {
    return this.str(s).u8(0);
  }
  /** Overwrites a u64 at an earlier position. */
  patch64(at: number, v: number | bigint): void {
    this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), this.le);
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export function u64Bytes(v: number | bigint, le: boolean): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(v)), le);
  return b;
}
