// The analyses on the real recordings (fixtures/tracedat): what can be counted independently from
// trace-cmd's own output must agree, and what this host cannot emit (kvm_exit) is reported as
// missing with the command to record it, never as zeros.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { hasTraceCmd, traceCmdRawReport } from '../helpers/tracecmd.js';

const cases = readdirSync('fixtures/tracedat').filter((d) => !d.endsWith('.sh'));

describe.skipIf(!hasTraceCmd())('analyses on real fixtures', () => {
  for (const name of cases) {
    it(`${name}: vCPU threads, migrations and wakeups agree with trace-cmd's text`, () => {
      const path = join('fixtures/tracedat', name, 'trace.dat');
      const r = analyzeFile(path);
      const raw = traceCmdRawReport(path).records.filter((x) => x.buffer === '');
      // vCPU threads: every `CPU n/KVM` thread that appears in the events.
      const named = new Set<number>();
      for (const x of raw) {
        if (/^CPU \d+\/KVM$/.test(x.comm)) named.add(x.pid);
        if (x.event === 'sched_switch' && /^CPU \d+\/KVM$/.test(x.fields.get('next_comm') ?? '')) named.add(Number(x.fields.get('next_pid')));
      }
      const found = r.vms.flatMap((v) => v.vcpus.map((c) => c.tid)).sort((a, b) => a - b);
      expect(found).toEqual([...named].sort((a, b) => a - b));
      for (const row of r.scheduling.byVcpu) {
        const migr = raw.filter((x) => x.event === 'sched_migrate_task' && Number(x.fields.get('pid')) === row.tid
          && x.fields.get('orig_cpu') !== x.fields.get('dest_cpu')).length;
        const wake = raw.filter((x) => (x.event === 'sched_wakeup' || x.event === 'sched_wakeup_new') && Number(x.fields.get('pid')) === row.tid).length;
        expect({ tid: row.tid, migrations: row.migrations, wakeups: row.wakeups }).toEqual({ tid: row.tid, migrations: migr, wakeups: wake });
      }
      // No kvm_exit on this host: exits are reported missing with a command, not as zeros.
      expect(r.exits.total).toBe(0);
      expect(r.missing.map((m) => m.analysis)).toContain('exits');
      expect(r.missing.find((m) => m.analysis === 'exits')!.traceCmd).toMatch(/^trace-cmd record .*-e kvm:kvm_exit -e kvm:kvm_entry/);
    });
  }
});
