// A v7 trace.dat cut before its trailing options section (where trace-cmd writes the BUFFER table
// of per-CPU data) is still analysed: recover-v7.ts walks the sections to the flyrecord data and
// splits it into CPU blocks (compressed chunk lists; CPUSTAT byte counts; page timestamps), with a
// data-loss diagnostic. Cut exactly at the end of the data, every event must come back unchanged;
// cut inside the data, the CPUs before the cut come back whole and the file still opens.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSource } from '../../../src/ingest/io/byte-source.js';
import { openTraceDat } from '../../../src/ingest/tracedat/open.js';
import { traceDatSource } from '../../../src/ingest/tracedat/source.js';
import { generateKvmLoad } from '../../../src/sim/generate-kvm-load.js';
import { convertTrace } from '../../helpers/tracecmd.js';

let dir = '';

interface Read { events: number; perCpu: Record<number, number>; hash: string; diag: Map<string, string> }

function read(path: string): Read {
  const src = new FileSource(path);
  const s = traceDatSource(src, openTraceDat(src, path), { threads: 'off', readerThread: 'off' });
  const h = createHash('sha256');
  const perCpu: Record<number, number> = {};
  let events = 0;
  s.read((b) => {
    events += b.length;
    for (let i = 0; i < b.length; i++) {
      perCpu[b.cpu[i]] = (perCpu[b.cpu[i]] ?? 0) + 1;
      h.update(`${b.ts[i]},${b.cpu[i]},${b.pid[i]},${b.type[i]};`);
      h.update(b.data.subarray(b.off[i], b.off[i] + b.len[i]));
    }
  });
  s.close();
  return { events, perCpu, hash: h.digest('hex'), diag: new Map(s.diag.list().map((d) => [d.code, d.message])) };
}

/** End of the last CPU block (where trace-cmd's trailing options section begins). */
function dataEnd(path: string): number {
  const f = openTraceDat(new FileSource(path), path);
  const b = f.buffers.find((x) => x.name === '')!;
  return Math.max(...b.cpus.map((c) => c.offset + c.size + (b.compressed ? 4 : 0)));
}

function cut(path: string, at: number, name: string): string {
  const out = join(dir, name);
  writeFileSync(out, readFileSync(path).subarray(0, at));
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kvmtrace-cut-'));
  await generateKvmLoad({ path: join(dir, 'none.dat'), targetBytes: 2 << 20, cpus: 3, vcpus: 3, seed: 4, writer: { version: 7 } });
  await generateKvmLoad({ path: join(dir, 'zlib.dat'), targetBytes: 2 << 20, cpus: 3, vcpus: 3, seed: 4, writer: { version: 7, compression: 'zlib' } });
  convertTrace('fixtures/tracedat/kvm-stress/trace.dat', join(dir, 'real-none.dat'), { fileVersion: 7, compression: 'none' });
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('v7 cut before its trailing options', () => {
  it.each([
    ['simulator, uncompressed (CPUSTAT byte counts)', 'none.dat', 'CPUSTAT byte counts'],
    ['simulator, zlib (chunk lists)', 'zlib.dat', 'compressed chunk lists'],
    ['real recording, zstd as recorded (chunk lists)', '../../fixtures/tracedat/kvm-stress/trace.dat', 'compressed chunk lists'],
    ['real recording, uncompressed (page timestamps)', 'real-none.dat', 'page timestamps'],
  ])('%s: every event recovered', (_name, file, how) => {
    const full = file.startsWith('../') ? file.slice(6) : join(dir, file);
    const whole = read(full);
    const damaged = read(cut(full, dataEnd(full), `cut-${file.replace(/\W/g, '_')}`));
    expect(damaged.events).toBe(whole.events);
    expect(damaged.perCpu).toEqual(whole.perCpu);
    expect(damaged.hash).toBe(whole.hash);
    const cpus = Object.keys(whole.perCpu).length;
    expect(damaged.diag.get('truncated-file')).toContain(`${cpus} of ${cpus} CPUs' data recovered by a linear walk (${how})`);
    expect(damaged.diag.get('truncated-file')).not.toContain('ends early');
    expect(whole.diag.has('truncated-file')).toBe(false);
  });

  it.each(['none.dat', 'zlib.dat'])('%s cut inside CPU 1: CPU 0 whole, CPU 1 partly, CPU 2 missing', (file) => {
    const full = join(dir, file);
    const whole = read(full);
    const cpus = openTraceDat(new FileSource(full), full).buffers[0].cpus;
    const damaged = read(cut(full, cpus[1].offset + Math.floor(cpus[1].size / 2), `mid-${file}`));
    expect(damaged.perCpu[0]).toBe(whole.perCpu[0]);
    expect(damaged.perCpu[1]).toBeGreaterThan(whole.perCpu[1] * 0.3);
    expect(damaged.perCpu[1]).toBeLessThan(whole.perCpu[1] * 0.7);
    expect(damaged.perCpu[2]).toBeUndefined();
    expect(damaged.diag.get('truncated-file')).toContain("2 of 3 CPUs' data recovered");
    expect(damaged.diag.get('truncated-file')).toContain('ends early');
  });

  it('a cut before any CPU data is still a one-line error', () => {
    const full = join(dir, 'zlib.dat');
    const cpus = openTraceDat(new FileSource(full), full).buffers[0].cpus;
    const path = cut(full, cpus[0].offset - 100, 'head.dat');
    expect(() => openTraceDat(new FileSource(path), path)).toThrow(/file is truncated: its options section at byte \d+ lies past the end/);
  });
});
