// `trace-cmd report` text (trace-read.c + libtraceevent):
//   `            bash-8776  [000]  2180.010494: sched_process_fork:   comm=bash pid=8776 ...`
// `-t` (9 fraction digits; counter clocks print one integer glued to the CPU: `[000]4275369287556:`),
// `-R` (raw `field=value` payloads), `-l` (latency: comm cut to 8, `0d..2.` CPU+flags instead of
// `[000]`), instances (`foo: ` prefix, top-buffer lines padded with spaces) and several `-i` inputs
// (`trace.dat: ` prefix; the line after a prefixed `CPU:N [N EVENTS DROPPED]` loses its prefix),
// headers `cpus=N`, `version = N`, `CPU N is empty`.
import { mostlyEvents, type HeadStats } from '../head.js';
import type { TextGrammar } from './grammar.js';

export const traceCmdReport: TextGrammar = {
  id: 'trace-cmd report',
  description: '`trace-cmd report` text (comm-pid [cpu] time: event: payload; -t, -R, -l, instances, several -i)',
  claims(h: HeadStats) {
    if (h.events === 0) return h.cpus !== undefined && h.lines === 0;
    return mostlyEvents(h) && h.commPid >= 0.5 * h.events && (h.withCpu >= 0.5 * h.events) && h.perfStyle < 0.5 * h.events;
  },
  mode() {
    return { prefix: true, stripIpSym: false, callchain: false, noTs: false };
  },
};
