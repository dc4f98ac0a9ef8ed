// Decompression of trace.dat v7 blocks: zlib-wrapped deflate (pako) and zstd frames without a
// content size (fzstd, given the uncompressed size from the block header).
// Upstream: trace-cmd lib/trace-cmd/trace-compress-zlib.c (compress2 → zlib stream) and
// trace-compress-zstd.c (ZSTD_compress2 with ZSTD_c_contentSizeFlag = 0); trace-formats.md §2.8.
import { inflate } from 'pako';
import { decompress as zstdDecompress } from 'fzstd';
import { InputError } from '../../diag/errors.js';

/**
 * fzstd's decompress(dat, buf) compares `buf == 1` internally, which turns a typed array into its
 * string form (tens of ms per 40 KB chunk). An output buffer whose primitive value is NaN keeps that
 * comparison cheap; the bytes are the same.
 */
class OutBuffer extends Uint8Array {
  [Symbol.toPrimitive](): number {
    return NaN;
  }
}

/** An output buffer for decompressBlock's hot path. */
export function newOutBuffer(size: number): Uint8Array {
  return new OutBuffer(size);
}

/** No single block may claim more than this once decompressed (bombs and corrupt sizes). */
export const MAX_BLOCK_BYTES = 512 * 1024 * 1024;

export type Algorithm = 'none' | 'zlib' | 'zstd';

export function algorithmOf(name: string, offset: number): Algorithm {
  if (name === 'none' || name === '') return 'none';
  if (name === 'zlib' || name === 'zstd') return name;
  throw new InputError(`unsupported compression algorithm "${name}" (kvmtrace reads none, zlib and zstd)`, offset);
}

/**
 * Decompresses one block whose header said `expected` bytes. `out`, when given and large enough,
 * receives the data (hot path: per-CPU chunks reuse one buffer).
 */
export function decompressBlock(algo: Algorithm, data: Uint8Array, expected: number, offset: number, out?: Uint8Array): Uint8Array {
  if (expected > MAX_BLOCK_BYTES) {
    throw new InputError(`compressed block claims ${expected} bytes uncompressed, over the ${MAX_BLOCK_BYTES}-byte limit`, offset);
  }
  let result: Uint8Array;
  try {
    if (algo === 'zlib') {
      result = inflate(data);
    } else if (algo === 'zstd') {
      const target = out instanceof OutBuffer && out.length === expected ? out : new OutBuffer(expected);
      result = zstdDecompress(data, target);
    } else {
      result = data;
    }
  } catch (e) {
    throw new InputError(`${algo} decompression failed: ${(e as Error).message}`, offset);
  }
  if (result.length !== expected) {
    throw new InputError(`${algo} block decompressed to ${result.length} bytes, header says ${expected}`, offset);
  }
  return result;
}
