// Ground truth for the reader: files written by the simulator in every encoding variant the real
// recordings lack (time extends, padding, absolute stamps, missed events with and without a count,
// zlib, big endian, 4-byte kernel longs, 8K/16K pages, forced type_len 0, buffer instances,
// x86-tsc with and without TSC2NSEC) decode to exactly the events that were written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WriterOptions } from '../../../src/sim/tracedat-writer.js';
import { decodeAll, type Decoded } from '../../helpers/decoded.js';
import { scenario, write, WRITER_VARIANTS, type Step } from '../../helpers/sim-scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-edge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Want { ts: bigint; cpu: number; pid: number; event: string; values: Record<string, unknown>; lostBefore?: number }

/** The events of one buffer as the reader must return them: merged by (ts, cpu), stable per CPU. */
function expected(steps: Step[], inst: string, conv: (t: bigint) => bigint): Want[] {
  const out: Array<Want & { seq: number }> = [];
  const pendingLost = new Map<number, number>();
  steps.forEach((st, seq) => {
    if ((st as { inst?: string }).inst !== undefined ? (st as { inst?: string }).inst !== inst : inst !== '') return;
    if ('drop' in st) pendingLost.set(st.cpu, st.drop === 'unknown' ? -1 : st.drop);
    if (!('ev' in st)) return;
    const w: Want & { seq: number } = { ts: conv(st.ev.ts), cpu: st.ev.cpu, pid: st.ev.pid, event: st.ev.event, values: st.ev.values ?? {}, seq };
    const lost = pendingLost.get(st.ev.cpu);
    if (lost !== undefined) {
      w.lostBefore = lost;
      pendingLost.delete(st.ev.cpu);
    }
    out.push(w);
  });
  out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.cpu - b.cpu || a.seq - b.seq));
  return out;
}

function check(d: Decoded, want: Want[]): void {
  expect(d.records.length).toBe(want.length);
  const lostAt = new Map(d.lost.map((l) => [`${l.cpu}@${d.source.meta.baseNs + BigInt(l.beforeTs)}`, l.count]));
  want.forEach((w, i) => {
    const r = d.records[i];
    expect({ i, ts: r.ts, cpu: r.cpu, pid: r.pid, event: r.event }).toEqual({ i, ts: w.ts, cpu: w.cpu, pid: w.pid, event: w.event });
    for (const [name, val] of Object.entries(w.values)) {
      const f = r.fields.find((x) => x.def.name === name);
      expect(f, `${w.event}.${name}`).toBeDefined();
      if (typeof val === 'string') expect(f!.value, `${w.event}.${name}`).toBe(val.slice(0, f!.def.dynamic === 'none' && f!.def.size > 0 ? f!.def.size : undefined));
      else {
        const size = f!.def.size;
        const mod = 1n << BigInt(8 * size);
        expect((((f!.value as bigint) % mod) + mod) % mod, `${w.event}.${name}`).toBe(((BigInt(val as number) % mod) + mod) % mod);
      }
    }
    if (w.lostBefore !== undefined) expect(lostAt.get(`${w.cpu}@${w.ts}`), `lost before event ${i}`).toBe(w.lostBefore);
  });
  expect(d.lost.length).toBe(want.filter((w) => w.lostBefore !== undefined).length);
}

/** Every variant trace-cmd also reads back (test/sim), plus zlib, which this trace-cmd build cannot read. */
const variants: Array<[string, Partial<WriterOptions>, string[]]> = [
  ...WRITER_VARIANTS,
  ['v7 zlib', { version: 7, compression: 'zlib' }, []],
  ['v7 zlib with an instance', { version: 7, compression: 'zlib', instances: [{ name: 'foo' }] }, ['foo']],
  ['v7 zlib big-endian', { version: 7, compression: 'zlib', bigEndian: true }, []],
];

describe('the reader returns exactly what the simulator wrote', () => {
  for (const [name, o, insts] of variants) {
    it(name, () => {
      const p = join(dir, `${name.replace(/\W+/g, '_')}.dat`);
      const steps = scenario(insts);
      write(p, { cpus: 3, cmdlines: [[2001, 'CPU 3/KVM']], ...o } as WriterOptions, steps);
      const top = decodeAll(p);
      expect(top.source.meta.buffers).toEqual(['', ...insts]);
      expect(top.source.meta.littleEndian).toBe(!o.bigEndian);
      expect(top.source.meta.longSize).toBe(o.longSize ?? 8);
      expect(top.source.comms.get(2001)).toBe('CPU 3/KVM');
      check(top, expected(steps, '', (t) => t));
      for (const inst of insts) check(decodeAll(p, inst), expected(steps, inst, (t) => t));
      // Only the written losses are reported: the time extends, padding and absolute records are silent.
      expect(top.source.diag.list().map((x) => [x.code, x.count])).toEqual([['lost-events', 42], ['lost-events-unknown', 1]]);
    });
  }

  it('x86-tsc with TSC2NSEC: ns = (cycles * mult) >> shift', () => {
    const tsc = { mult: 5592405, shift: 24, offset: 0n };
    for (const version of [6, 7] as const) {
      const p = join(dir, `tsc${version}.dat`);
      const steps = scenario([]);
      write(p, { version, cpus: 3, clock: 'x86-tsc', tsc2nsec: tsc }, steps);
      const d = decodeAll(p);
      expect(d.source.meta.clockIsNs).toBe(true);
      check(d, expected(steps, '', (t) => (t * BigInt(tsc.mult)) >> BigInt(tsc.shift)));
    }
  });

  it('x86-tsc without TSC2NSEC stays in raw counts, exact above 2^53, and says so', () => {
    const p = join(dir, 'tsc-raw.dat');
    const big = 12_345_678_901_234_567n;
    const steps: Step[] = [
      { ev: { cpu: 0, ts: big, event: 'kvm_exit', pid: 1, values: { exit_reason: 12 } } },
      { ev: { cpu: 0, ts: big + 3n, event: 'kvm_entry', pid: 1, values: { vcpu_id: 1 } } },
      { ev: { cpu: 0, ts: big + (1n << 40n), event: 'kvm_entry', pid: 1, values: { vcpu_id: 2 } } },
    ];
    write(p, { version: 7, cpus: 1, clock: 'x86-tsc' }, steps);
    const d = decodeAll(p);
    expect(d.source.meta.clockIsNs).toBe(false);
    expect(d.source.diag.has('raw-clock')).toBe(true);
    check(d, expected(steps, '', (t) => t));
  });
});
