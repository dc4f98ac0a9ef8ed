// The benchmark generator: deterministic for a seed, close to the target size, and fully readable
// by trace-cmd (same event count and per-event counts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKvmLoad } from '../../src/sim/generate-kvm-load.js';
import { hasTraceCmd, traceCmdOk } from './tracecmd.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generateKvmLoad', () => {
  it('is deterministic and reaches the target size', async () => {
    const a = await generateKvmLoad({ path: join(dir, 'a.dat'), targetBytes: 2 << 20, cpus: 4, vcpus: 6, seed: 3 });
    const b = await generateKvmLoad({ path: join(dir, 'b.dat'), targetBytes: 2 << 20, cpus: 4, vcpus: 6, seed: 3 });
    expect(readFileSync(join(dir, 'a.dat')).equals(readFileSync(join(dir, 'b.dat')))).toBe(true);
    expect(a.events).toBe(b.events);
    expect(a.bytes).toBeGreaterThan(2 << 20);
    expect(a.bytes).toBeLessThan((2 << 20) * 1.5);
    expect(Object.keys(a.counts)).toEqual(expect.arrayContaining(['kvm_entry', 'kvm_exit', 'kvm_msr', 'kvm_apic_ipi', 'sched_switch', 'kvm_vcpu_wakeup', 'hrtimer_expire_entry']));
  });

  it.skipIf(!hasTraceCmd)('is read completely by trace-cmd (v6 and v7)', async () => {
    for (const version of [6, 7] as const) {
      const p = join(dir, `g${version}.dat`);
      const r = await generateKvmLoad({ path: p, targetBytes: 1 << 20, cpus: 3, seed: 9, writer: { version } });
      const out = traceCmdOk(['report', p]);
      const counts: Record<string, number> = {};
      for (const m of out.matchAll(/\]\s+\d+\.\d+: (\w+):/g)) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
      expect(counts).toEqual(r.counts);
    }
  });
});
