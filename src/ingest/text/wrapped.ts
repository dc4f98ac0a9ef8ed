// gzip / zstd wrapped inputs (recognised by magic bytes, never by the file name): the decompressed
// head decides the importer like a plain file's head does. Text importers stream the decompressed
// bytes (re-decompressing per pass); binary importers (trace.dat, perf.data), which need random
// access, get the data decompressed once into an unlinked temporary file.
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../diag/errors.js';
import type { TraceSource } from '../../model/trace-source.js';
import type { Importer, OpenOptions } from '../index.js';
import { FileSource } from '../io/byte-source.js';
import { decompressChunks, fileChunks, headOf, type Wrapper } from './chunks.js';

let tmpCount = 0;

export function openWrapped(
  src: FileSource,
  path: string,
  kind: Wrapper,
  opts: OpenOptions,
  detect: (head: Uint8Array) => Importer | undefined,
  headBytes: number,
): TraceSource {
  const open = () => decompressChunks(fileChunks(src, 1 << 20), kind);
  const first = open();
  const head = headOf(first, headBytes);
  if (head.length === 0) throw new InputError(first.problem ?? `${kind} data decompresses to nothing`, 0);
  const imp = detect(head);
  if (!imp) {
    throw new InputError(`unrecognised input format inside the ${kind} data (not a trace.dat, perf.data or trace text)`, 0);
  }
  if (imp.openStream) return imp.openStream(head, { open, compression: kind, close: () => src.close() }, path, opts);

  // Binary formats: decompress to a temporary file, unlinked at once (the descriptor keeps it).
  const tmp = join(tmpdir(), `kvmtrace-${process.pid}-${tmpCount++}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  let chunks;
  try {
    chunks = open();
    for (let c = chunks.next(); c; c = chunks.next()) writeSync(fd, c);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  let inner: FileSource;
  try {
    inner = new FileSource(tmp);
  } finally {
    unlinkSync(tmp);
  }
  src.close();
  try {
    const source = imp.open(inner, path, opts);
    source.input = inner;
    source.meta.details.push(['outer compression', `${kind} (${chunks.bytesIn} → ${chunks.bytesOut} bytes)`]);
    if (chunks.problem) {
      source.diag.add('truncated', 'data-loss', `${chunks.problem}; ${chunks.bytesOut} bytes were decompressed before it`);
    }
    return source;
  } catch (e) {
    inner.close();
    // The inner file is cut short because its compressed data was: say why.
    if (e instanceof InputError && chunks.problem) throw new InputError(`${e.message}; the decompressed file is cut short: ${chunks.problem}`, e.offset);
    throw e;
  }
}
