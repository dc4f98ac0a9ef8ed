// perf_event_attr: the fields the reader needs, from an attr of any ABI size (a shorter attr has
// zeros for the missing fields; a longer one's tail is ignored, trace-formats.md P18).
// Upstream: include/uapi/linux/perf_event.h struct perf_event_attr; trace-formats.md §5.2.
import { InputError } from '../../diag/errors.js';

export interface PerfAttr {
  type: number;
  size: number;
  config: bigint;
  sampleType: number;
  readFormat: number;
  sampleIdAll: boolean;
  branchSampleType: number;
  sampleRegsUser: bigint;
  sampleRegsIntr: bigint;
  /** Sample ids that belong to this attr (attrs section id array, HEADER_ATTR ids, EVENT_DESC). */
  ids: bigint[];
  /** Event name from EVENT_DESC, or `system:name` from the tracing data, or '' when unknown. */
  name: string;
}

/** Flag bit of the bit-field word at offset 40, in little-endian bit numbering (P-UAPI). */
function flagBit(v: DataView, at: number, little: boolean, bit: number): boolean {
  const w = v.getBigUint64(at, little);
  // Big-endian C bit-fields are allocated from the most significant bit (perf swap_bitfield).
  return ((little ? w >> BigInt(bit) : w >> BigInt(63 - bit)) & 1n) === 1n;
}

/** Parses one attr from `bytes` (exactly the attr's bytes); `at` is its file offset for errors. */
export function parseAttr(bytes: Uint8Array, little: boolean, at: number): PerfAttr {
  if (bytes.length < 64) throw new InputError(`perf_event_attr of ${bytes.length} bytes is shorter than the 64-byte ABI0 struct`, at);
  const buf = new Uint8Array(Math.max(bytes.length, 128));
  buf.set(bytes);
  const v = new DataView(buf.buffer);
  const sampleType = v.getBigUint64(24, little);
  if (sampleType >= 1n << 32n) throw new InputError(`attr sample_type 0x${sampleType.toString(16)} has unknown bits`, at + 24);
  return {
    type: v.getUint32(0, little),
    size: v.getUint32(4, little),
    config: v.getBigUint64(8, little),
    sampleType: Number(sampleType),
    readFormat: Number(v.getBigUint64(32, little) & 0xffffffffn),
    sampleIdAll: flagBit(v, 40, little, 18),
    branchSampleType: bytes.length >= 80 ? Number(v.getBigUint64(72, little) & 0xffffffffn) : 0,
    sampleRegsUser: bytes.length >= 88 ? v.getBigUint64(80, little) : 0n,
    sampleRegsIntr: bytes.length >= 104 ? v.getBigUint64(96, little) : 0n,
    ids: [],
    name: '',
  };
}

/** Size of an attr whose `size` field is at offset 4 (0 = the 64-byte ABI0 struct). */
export function attrDeclaredSize(v: DataView, at: number, little: boolean): number {
  const s = v.getUint32(at + 4, little);
  return s === 0 ? 64 : s;
}

export function popcount64(x: bigint): number {
  let n = 0;
  while (x > 0n) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}
