// A small host trace whose every string a report shows is hostile: vCPU threads named like a script
// tag and like Markdown/HTML/shell metacharacters, a thread that preempts a vCPU during an exit
// named like an image with an onerror handler, a VM named (--vm) with tags, pipes and backticks, in a
// file whose name has `& ' " < >`. Shared by the escaping and browser tests.
import { join } from 'node:path';
import { loadFormatSet } from '../../src/sim/format-set.js';
import { TraceDatWriter } from '../../src/sim/tracedat-writer.js';

export const EVIL_VCPU0 = '<script>alert(1)</script>';
export const EVIL_VCPU1 = 'a&b"c\'d<e>f|g`h`*x*';
export const EVIL_THREAD = '<img src=x onerror=alert(2)>';
export const EVIL_VM = '<b>vm</b>|`x`&amp;';
export const EVIL_FILE = 'evil&\'"<i>x.dat';
export const VMM_PID = 600;

const COMM: Record<number, string> = { 0: 'swapper/0', 600: 'qemu-system-x86', 666: EVIL_VCPU0, 667: EVIL_VCPU1, 700: EVIL_THREAD };

/** Writes the trace into `dir` and returns its path. */
export function writeEvilTrace(dir: string): string {
  const fs = loadFormatSet('fixtures/formats/linux-6.18', { systems: ['kvm', 'sched'] });
  const w = new TraceDatWriter(fs, { version: 7, cpus: 3, cmdlines: Object.entries(COMM).filter(([p]) => p !== '0').map(([p, c]) => [Number(p), c] as [number, string]) });
  const at = (us: number) => 5_000_000_000n + BigInt(us * 1000);
  const sw = (us: number, cpu: number, prev: number, state: number, next: number) => w.add({
    cpu, ts: at(us), event: 'sched_switch', pid: prev,
    values: { prev_comm: COMM[prev], prev_pid: prev, prev_prio: 120, prev_state: state, next_comm: COMM[next], next_pid: next, next_prio: 120 },
  });
  const exit = (us: number, cpu: number, tid: number, reason: number) => w.add({ cpu, ts: at(us), event: 'kvm_exit', pid: tid, values: { isa: 1, exit_reason: reason, vcpu_id: tid - 666 } });
  const entry = (us: number, cpu: number, tid: number) => w.add({ cpu, ts: at(us), event: 'kvm_entry', pid: tid, values: { vcpu_id: tid - 666 } });
  for (const child of [666, 667]) {
    w.add({ cpu: 0, ts: at(child - 666), event: 'sched_process_fork', pid: 600, values: { parent_comm: COMM[600], parent_pid: 600, child_comm: COMM[child], child_pid: child } });
  }
  sw(5, 1, 0, 0, 666);
  sw(6, 2, 0, 0, 667);
  for (let k = 0; k < 40; k++) {
    const t = 20 + k * 100;
    exit(t, 1, 666, k % 4 === 0 ? 12 : 48);
    if (k === 10) {
      sw(t + 5, 1, 666, 0, 700); // the hostile thread runs instead during this exit
      sw(t + 60, 1, 700, 1, 666);
    }
    entry(t + (k === 10 ? 70 : 3 + (k % 5)), 1, 666);
    exit(t + 30, 2, 667, 30);
    entry(t + 32, 2, 667);
  }
  const path = join(dir, EVIL_FILE);
  w.finishSync(path);
  return path;
}
