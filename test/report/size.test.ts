// The HTML report stays under 2 MB whatever the host: a scenario report blown up to a host with
// 512 vCPU threads on 256 CPUs, every timeline bucket busy and changing owner, every table full,
// renders (static and --interactive) within the budget, because charts and tables cap their rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { toHtml } from '../../src/report/html.js';
import type { Report } from '../../src/report/model.js';
import { writeScenario } from '../../src/sim/scenarios/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BUDGET = 2_000_000;

function blowUp(r: Report): Report {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const VCPUS = 512;
  const CPUS = 256;
  const B = 100;
  const series = (scale: number) => Array.from({ length: B }, () => Math.round(rnd() * scale));
  const vms = Array.from({ length: 16 }, (_, id) => ({ ...r.vms[0], id, name: `vm-${10_000 + id}`, pid: 10_000 + id,
    vcpus: Array.from({ length: VCPUS / 16 }, (_, v) => ({ vcpu: v, tid: 20_000 + id * 100 + v, comm: `CPU ${v}/KVM` })) }));
  const all = vms.flatMap((vm) => vm.vcpus.map((c) => ({ vm: vm.id, vcpu: c.vcpu, tid: c.tid, comm: c.comm })));
  const row0 = r.exits.byVcpu[0];
  return {
    ...r,
    vms,
    exits: { ...r.exits, byVcpu: all.map((v) => ({ ...row0, ...v })) },
    scheduling: { ...r.scheduling, byVcpu: all.map((v) => ({ ...r.scheduling.byVcpu[0], ...v })) },
    spin: { ...r.spin, byVcpu: all.map((v) => ({ ...r.spin.byVcpu[0], ...v })) },
    haltPoll: { ...r.haltPoll, byVcpu: all.map((v) => ({ ...r.haltPoll.byVcpu[0], ...v })) },
    events: { ...r.events, byCpu: Array.from({ length: CPUS }, (_, cpu) => ({ cpu, count: 1000 + cpu })) },
    timeline: {
      ...r.timeline, buckets: B,
      vcpus: all.map((v) => ({ ...v, exits: series(1000), exitNs: series(r.timeline.bucketNs), haltedNs: series(r.timeline.bucketNs), migrations: series(3) })),
      cpus: Array.from({ length: CPUS }, (_, cpu) => ({ cpu, vcpuNs: series(r.timeline.bucketNs), threads: series(4), top: Array.from({ length: B }, () => all[Math.floor(rnd() * all.length)].tid), stackedNs: series(r.timeline.bucketNs) })),
      pauseExits: series(1000), onSpin: series(1000), lapicLate: series(10), lapicMaxLate: series(1e6),
    },
  };
}

describe('report size', () => {
  it('stays under 2 MB for a 512-vCPU, 256-CPU host, static and interactive', async () => {
    const p = join(dir, 'stacked.dat');
    writeScenario('stacked-spinning', p, { version: 7 });
    const big = blowUp(analyzeFile(p));
    const html = await toHtml(big);
    const live = await toHtml(big, { interactive: true });
    expect(html.length).toBeLessThan(BUDGET);
    expect(live.length).toBeLessThan(BUDGET);
    // The caps are what keeps it small: 64 table rows, 32 chart rows.
    expect(html).toContain('…and 448 more rows: see the JSON report');
    expect((html.match(/<figure id="chart-/g) ?? []).length).toBeGreaterThan(8);
  });
});
