// Bomb check for zstd blocks of known size: the bytes a zstd stream's raw and RLE blocks produce,
// read from the block headers alone (RFC 8878 §3.1.1 frame header, §3.1.1.2 block header: bit 0
// last block, bits 1–2 type 0 raw / 1 RLE / 2 compressed, bits 3–23 size; an RLE block is one byte
// that stands for `size` bytes; skippable frames carry a u32 length). The decoder never writes past
// the declared size either way; this cheap look at the headers lets the error name the bomb.

const MAGIC = 0xfd2fb528;
const FCS_BYTES = [0, 2, 4, 8];
const DICT_BYTES = [0, 1, 2, 4];

/** Bytes the raw and RLE blocks of `data` expand to (a lower bound of the output); stops at damage. */
export function zstdLiteralBytes(data: Uint8Array): number {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  let total = 0;
  while (at + 4 <= data.length) {
    const magic = dv.getUint32(at, true);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (at + 8 > data.length) break;
      at += 8 + dv.getUint32(at + 4, true);
      continue;
    }
    if (magic !== MAGIC || at + 5 > data.length) break;
    const fhd = data[at + 4];
    const single = (fhd >> 5) & 1;
    const fcs = (fhd >> 6) === 0 ? single : FCS_BYTES[fhd >> 6];
    at += 5 + (single ? 0 : 1) + DICT_BYTES[fhd & 3] + fcs;
    for (;;) {
      if (at + 3 > data.length) return total;
      const h = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16);
      const type = (h >> 1) & 3;
      const size = h >>> 3;
      if (type === 0 || type === 1) total += size;
      at += 3 + (type === 1 ? 1 : type === 3 ? 0 : size);
      if (type === 3) return total; // reserved type: damaged, let the decoder say so
      if (h & 1) break;
    }
    if ((fhd >> 2) & 1) at += 4; // content checksum
  }
  return total;
}

/** zstd's default decoder limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27): `zstd -d` refuses larger windows too. */
export const MAX_ZSTD_WINDOW = 1 << 27;

/**
 * The window a zstd frame header asks the decoder to allocate (RFC 8878 §3.1.1.1.2; a single-segment
 * frame's is its content size), or null when `head` does not start with a whole zstd frame header.
 * Checked before decoding a wrapped input, so the error can say how to decompress it by hand.
 */
export function zstdFrameWindow(head: Uint8Array): number | null {
  if (head.length < 6 || head[0] !== 0x28 || head[1] !== 0xb5 || head[2] !== 0x2f || head[3] !== 0xfd) return null;
  const fhd = head[4];
  const single = (fhd >> 5) & 1;
  if (!single) {
    const exp = head[5] >> 3;
    const base = 2 ** (10 + exp);
    return base + (base / 8) * (head[5] & 7);
  }
  const at = 5 + DICT_BYTES[fhd & 3];
  const n = (fhd >> 6) === 0 ? 1 : FCS_BYTES[fhd >> 6];
  if (head.length < at + n) return null;
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = v * 256 + head[at + k];
  return n === 2 ? v + 256 : v;
}
