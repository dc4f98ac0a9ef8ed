// `kvmtrace events`: what to record for each analysis, as ready-to-run trace-cmd and perf commands
// (and one command that records everything kvmtrace analyses).
import type { Writable } from 'node:stream';
import { recordCommands, REQUIREMENTS, type Requirement } from '../../analyze/requirements.js';

const TITLES: Record<Requirement['analysis'], string> = {
  exits: 'VM exits (durations, split, longest exits)',
  spin: 'Spinning vCPUs (PAUSE exits, kvm_vcpu_on_spin, PLE window)',
  timers: 'Timer fire latency (lapic timer advance, injection)',
  haltPoll: 'Halt polling (poll success, CPU burnt polling)',
  scheduling: 'vCPU thread scheduling (stacking, affine wakeups, migrations, run-queue waits)',
  ipis: 'IPIs between vCPUs',
};

export function printEvents(out: Writable): void {
  const lines: string[] = [];
  const all = new Set<string>();
  for (const r of REQUIREMENTS) {
    const c = recordCommands(r);
    lines.push(`${TITLES[r.analysis]}:`, `  needs    ${r.events.join(', ')}${r.optional.length ? `; better with ${r.optional.join(', ')}` : ''}`);
    lines.push(`  record   ${c.traceCmd}`, `  or       ${c.perf}`, '');
    for (const e of [...r.events, ...r.optional]) if (!e.startsWith('ftrace:')) all.add(e.split(' ')[0]);
  }
  const evs = [...all].map((e) => `-e ${e}`).join(' ');
  lines.push('Everything at once (on hosts where the function tracer is allowed add: -p function -l kvm_vcpu_on_spin):');
  lines.push(`  trace-cmd record -b 20000 ${evs} -- sleep 10`);
  lines.push(`  perf record -a ${evs} -- sleep 10`);
  out.write(lines.join('\n') + '\n');
}
