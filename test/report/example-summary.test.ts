// docs/example-summary.md is the Markdown summary kvmtrace writes for a fixture (a public excerpt:
// an EPT violation handled for 120 ms in user space): its header, exit tables and worst windows are
// what kvmtrace writes today (the verdict and data-quality wording may move on without it).
// Regenerate it: KVMTRACE_UPDATE_DOCS=1 npx vitest run test/report/example-summary.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { toMarkdown } from '../../src/report/markdown.js';

const FIXTURE = 'fixtures/text/excerpts/01-dirty-ring-ept-violation.txt';
const DOC = 'docs/example-summary.md';

describe('example Markdown summary', () => {
  it(`${DOC} is what kvmtrace writes for ${FIXTURE}`, () => {
    const md = toMarkdown(analyzeFile(FIXTURE));
    if (process.env.KVMTRACE_UPDATE_DOCS) writeFileSync(DOC, md);
    expect(md).toContain('CRITICAL: Individual VM exits stall a vCPU for long (`long-exits`)');
    expect(md).toContain('| EPT\\_VIOLATION | vmx | 7 | 100.0% | 120.89 ms | 4.0 µs | 120.85 ms | 120.85 ms |');
    const doc = readFileSync(DOC, 'utf8');
    const part = (text: string, from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to));
    const stale = `${DOC} is stale: KVMTRACE_UPDATE_DOCS=1 npx vitest run test/report/example-summary.test.ts`;
    expect(part(doc, '## kvmtrace report', '### Verdicts'), stale).toBe(part(md, '## kvmtrace report', '### Verdicts'));
    expect(part(doc, '### VM exits', '### Other analyses'), stale).toBe(part(md, '### VM exits', '### Other analyses'));
    expect(doc.slice(doc.indexOf('### Reproduce')), stale).toBe(md.slice(md.indexOf('### Reproduce')));
  });
});
