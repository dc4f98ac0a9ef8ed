// Decompression of trace.dat v7 blocks: zlib-wrapped deflate (pako) and zstd frames without a
// content size (the C decoder in WebAssembly, given the uncompressed size from the block header).
// Upstream: trace-cmd lib/trace-cmd/trace-compress-zlib.c (compress2 → zlib stream) and
// trace-compress-zstd.c (ZSTD_compress2 with ZSTD_c_contentSizeFlag = 0); trace-formats.md §2.8.
import { Inflate } from 'pako';
import { zstdDecompressExact } from '../io/zstd-wasm.js';
import { InputError } from '../../diag/errors.js';
import { zstdLiteralBytes } from './zstd-frames.js';

/** No single block may claim more than this once decompressed (bombs and corrupt sizes). */
export const MAX_BLOCK_BYTES = 512 * 1024 * 1024;

export type Algorithm = 'none' | 'zlib' | 'zstd';

export function algorithmOf(name: string, offset: number): Algorithm {
  if (name === 'none' || name === '') return 'none';
  if (name === 'zlib' || name === 'zstd') return name;
  throw new InputError(`unsupported compression algorithm "${name}" (kvmtrace reads none, zlib and zstd)`, offset);
}

/** zlib inflate that stops once the output passes `expected` bytes, so a bomb is never allocated. */
function inflateCapped(data: Uint8Array, expected: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  const inf = new Inflate({ chunkSize: Math.max(1024, Math.min(expected, 64 << 10)) });
  inf.onData = (chunk) => {
    const c = chunk as Uint8Array;
    if (n + c.length > expected) throw new Error(`data inflates past the ${expected} bytes its header declares (refusing a likely decompression bomb)`);
    parts.push(c.slice());
    n += c.length;
  };
  inf.push(data, true);
  if (inf.err) throw new Error(inf.msg || `inflate error ${inf.err}`);
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(n); // never more than the data produced, whatever the header claimed
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
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
      result = inflateCapped(data, expected);
    } else if (algo === 'zstd') {
      const literal = zstdLiteralBytes(data);
      if (literal > expected) throw new InputError(`zstd data does not fit the ${expected} bytes its header declares (its raw and RLE blocks alone make ${literal}): refusing a likely decompression bomb`, offset);
      const plain = zstdDecompressExact(data, expected, out);
      if (!plain) throw new InputError(`zstd data is corrupt or does not decompress to the ${expected} bytes its header declares`, offset);
      result = plain;
    } else {
      result = data;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const why = e instanceof Error ? e.message : String(e); // pako throws strings
    throw new InputError(`${algo} decompression failed: ${why}`, offset);
  }
  if (result.length !== expected) {
    throw new InputError(`${algo} block decompressed to ${result.length} bytes, header says ${expected}`, offset);
  }
  return result;
}
