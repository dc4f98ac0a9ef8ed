// perf.data (file and pipe mode, perf record -z included), read natively: the importer entry and
// the public API.
import type { FileSource } from '../io/byte-source.js';
import type { OpenOptions } from '../index.js';
import { isPerfData, openPerfFile } from './open.js';
import { perfSource, type PerfTraceSource } from './source.js';

export { isPerfData, openPerfFile, type PerfFile } from './open.js';
export { perfSource, type PerfTraceSource, type PerfSourceOptions } from './source.js';
export { parseCpuList, llcGroups, type PerfFeatures } from './features.js';
export type { PerfAttr } from './attr.js';

/** Opens a perf.data from an open file. */
export function openPerf(src: FileSource, path: string, opts: OpenOptions = {}): PerfTraceSource {
  return perfSource(src, openPerfFile(src, path), { batchSize: opts.batchSize });
}

export const perfImporter = {
  id: 'perf.data',
  description: 'perf record perf.data (file or pipe mode, -z zstd), tracepoint samples',
  sniff: isPerfData,
  open: openPerf,
};
