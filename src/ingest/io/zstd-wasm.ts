// One-shot zstd decompression by the reference C decoder (zstd 1.5.7 compiled to WebAssembly, the
// zstddec package), for blocks whose uncompressed size is known up front: trace.dat v7 chunks and
// metadata sections. About 3.5× faster than fzstd on trace-cmd's 40 KiB chunks (measured on a
// 300 MB recording, docs/performance.md), and the C decoder never writes past the size it is given:
// data that would decompress to more is an error (dstSize_tooSmall), not an allocation.
// Upstream: zstd lib/decompress/zstd_decompress.c, ZSTD_decompress(); zstddec src/zstddec.ts.
import { ZSTDDecoder } from 'zstddec';

const decoder = new ZSTDDecoder();
// Instantiating the module takes a few ms; every importer (CLI, decode workers) waits for it once.
await decoder.init();

/**
 * Decompresses the zstd frame(s) in `data` into exactly `expected` bytes. Returns null when the data
 * is corrupt or does not decompress to exactly that size (the caller words the error).
 */
export function zstdDecompressExact(data: Uint8Array, expected: number): Uint8Array | null {
  if (expected === 0) return data.length === 0 ? new Uint8Array(0) : null;
  // decode() returns ZSTD_decompress's result as a slice of the wasm heap: an error code is a
  // negative size there, which slices to nothing.
  const out = decoder.decode(data, expected);
  return out.length === expected ? out : null;
}
