// The verdicts no simulator scenario covers, on small hand-made timelines (synthetic.ts): each fires
// on the timeline built for it and not on a control that lacks the cause.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import type { Report } from '../../src/report/model.js';
import { frequentHlt, haltsJustAfterWindow, quietVm, vhostOnVcpuCpu, writeBuilt, type Built } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-verdicts-syn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function run(b: Built, lost: Parameters<typeof writeBuilt>[2] = []): Report {
  const p = join(dir, `t${n++}.dat`);
  writeBuilt(p, b, lost);
  return analyzeFile(p);
}
const verdict = (r: Report, id: string) => r.verdicts.find((v) => v.id === id);
const fired = (r: Report) => r.verdicts.filter((v) => v.severity !== 'ok').map((v) => v.id).sort();

describe('hlt-exits-on-dedicated-cpus', () => {
  it('fires (info) on pinned vCPUs halting ~13k times a second, woken promptly', () => {
    const r = run(frequentHlt());
    expect(fired(r)).toEqual(['hlt-exits-on-dedicated-cpus']);
    const v = verdict(r, 'hlt-exits-on-dedicated-cpus')!;
    expect(v.severity).toBe('info');
    expect(v.remediation.map((s) => s.code).join('\n')).toContain('-overcommit cpu-pm=on');
  });
  it('does not fire when a host task delays the vCPU\'s wakeups (the CPU is not dedicated)', () => {
    const r = run(frequentHlt({ shared: true }));
    expect(verdict(r, 'hlt-exits-on-dedicated-cpus')?.severity).toBe('ok');
  });
});

describe('halt-poll-too-short', () => {
  it('fires when halts end just after a 50 µs window, and suggests a window covering them', () => {
    const r = run(haltsJustAfterWindow());
    const v = verdict(r, 'halt-poll-too-short')!;
    expect(v.severity).toBe('warning');
    expect(v.evidence.values.find((x) => x.name === 'suggestedHaltPollNs')?.value).toBe(100_000);
    expect(v.remediation[0].code).toContain('echo 100000 > /sys/module/kvm/parameters/halt_poll_ns');
    // The failed polls nearly succeeded: not reported as waste with the opposite remedy.
    expect(verdict(r, 'halt-poll-wasted')?.severity).toBe('ok');
  });
  it('gives no verdict without kvm_halt_poll_ns (windows unknown) and none on polled halts', () => {
    expect(verdict(run(frequentHlt()), 'halt-poll-too-short')).toBeUndefined();
  });
});

describe('emulator-thread-placement', () => {
  it('fires when the VM\'s vhost worker preempts its vCPU on the vCPU\'s CPU', () => {
    const r = run(vhostOnVcpuCpu());
    expect(fired(r)).toEqual(['emulator-thread-placement']);
    const v = verdict(r, 'emulator-thread-placement')!;
    expect(v.evidence.summary).toContain('vhost-300');
    expect(v.remediation.map((s) => s.code).join('\n')).toMatch(/<emulatorpin cpuset='0-1'\/>[\s\S]*taskset -pc 0-1 320/);
  });
  it('takes long vhost preemptions from long-exits (one verdict per cause)', () => {
    const r = run(vhostOnVcpuCpu({ runNs: 1_500_000 }));
    expect(fired(r)).toEqual(['emulator-thread-placement']);
  });
  it('does not fire when the preemption is by a host task: that is a long exit', () => {
    const r = run(vhostOnVcpuCpu({ intruderComm: 'kworker/1:1' }));
    expect(fired(r)).toEqual(['long-exits']);
  });
});

describe('events-lost', () => {
  it('warning when a large share of the stream was lost', () => {
    const r = run(quietVm(), [{ at: 60, cpu: 1, count: 5000 }]);
    const v = verdict(r, 'events-lost')!;
    expect(v.severity).toBe('warning');
    expect(v.impact).toBe(0);
    expect(v.evidence.values.find((x) => x.name === 'lostEvents')?.value).toBe(5000);
    expect(v.remediation.map((s) => s.code).join('\n')).toContain('trace-cmd record -b');
  });
  it('info for a loss of unknown size; ok without loss', () => {
    expect(verdict(run(quietVm(), [{ at: 60, cpu: 1, count: 'unknown' }]), 'events-lost')?.severity).toBe('info');
    expect(verdict(run(quietVm()), 'events-lost')?.severity).toBe('ok');
  });
  it('a small loss stays info', () => {
    const r = run(quietVm(), [{ at: 60, cpu: 1, count: 1 }]);
    expect(verdict(r, 'events-lost')?.severity).toBe('info');
  });
});
