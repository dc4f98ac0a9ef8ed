// The input registry: each importer has a cheap content sniff on the first bytes of the file; the
// first that claims the file opens it. The file name never decides.
import { InputError } from '../diag/errors.js';
import type { TraceSource } from '../model/trace-source.js';
import { FileSource } from './io/byte-source.js';
import { isTraceDat, openTraceDat } from './tracedat/open.js';
import { traceDatSource } from './tracedat/source.js';
import { perfImporter } from './perf/index.js';
import { wrapperOf } from './text/chunks.js';
import { TEXT_IMPORTERS, type StreamInput } from './text/index.js';
import { openWrapped } from './text/wrapped.js';

export interface OpenOptions {
  buffer?: string;
  batchSize?: number;
}

export interface Importer {
  id: string;
  description: string;
  sniff(head: Uint8Array): boolean;
  open(src: FileSource, path: string, opts: OpenOptions): TraceSource;
  /** Streaming importers (text) also open a decompressed stream (gzip/zstd wrapped input). */
  openStream?(head: Uint8Array, input: StreamInput, path: string, opts: OpenOptions): TraceSource;
}

export const IMPORTERS: Importer[] = [
  {
    id: 'trace.dat',
    description: 'trace-cmd binary trace.dat (v6, v7; none/zlib/zstd)',
    sniff: isTraceDat,
    open: (src, path, opts) => traceDatSource(src, openTraceDat(src, path), opts),
  },
  perfImporter,
  // Text: tracefs trace/trace_pipe, trace-cmd report, perf script, pasted excerpts (src/ingest/text/).
  ...TEXT_IMPORTERS,
];

const HEAD_BYTES = 4096;

export function detect(head: Uint8Array): Importer | undefined {
  return IMPORTERS.find((i) => i.sniff(head));
}

/** Opens any supported input; errors name the file. */
export function openInput(path: string, opts: OpenOptions = {}): TraceSource {
  let src: FileSource;
  try {
    src = new FileSource(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError(err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : `cannot open: ${err.message}`, undefined, path);
  }
  try {
    const head = src.read(0, HEAD_BYTES);
    if (head.length === 0) throw new InputError('file is empty', 0);
    const wrapper = wrapperOf(head);
    if (wrapper) {
      const s = openWrapped(src, path, wrapper, opts, detect, HEAD_BYTES);
      s.input ??= src;
      return s;
    }
    const imp = detect(head);
    if (!imp) throw new InputError('unrecognised input format (not a trace.dat, perf.data or trace text)', 0);
    const s = imp.open(src, path, opts);
    s.input ??= src;
    return s;
  } catch (e) {
    src.close();
    if (e instanceof InputError) throw e.withFile(path);
    throw e;
  }
}
