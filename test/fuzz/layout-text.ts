// Fuzz targets in a trace text (perf script, trace-cmd report, tracefs trace, pasted excerpts):
// lines (repeated, dropped, swapped), blocks of lines (swapped sections), line starts and mid-line
// columns (truncation points) and numeric tokens (timestamps, pids, CPUs, field values) that the
// mutator replaces with huge, negative or malformed numbers.
import type { Layout } from './mutate.js';

const MAX_TOKENS = 20_000;

export function textLayout(b: Uint8Array): Layout {
  const layout: Layout = { boundaries: [], fields: [], sections: [], records: [], tokens: [] };
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i < b.length && b[i] !== 0x0a) continue;
    const end = Math.min(b.length, i + 1);
    if (end > start) {
      layout.records.push({ start, end, what: 'line' });
      layout.boundaries.push(start, start + ((end - start) >> 1), i);
    }
    start = end;
  }
  // Sections: eight runs of whole lines.
  const lines = layout.records;
  const per = Math.max(1, Math.ceil(lines.length / 8));
  for (let k = 0; k < lines.length; k += per) {
    layout.sections.push({ start: lines[k].start, end: lines[Math.min(lines.length, k + per) - 1].end, what: `lines ${k}+` });
  }
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  const re = /0x[0-9a-fA-F]+|\d+(?:\.\d+)?/g;
  for (let m = re.exec(text); m && layout.tokens!.length < MAX_TOKENS; m = re.exec(text)) {
    layout.tokens!.push({ start: m.index, end: m.index + m[0].length });
  }
  layout.boundaries = [...new Set(layout.boundaries)].filter((x) => x > 0 && x < b.length).sort((x, y) => x - y);
  return layout;
}
