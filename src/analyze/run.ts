// Runs a set of analyses over one pass of a source's event stream.
import type { TraceSource } from '../model/trace-source.js';
import type { Analysis } from './types.js';

export function runAnalyses(source: TraceSource, analyses: Array<Analysis<unknown>>): void {
  for (const a of analyses) a.prepare(source);
  source.read((batch) => {
    for (const a of analyses) a.consume(batch);
  });
}
