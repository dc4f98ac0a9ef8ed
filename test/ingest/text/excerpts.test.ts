// Real excerpts from mails, tickets and docs (fixtures/text/excerpts, index.json says where each
// comes from): each opens as text, every line is an event or a header (wrapped lines joined), and
// the events found are the ones the index lists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../helpers/decoded.js';

const DIR = 'fixtures/text/excerpts';
const INDEX = join(DIR, 'index.json');
const entries: Array<{ file: string; format: string; events: string[] }> = existsSync(INDEX) ? JSON.parse(readFileSync(INDEX, 'utf8')) : [];

/** index.json format → importer id; `fragment` is any grammar that reads what is there. */
const GRAMMAR: Record<string, string[]> = {
  'trace-cmd-report': ['trace-cmd report', 'text excerpt'],
  ftrace: ['ftrace text', 'trace-cmd report', 'text excerpt'],
  'perf-script': ['perf script', 'text excerpt'],
  fragment: ['text excerpt', 'trace-cmd report', 'ftrace text', 'perf script'],
};

describe.skipIf(entries.length === 0)('real excerpts', () => {
  for (const e of entries) {
    it(e.file, () => {
      const d = decodeAll(join(DIR, e.file));
      expect(GRAMMAR[e.format] ?? [], d.source.meta.format).toContain(d.source.meta.format);
      expect(d.records.length).toBeGreaterThan(0);
      expect(d.source.unparsed?.examples ?? []).toEqual([]);
      const seen = new Set(d.records.map((r) => r.event));
      for (const name of seen) expect(e.events, `event ${name}`).toContain(name);
    });
  }
});
