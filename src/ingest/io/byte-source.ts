// Random-access byte sources: a file read with positional reads (never loaded whole; offsets past
// 4 GiB are plain Numbers, exact up to 2^53) and an in-memory buffer (decompressed sections, tests).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../../diag/errors.js';

export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `offset`; the result is shorter only at the end of the source. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export class FileSource implements ByteSource {
  readonly size: number;
  /** Bytes read so far (progress display). */
  bytesRead = 0;
  private fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset > this.size) throw new InputError(`read outside the file`, offset);
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd, buf, done, n - done, offset + done);
      if (got <= 0) break;
      done += got;
    }
    this.bytesRead += done;
    return done === n ? buf : buf.subarray(0, done);
  }

  /** Reads into a caller-owned buffer (hot path: no allocation). Returns the byte count read. */
  readInto(buf: Uint8Array, offset: number, length: number): number {
    const n = Math.max(0, Math.min(length, this.size - offset, buf.length));
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd, buf, done, n - done, offset + done);
      if (got <= 0) break;
      done += got;
    }
    this.bytesRead += done;
    return done;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset > this.size) throw new InputError(`read outside the buffer`, offset);
    return this.bytes.subarray(offset, Math.min(this.size, offset + length));
  }
  close(): void {}
}
