// The same answers as `perf script` (perf 6.1), event by event, for every perf.data fixture:
// count, time (exact ns), CPU, tid, pid, thread name (comm at the time of the sample),
// `system:event` and the payload text (ours rendered from the event's print fmt by
// tracedat/evaluate.ts, perf's by libtraceevent). %ps/%pS names: perf.data carries no kallsyms, so
// perf resolves addresses with the running kernel's /proc/kallsyms; we render with the same table.
// When the fixture's kernel is not the running one (another host), perf's names come from a
// different kernel, so there a payload may differ ONLY in symbol tokens (counted and logged).
import { readdirSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openInput } from '../../../src/ingest/index.js';
import type { PerfTraceSource } from '../../../src/ingest/perf/index.js';
import { havePerf, hostKallsyms, ourEvents, perfScript, type ScriptEvent } from './perf-script.js';

const FIXTURES = [
  ...readdirSync('fixtures/perf').filter((f) => f.endsWith('.data')).sort().map((f) => join('fixtures/perf', f)),
  'fixtures/tracedat/kvm-pinned/perf.data',
];

const HAVE_PERF = havePerf();
const SKIP_REASON = ' — SKIPPED: `perf` is not installed (apt-get install linux-perf)';
if (!HAVE_PERF) console.warn(`same-answers${SKIP_REASON}`);

const SYM = /^(0x[0-9a-f]+|[A-Za-z_.$][\w.$]*(\+0x[0-9a-f]+)?)$/;

/** True when a and b differ only in tokens that are kernel symbols or raw addresses. */
function symbolOnlyDiff(a: string, b: string): boolean {
  const ta = a.split(/([\s=(),])/);
  const tb = b.split(/([\s=(),])/);
  if (ta.length !== tb.length) return false;
  return ta.every((x, k) => x === tb[k] || (SYM.test(x) && SYM.test(tb[k])));
}

function kallsymsForComparison(): { text: string; usable: boolean } {
  const text = hostKallsyms();
  // Unprivileged readers see all-zero addresses.
  const usable = /^[0-9a-f]*[1-9a-f][0-9a-f]* /m.test(text.slice(0, 4096));
  return { text: usable ? text : '', usable };
}

describe.skipIf(!HAVE_PERF)(`same answers as perf script${HAVE_PERF ? '' : SKIP_REASON}`, () => {
  const ks = kallsymsForComparison();
  for (const file of FIXTURES) {
    it(file, () => {
      const theirs = perfScript(file);
      const src = openInput(file) as PerfTraceSource;
      const ours = ourEvents(src, ks.text);
      src.close();
      const sameKernel = ks.usable && src.meta.osrelease === release();
      expect(ours.length).toBe(theirs.length);
      expect(theirs.length).toBeGreaterThan(0);
      let symbolOnly = 0;
      const firstBad: Array<[number, ScriptEvent, ScriptEvent]> = [];
      for (let i = 0; i < theirs.length; i++) {
        const a = theirs[i];
        const b = ours[i];
        const headSame = a.ts === b.ts && a.cpu === b.cpu && a.tid === b.tid && a.pid === b.pid && a.comm === b.comm && a.event === b.event;
        let ok = headSame && a.payload === b.payload;
        if (!ok && headSame && !sameKernel && symbolOnlyDiff(a.payload, b.payload)) {
          symbolOnly++;
          ok = true;
        }
        if (!ok && firstBad.length < 3) firstBad.push([i, a, b]);
      }
      if (symbolOnly) console.warn(`${file}: ${symbolOnly} payloads differ only in kernel symbol names (fixture kernel ${src.meta.osrelease}, running ${release()})`);
      expect(firstBad).toEqual([]);
    }, 60_000);
  }
});
