// Round trip through the real trace-cmd: every writer variant must be read back by
// `trace-cmd report -R -t` with the same events (cpu, pid, timestamp to the ns, name, field values)
// and the lost-event markers where they were written.
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WriterOptions } from '../../src/sim/tracedat-writer.js';
import { scenario, write, WRITER_VARIANTS, type Step } from '../helpers/sim-scenario.js';
import { byCpu, hasTraceCmd, num, report, traceCmd, traceCmdOk } from './tracecmd.js';
import type { ReportLine } from './tracecmd.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectMatches(lines: ReportLine[], steps: Step[], conv: (ts: bigint) => bigint = (t) => t): void {
  const got = byCpu(lines);
  const want = new Map<string, Step[]>();
  for (const st of steps) {
    if ('pad' in st || 'abs' in st) continue;
    const k = `${st.inst ?? ''}/${'ev' in st ? st.ev.cpu : st.cpu}`;
    if (!want.has(k)) want.set(k, []);
    want.get(k)!.push(st);
  }
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [k, ws] of want) {
    const gs = got.get(k)!;
    expect(gs.length, k).toBe(ws.length);
    ws.forEach((w, i) => {
      const g = gs[i];
      if ('drop' in w) {
        expect(g, `${k}#${i}`).toMatchObject({ kind: 'drop', count: w.drop });
        return;
      }
      if (!('ev' in w) || g.kind !== 'event') throw new Error(`${k}#${i}: expected event, got ${JSON.stringify(g)}`);
      const ev = w.ev;
      expect({ ns: g.ns, pid: g.pid, event: g.event }).toEqual({ ns: conv(ev.ts), pid: ev.pid, event: ev.event });
      for (const [name, val] of Object.entries(ev.values ?? {})) {
        const f = g.fields[name];
        if (typeof val === 'string') expect(f, `${ev.event}.${name}`).toBe(val);
        else expect(num(f), `${ev.event}.${name}`).toBe(BigInt(val as number | bigint));
      }
    });
  }
}


describe.skipIf(!hasTraceCmd)('trace-cmd reads back what TraceDatWriter wrote', () => {
  for (const [name, o, insts] of WRITER_VARIANTS) {
    it(name, () => {
      const p = join(dir, `${name.replace(/\W+/g, '_')}.dat`);
      const steps = scenario(insts);
      write(p, { cpus: 3, cmdlines: [[2001, 'CPU 3/KVM']], ...o } as WriterOptions, steps);
      const lines = report(p);
      expectMatches(lines, steps);
      const named = lines.find((l) => l.kind === 'event' && l.pid === 2001);
      expect(named && named.kind === 'event' && named.comm).toBe('CPU 3/KVM');
    });
  }

  it('x86-tsc with TSC2NSEC converts to ns like trace-cmd ((ts*mult)>>shift)', () => {
    const p = join(dir, 'tsc.dat');
    const steps = scenario([]);
    const tsc = { mult: 5592405, shift: 24, offset: 0n };
    for (const version of [6, 7] as const) {
      write(p, { version, cpus: 3, clock: 'x86-tsc', tsc2nsec: tsc }, steps);
      expectMatches(report(p), steps, (t) => (t * BigInt(tsc.mult)) >> BigInt(tsc.shift));
    }
  });

  it('x86-tsc without TSC2NSEC prints raw counts (timestamps > 2^53 survive)', () => {
    const p = join(dir, 'tsc-raw.dat');
    const big = 12_345_678_901_234_567n; // > 2^53
    const steps: Step[] = [
      { ev: { cpu: 0, ts: big, event: 'kvm_exit', pid: 1, values: { exit_reason: 12 } } },
      { ev: { cpu: 0, ts: big + 3n, event: 'kvm_entry', pid: 1, values: { vcpu_id: 1 } } },
      { ev: { cpu: 0, ts: big + (1n << 40n), event: 'kvm_entry', pid: 1, values: { vcpu_id: 2 } } },
    ];
    write(p, { version: 7, cpus: 1, clock: 'x86-tsc' }, steps);
    expectMatches(report(p), steps);
  });

  it('CPUSTAT, UNAME and VERSION options are visible to trace-cmd', () => {
    const p = join(dir, 'opts.dat');
    write(p, { version: 6, cpus: 3, uname: 'Linux simhost 6.18.0 x86_64', traceCmdVersion: '3.1.6-sim' }, scenario([]));
    expect(traceCmdOk(['report', '--stat', p])).toMatch(/CPU: 0\nentries: 800\n/);
    expect(traceCmdOk(['report', '--uname', p])).toContain('Linux simhost 6.18.0 x86_64');
    expect(traceCmdOk(['report', '--version', p])).toContain('3.1.6-sim');
  });

  it('trace-cmd convert --compression zstd accepts v6 and v7 output', () => {
    for (const version of [6, 7] as const) {
      const p = join(dir, `conv${version}.dat`);
      const z = join(dir, `conv${version}.zstd.dat`);
      const steps = scenario(['foo']);
      write(p, { version, cpus: 3, instances: [{ name: 'foo' }] }, steps);
      traceCmdOk(['convert', '--compression', 'zstd', '-i', p, '-o', z]);
      expect(readFileSync(z).subarray(0, 12).toString('latin1')).toContain('tracing7');
      expect(traceCmdOk(['dump', '--summary', z])).toContain('zstd');
      expectMatches(report(z), steps);
    }
  });

  it('v7 zlib: read back by trace-cmd when it has zlib, else refused with a known error', () => {
    const p = join(dir, 'zlib.dat');
    const steps = scenario(['foo']);
    write(p, { version: 7, compression: 'zlib', cpus: 3, instances: [{ name: 'foo' }] }, steps);
    const r = traceCmd(['report', '-R', '-t', p]);
    if (r.status === 0) expectMatches(report(p), steps);
    else expect(r.stderr).toMatch(/error reading header/); // this trace-cmd build links only libzstd
  });
});
