// Text inputs as importers of the registry: one per grammar, each with a sniff over the head's line
// statistics (ftrace before trace-cmd before perf before excerpts, the most specific first).
import type { Importer, OpenOptions } from '../index.js';
import type { TraceSource } from '../../model/trace-source.js';
import type { FileSource } from '../io/byte-source.js';
import { fileChunks, type ByteChunks } from './chunks.js';
import { ftraceText } from './grammars/ftrace.js';
import type { TextGrammar } from './grammars/grammar.js';
import { perfScript } from './grammars/perf-script.js';
import { textExcerpt } from './grammars/excerpt.js';
import { traceCmdReport } from './grammars/trace-cmd.js';
import { headStats } from './head.js';
import { shippedCatalog, type FormatCatalog } from './payload/index.js';
import { textSource } from './text-source.js';

export const TEXT_GRAMMARS: TextGrammar[] = [ftraceText, traceCmdReport, perfScript, textExcerpt];

let catalog: FormatCatalog | undefined;
function theCatalog(): FormatCatalog {
  return (catalog ??= shippedCatalog());
}

/** Whether the catalog knows the event named by s[start, end) (`name` or `system:name`). */
function isKnownEvent(s: string, start: number, end: number): boolean {
  const key = s.slice(start, end);
  const c = key.indexOf(':');
  return c < 0 ? theCatalog().lookup(undefined, key).length > 0 : theCatalog().lookup(key.slice(0, c), key.slice(c + 1)).length > 0;
}

export interface StreamInput {
  /** Opens the decompressed stream from its start. */
  open: () => ByteChunks;
  compression: string;
  close: () => void;
}

function openText(g: TextGrammar, head: Uint8Array, input: StreamInput, path: string, opts: OpenOptions): TraceSource {
  const h = headStats(head, isKnownEvent);
  return textSource({
    path,
    format: g.id,
    description: g.description,
    mode: g.mode(h, isKnownEvent),
    openChunks: input.open,
    compression: input.compression,
    catalog: theCatalog(),
    buffer: opts.buffer,
    batchSize: opts.batchSize,
    // wrapped pastes: several non-event lines right after events (one stray line is just unparsed)
    joinContinuations: g.joinContinuations || (g.id !== 'perf script' && h.orphans >= 2 && h.orphans >= 0.1 * h.lines),
    integerTsIsNs: g.id === 'text excerpt',
    cpusHint: h.cpus,
    close: input.close,
  });
}

function importer(g: TextGrammar): Importer {
  return {
    id: g.id,
    description: g.description,
    sniff: (head) => {
      const h = headStats(head, isKnownEvent);
      if (h.binary) return false;
      // the first grammar (in order) that claims the head wins
      for (const other of TEXT_GRAMMARS) {
        if (other.claims(h)) return other === g;
      }
      return false;
    },
    open: (src: FileSource, path: string, opts: OpenOptions) =>
      openText(g, src.read(0, 4096), { open: () => fileChunks(src), compression: 'none', close: () => src.close() }, path, opts),
    openStream: (head: Uint8Array, input: StreamInput, path: string, opts: OpenOptions) => openText(g, head, input, path, opts),
  };
}

export const TEXT_IMPORTERS: Importer[] = TEXT_GRAMMARS.map(importer);
