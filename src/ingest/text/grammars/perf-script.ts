// `perf script` text of tracepoint samples. Default layout (builtin-script.c):
//   `            perf  8850 [000]  2180.680790:         sched:sched_waking: comm=migration/0 pid=18 ...`
// and the common -F variants: `-F +pid` (`8850/8850`), no cpu (`-F comm,tid,time,event,trace`),
// `--ns` (9 digits), a period column (`2180.680790:          1         sched:...`), ip/sym[/dso]
// columns printed after the payload (` ffffffff8139ba69 __traceiter_sched_waking`), and `-g`
// callchain lines (indented `<hex> <sym>` lines, skipped). `#` header lines (`--header`) are skipped.
import { mostlyEvents, type HeadStats } from '../head.js';
import type { TextGrammar } from './grammar.js';

export const perfScript: TextGrammar = {
  id: 'perf script',
  description: '`perf script` text (tracepoint samples: comm tid [cpu] time: system:event: payload)',
  claims(h: HeadStats) {
    if (h.events === 0) return h.perfHeader && h.lines === 0;
    return mostlyEvents(h) && h.perfStyle >= 0.5 * h.events;
  },
  mode(h: HeadStats) {
    return { prefix: false, stripIpSym: h.events > 0 && h.ipSym >= 0.8 * h.events, callchain: true, noTs: false };
  },
};
