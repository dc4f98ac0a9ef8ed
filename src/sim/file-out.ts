// Positional output file for the trace.dat assembler: sequential appends plus patches of earlier
// placeholders (offsets beyond 4 GiB are plain JS numbers, exact up to 2^53).

import { closeSync, openSync, readSync, writeSync } from 'node:fs';

export class FileOut {
  readonly fd: number;
  pos = 0;
  private static readonly ZERO = new Uint8Array(65536);
  constructor(path: string, readonly le = true) {
    this.fd = openSync(path, 'w');
  }
  write(b: Uint8Array): number {
    const at = this.pos;
    this.writeAt(at, b);
    this.pos += b.length;
    return at;
  }
  writeAt(at: number, b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off, at + off);
  }
  /** Zero-pads up to a multiple of `align`. */
  align(align: number): void {
    const target = Math.ceil(this.pos / align) * align;
    while (this.pos < target) this.write(FileOut.ZERO.subarray(0, Math.min(FileOut.ZERO.length, target - this.pos)));
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Reads `len` bytes at `pos` from a file (used to stream spooled pages back). */
export function readChunk(path: string, pos: number, len: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const b = new Uint8Array(len);
    let off = 0;
    while (off < len) {
      const n = readSync(fd, b, off, len - off, pos + off);
      if (n <= 0) throw new Error(`short read from spool ${path}`);
      off += n;
    }
    return b;
  } finally {
    closeSync(fd);
  }
}
