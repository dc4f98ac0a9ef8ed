// Excerpts pasted into mails and tickets, which lost columns on the way:
//   ` 220.696238: kvm_apic_ipi: dst b0 vec 176 (Fixed|physical|assert|edge|self)`   (bare timestamp)
//   `87162647182125: kvm_halt_poll_ns: vcpu 0: halt_poll_ns 10000 (grow 0)`         (integer: raw clock)
//   `    [001]   770.850287:                      kvm:kvm_entry: vcpu 0, rip 0x100146` (cpu only)
//   `preempt_test  20677.199579:      kvm:kvm_exit: reason PREEMPTION_TIMER ...`       (comm, no tid)
//   `kvm_exit:             vcpu 0 reason vmrun rip 0xffffffffa0688ffa ...`            (no timestamp:
//                                                                        only events the catalog knows)
// Lines that are not events and follow one are its wrapped continuation (joined with a space).
import { mostlyEvents, type HeadStats } from '../head.js';
import type { TextGrammar } from './grammar.js';

export const textExcerpt: TextGrammar = {
  id: 'text excerpt',
  description: 'trace text excerpt with missing columns (no comm/pid, no cpu, bare or no timestamps)',
  joinContinuations: true,
  claims(h: HeadStats) {
    return mostlyEvents(h);
  },
  mode(_h, isKnownEvent) {
    return { prefix: false, stripIpSym: false, callchain: false, noTs: true, isKnownEvent };
  },
};
