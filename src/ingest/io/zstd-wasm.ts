// zstd decompression by the reference C decoder (zstd 1.5.7 compiled to WebAssembly, from the
// zstddec package): one-shot for blocks of known size (trace.dat v7 chunks and sections), streaming
// for perf.data's PERF_RECORD_COMPRESSED stream and .zst text inputs. About 3.5× faster than the
// pure-JavaScript fzstd on trace-cmd's 40 KiB chunks (docs/performance.md). The C decoder never writes
// past the output it is given, refuses windows over 2^27 bytes (ZSTD_WINDOWLOG_LIMIT_DEFAULT) and
// reports corrupt data as an error code, which is checked after every call.
// Upstream: zstd lib/zstd.h (ZSTD_decompress, ZSTD_decompressStream, ZSTD_inBuffer/ZSTD_outBuffer:
// {ptr, size, pos}; error codes are (size_t)-code, zstd_errors.h); zstddec src/zstddec-stream.ts.
import { ZSTDDecoder } from 'zstddec/stream';

interface ZstdExports {
  memory: { buffer: ArrayBuffer };
  malloc(n: number): number;
  free(p: number): void;
  ZSTD_decompress(dst: number, dstCap: number, src: number, srcSize: number): number;
  ZSTD_createDCtx(): number;
  ZSTD_freeDCtx(dctx: number): number;
  ZSTD_decompressStream(dctx: number, out: number, inp: number): number;
  ZSTD_DStreamOutSize(): number;
}

let ex: ZstdExports | null = null;
const decoder = new ZSTDDecoder();
const keep = decoder._init.bind(decoder);
// zstddec keeps its instance private; its public _init hook hands it over (its own state still set).
decoder._init = (r) => {
  ex = (r as unknown as { instance: { exports: unknown } }).instance.exports as ZstdExports;
  keep(r);
};
// zstddec instantiates through fetch(data: URL) where fetch exists, which loads Node's whole HTTP
// client (30–60 ms per thread); hidden for the synchronous part of init(), it reads a Buffer instead.
const fetchProp = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
if (fetchProp?.configurable) Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
let ready: Promise<void>;
try {
  ready = decoder.init();
} finally {
  if (fetchProp?.configurable) Object.defineProperty(globalThis, 'fetch', fetchProp);
}
await ready; // a few ms; every importer (CLI, workers) waits for it once
const z = ex as unknown as ZstdExports;

/** zstd_errors.h codes a damaged trace meets; others are reported by number. */
const ERRORS: Record<number, string> = {
  10: 'unknown frame magic', 12: 'unsupported zstd version', 14: 'unsupported frame parameter',
  16: 'frame window over the 128 MiB limit', 20: 'corrupt data', 22: 'checksum mismatch',
  30: 'dictionary needed', 64: 'out of memory', 70: 'output larger than declared', 72: 'wrong input size',
};

/** The error text of a zstd return value, or null when it is a size (not an error). */
function errorOf(ret: number): string | null {
  const u = ret >>> 0;
  if (u < 0xffffff80) return null; // (size_t)-code for codes up to 127, 32-bit size_t
  const code = 0x100000000 - u;
  return `zstd: ${ERRORS[code] ?? `error ${code}`}`;
}

let heap = new Uint8Array(z.memory.buffer);
const mem = (): Uint8Array => (heap.buffer === z.memory.buffer ? heap : (heap = new Uint8Array(z.memory.buffer)));
const view = (): DataView => new DataView(mem().buffer);

function alloc(n: number): number {
  const p = z.malloc(Math.max(1, n));
  if (p === 0) throw new Error(`zstd: cannot allocate ${n} bytes`);
  return p;
}

/**
 * Decompresses the zstd frame(s) in `data` into exactly `expected` bytes (into `out` when given, of
 * that length). Returns null when the data is corrupt or its size is not `expected`.
 */
export function zstdDecompressExact(data: Uint8Array, expected: number, out?: Uint8Array): Uint8Array | null {
  if (expected === 0) return data.length === 0 ? new Uint8Array(0) : null;
  const src = alloc(data.length);
  const dst = alloc(expected);
  try {
    mem().set(data, src);
    const n = z.ZSTD_decompress(dst, expected, src, data.length) >>> 0;
    if (n !== expected) return null;
    const plain = mem().subarray(dst, dst + expected);
    if (out && out.length === expected) {
      out.set(plain);
      return out;
    }
    return plain.slice();
  } finally {
    z.free(src);
    z.free(dst);
  }
}

/** The decoder memory a stream holds; freed by close(), or when the stream is garbage collected. */
interface StreamMem { dctx: number; outBuf: number; io: number; inBuf: number }

function freeStream(m: StreamMem): void {
  if (m.dctx === 0) return;
  z.ZSTD_freeDCtx(m.dctx);
  z.free(m.outBuf);
  z.free(m.io);
  if (m.inBuf) z.free(m.inBuf);
  m.dctx = 0;
}

const abandoned = new FinalizationRegistry<StreamMem>(freeStream);

/** One zstd stream (any number of frames) decompressed piece by piece, as it arrives. */
export class ZstdStream {
  private readonly outCap = z.ZSTD_DStreamOutSize();
  /** ZSTD_inBuffer then ZSTD_outBuffer at `io`: {ptr, size, pos} of 32-bit words each. */
  private readonly m: StreamMem = { dctx: z.ZSTD_createDCtx(), outBuf: alloc(this.outCap), io: alloc(24), inBuf: 0 };
  private inCap = 0;
  /** ZSTD_decompressStream's last hint: 0 when the last frame is complete. */
  private last = 0;

  constructor() {
    abandoned.register(this, this.m, this);
  }

  /**
   * Decompresses the next bytes of the stream; `onData` gets each output piece as a view into the
   * decoder's memory, valid only during the call (copy what is kept). Throws on corrupt data.
   */
  push(data: Uint8Array, onData: (chunk: Uint8Array) => void): void {
    const m = this.m;
    if (m.dctx === 0) throw new Error('zstd: stream closed');
    if (data.length > this.inCap) {
      if (m.inBuf) z.free(m.inBuf);
      m.inBuf = 0;
      this.inCap = Math.max(data.length, 64 << 10);
      m.inBuf = alloc(this.inCap);
    }
    mem().set(data, m.inBuf);
    const io = m.io;
    let v = view();
    v.setUint32(io, m.inBuf, true);
    v.setUint32(io + 4, data.length, true);
    v.setUint32(io + 8, 0, true);
    for (;;) {
      v = view();
      v.setUint32(io + 12, m.outBuf, true);
      v.setUint32(io + 16, this.outCap, true);
      v.setUint32(io + 20, 0, true);
      const before = v.getUint32(io + 8, true);
      const ret = z.ZSTD_decompressStream(m.dctx, io + 12, io);
      const err = errorOf(ret);
      if (err) throw new Error(err);
      v = view();
      const produced = v.getUint32(io + 20, true);
      const pos = v.getUint32(io + 8, true);
      // A call that neither read nor wrote (after a full output buffer) says nothing about the frame:
      // past a frame's end it would report the next frame's header as missing.
      if (produced > 0 || pos > before) this.last = ret >>> 0;
      if (produced > 0) onData(mem().subarray(m.outBuf, m.outBuf + produced));
      if (pos >= data.length && produced < this.outCap) return; // input used up, nothing held back
      if (produced === 0 && pos === before) throw new Error('zstd: decoder made no progress'); // cannot happen without an error code
    }
  }

  /** True when the data pushed so far ends inside a frame (a truncated stream, if nothing follows). */
  get midFrame(): boolean {
    return this.last !== 0;
  }

  close(): void {
    abandoned.unregister(this);
    freeStream(this.m);
  }
}
