// tracefs `trace` / `trace_pipe` text (kernel trace_output.c), with the `# tracer:` header:
//   `       CPU 0/KVM-8793    [000] d.h2.  2180.012539: hrtimer_expire_entry: hrtimer=... `
//   `       CPU 0/KVM-8793    (   8790) [000] d.h2.  2180.012539: ...`   (record-tgid; `(-------)` unknown)
// The flags column (irqs-off, need-resched, hardirq/softirq, preempt depth, migrate-disable) becomes
// common_flags / common_preempt_count. `# entries-in-buffer/...` and `##### CPU N buffer started ####`
// are headers; `CPU:N [LOST N EVENTS]` (trace_pipe) is a loss.
import { mostlyEvents, type HeadStats } from '../head.js';
import type { TextGrammar } from './grammar.js';

export const ftraceText: TextGrammar = {
  id: 'ftrace text',
  description: 'tracefs trace / trace_pipe text (comm-pid [(tgid)] [cpu] flags time: event: payload)',
  claims(h: HeadStats) {
    if (h.events === 0) return h.ftraceHeader && h.lines === 0;
    if (!mostlyEvents(h) || h.perfStyle >= 0.5 * h.events) return false;
    return h.ftraceHeader || (h.flags >= 0.5 * h.events && h.withCpu >= 0.5 * h.events);
  },
  mode() {
    return { prefix: false, stripIpSym: false, callchain: false, noTs: false };
  },
};
