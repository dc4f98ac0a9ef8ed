// `kvmtrace dump --pretty` renders each event's own print fmt like `trace-cmd report -N` (kernel
// formats, no plugins): the payload text must be identical, event by event, on the real fixtures.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { dump } from '../../src/cli/commands/dump.js';
import { hasTraceCmd, traceCmdOk } from '../helpers/tracecmd.js';

const LINE = /^\s*(?:[^\s:]+: )?.*?-\d+\s+\[\d+\]\s*[\d.]+:\s[^\s:]+:\s+(.*)$/;
const OURS = /^.*?\[\d+\] [\d.]+: \S+?:\S+ (.*)$/;

function collect(run: (w: Writable) => void): string[] {
  let text = '';
  run(new Writable({ write(chunk, _e, cb) { text += String(chunk); cb(); } }));
  return text.split('\n').filter((l) => l && !l.startsWith('#'));
}

describe.skipIf(!hasTraceCmd())('dump --pretty equals trace-cmd report -N', () => {
  for (const name of readdirSync('fixtures/tracedat').filter((d) => !d.endsWith('.sh'))) {
    it(name, () => {
      const path = join('fixtures/tracedat', name, 'trace.dat');
      // trace-cmd prints every buffer; compare the top buffer's lines (no prefix) with ours.
      const theirs = traceCmdOk(['report', '-N', '-t', path]).split('\n')
        .filter((l) => LINE.test(l) && !/^[^\s:]+: /.test(l))
        .map((l) => LINE.exec(l)![1].trimEnd());
      const ours = collect((w) => dump(path, w, { pretty: true })).map((l) => (OURS.exec(l)?.[1] ?? `unparsed: ${l}`).trimEnd());
      expect(ours.length).toBe(theirs.length);
      const diffs = ours.map((o, i) => [i, o, theirs[i]] as const).filter(([, o, t]) => o !== t);
      expect(diffs.slice(0, 5)).toEqual([]);
    });
  }
});
