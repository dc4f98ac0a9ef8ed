// Exit reasons are named from the trace's own kvm_exit format — VMX table when isa == 1, SVM table
// otherwise — and counted per reason and per vCPU.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCounts } from '../../src/analyze/exit-counts.js';
import { runAnalyses } from '../../src/analyze/run.js';
import { openInput } from '../../src/ingest/index.js';
import { buildFormatSet, type FormatSet } from '../../src/sim/format-set.js';
import { TraceDatWriter } from '../../src/sim/tracedat-writer.js';

const F = 'fixtures/formats/linux-6.18';
const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-exits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function formats(kvmExitText: string): FormatSet {
  const read = (p: string) => readFileSync(join(F, p), 'utf8');
  return buildFormatSet(read('header_page'), read('header_event'), [
    { system: 'kvm', name: 'kvm_exit', text: kvmExitText },
    { system: 'kvm', name: 'kvm_entry', text: read('events/kvm/kvm_entry/format') },
  ]);
}

function countExits(fs: FormatSet, exits: Array<[isa: number, reason: number, vcpu: number]>) {
  const path = join(dir, `t${Math.random().toString(36).slice(2)}.dat`);
  const w = new TraceDatWriter(fs, { version: 7, cpus: 2, cmdlines: [[500, 'CPU 0/KVM'], [501, 'CPU 1/KVM']] });
  let t = 1_000_000n;
  for (const [isa, exit_reason, vcpu_id] of exits) {
    t += 1000n;
    w.add({ cpu: vcpu_id, ts: t, event: 'kvm_exit', pid: 500 + vcpu_id, values: { isa, exit_reason, vcpu_id } });
  }
  w.finishSync(path);
  const src = openInput(path);
  const a = new ExitCounts();
  runAnalyses(src, [a]);
  src.close();
  return a.finish();
}

const realExit = readFileSync(join(F, 'events/kvm/kvm_exit/format'), 'utf8');

describe('exit counts', () => {
  it('names VMX and SVM reasons from the format and counts per reason and vCPU', () => {
    const r = countExits(formats(realExit), [
      [1, 12, 0], [1, 12, 0], [1, 48, 1], [1, 30, 0], [1, 0x80000021, 1],
      [2, 0x078, 0], [2, 0x400, 1], [2, 0x400, 1], [1, 999, 0],
    ]);
    expect(r.total).toBe(9);
    const by = Object.fromEntries(r.byReason.map((x) => [`${x.isa}:${x.reason}`, x.count]));
    expect(by).toEqual({
      'vmx:HLT': 2, 'vmx:EPT_VIOLATION': 1, 'vmx:IO_INSTRUCTION': 1, 'vmx:INVALID_STATE': 1,
      'svm:hlt': 1, 'svm:npf': 2, 'vmx:reason 999': 1,
    });
    expect(r.byVcpu).toEqual([
      { pid: 500, vcpu: 0, count: 5, comm: 'CPU 0/KVM' },
      { pid: 501, vcpu: 1, count: 4, comm: 'CPU 1/KVM' },
    ]);
  });

  it('takes the names from the trace, not from a table built into kvmtrace', () => {
    const renamed = realExit.replace('{ 12, "HLT" }', '{ 12, "HALT_AS_THIS_KERNEL_CALLS_IT" }').replace('{ 0x078, "hlt" }', '{ 0x078, "svm_hlt_renamed" }');
    const r = countExits(formats(renamed), [[1, 12, 0], [2, 0x78, 0]]);
    expect(r.byReason.map((x) => x.reason).sort()).toEqual(['HALT_AS_THIS_KERNEL_CALLS_IT', 'svm_hlt_renamed']);
  });

  it('reports a trace without kvm_exit as unavailable', () => {
    const src = openInput('fixtures/tracedat/overrun/trace.dat');
    const a = new ExitCounts();
    runAnalyses(src, [a]);
    src.close();
    // The real recordings carry the kvm_exit format (no events: this host's hypervisor emits none).
    expect(a.finish()).toMatchObject({ available: true, total: 0, byReason: [] });
  });
});
