// Seed inputs of the fuzz suite, per format: small simulated trace.dat files (v6/v7, none/zlib, big
// endian with 4-byte longs, instances, missed events, time extends, padding, absolute stamps), the
// committed v7-zstd and zstd-wrapped seeds (fixtures/fuzz/seeds, made with trace-cmd convert and the
// zstd tool), the real trace.dat and perf.data recordings, and every text fixture.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeScenario } from '../../src/sim/scenarios/index.js';
import { scenario, write } from '../helpers/sim-scenario.js';
import { traceDatLayout } from './layout-tracedat.js';
import { perfLayout } from './layout-perf.js';
import { textLayout } from './layout-text.js';
import type { Layout } from './mutate.js';
import type { Seed } from './suite.js';

const SEEDS = 'fixtures/fuzz/seeds';
const tmp = () => mkdtempSync(join(tmpdir(), 'kvmtrace-fuzz-seed-'));

function seed(name: string, bytes: Uint8Array, layout: (b: Uint8Array) => Layout, weight?: number): Seed {
  const copy = new Uint8Array(bytes); // never a Buffer: its slice() is a view
  return { name, bytes: copy, layout: layout(copy), weight };
}

export function traceDatSeeds(): Seed[] {
  const dir = tmp();
  const sim = (name: string, make: (p: string) => void, weight?: number) => {
    const p = join(dir, `${name}.dat`);
    make(p);
    return seed(name, readFileSync(p), traceDatLayout, weight);
  };
  return [
    sim('sim-v6-none', (p) => writeScenario('one-long-exit', p, { version: 6 })),
    sim('sim-v7-none', (p) => writeScenario('one-long-exit', p, { version: 7 })),
    sim('sim-v7-zlib', (p) => writeScenario('one-long-exit', p, { version: 7, compression: 'zlib' })),
    sim('sim-v6-be32-instances', (p) => write(p, { version: 6, bigEndian: true, longSize: 4, cpus: 2, instances: [{ name: 'guest' }] }, scenario(['guest']))),
    sim('sim-v7-zlib-instances', (p) => write(p, { version: 7, compression: 'zlib', cpus: 2, pageSize: 8192, instances: [{ name: 'guest' }] }, scenario(['guest']))),
    seed('sim-v7-zstd', readFileSync(join(SEEDS, 'sim-v7-zstd.dat')), traceDatLayout),
    seed('real-overrun-v7-zstd', readFileSync('fixtures/tracedat/overrun/trace.dat'), traceDatLayout, 0.12),
    seed('real-instance-v7-zstd', readFileSync('fixtures/tracedat/instance/trace.dat'), traceDatLayout, 0.12),
  ];
}

/** A pipe-mode perf.data cut after its last whole record below `max` bytes: still a valid file. */
function pipePrefix(b: Uint8Array, max: number): Uint8Array {
  const ends = perfLayout(b).records.map((r) => r.end).filter((x) => x <= max);
  return b.slice(0, ends[ends.length - 1]);
}

export function perfSeeds(): Seed[] {
  const f = (n: string) => readFileSync(`fixtures/perf/${n}`);
  return [
    seed('perf-file-one-event', f('file-one-event.data'), perfLayout),
    seed('perf-zstd', f('zstd.data'), perfLayout, 0.4),
    seed('perf-multi', f('multi.data'), perfLayout, 0.4),
    seed('perf-pipe-prefix', pipePrefix(f('pipe.data'), 112 << 10), perfLayout, 0.7), // samples start at 92 KiB
    seed('perf-lost', f('lost.data'), perfLayout, 0.15),
  ];
}

export function textSeeds(): Seed[] {
  const ex = 'fixtures/text/excerpts';
  const excerpts = readdirSync(ex).filter((n) => n.endsWith('.txt')).sort()
    .map((n) => seed(`excerpt-${n.slice(0, 2)}`, readFileSync(join(ex, n)), textLayout, 0.06));
  return [
    seed('perf-script', readFileSync(join(SEEDS, 'perf-script.txt')), textLayout),
    seed('trace-cmd-report', readFileSync(join(SEEDS, 'trace-cmd-report.txt')), textLayout),
    seed('trace-cmd-report-raw', readFileSync(join(SEEDS, 'trace-cmd-report-raw.txt')), textLayout),
    ...excerpts,
  ];
}

const gzip = (b: Uint8Array) => new Uint8Array(gzipSync(b));

/** gzip/zstd wrappers: the compressed stream mutated, and mutated contents gzipped. */
export function wrappedSeeds(): Seed[] {
  const zst = (n: string) => readFileSync(join(SEEDS, n));
  const raw = (name: string, b: Uint8Array): Seed => {
    const bytes = new Uint8Array(b);
    return { name, bytes, layout: wrapperLayout(bytes) };
  };
  const text = readFileSync(join(SEEDS, 'trace-cmd-report.txt'));
  const trace = readFileSync(join(SEEDS, 'sim-v7-zstd.dat'));
  const perf = readFileSync('fixtures/perf/file-one-event.data');
  return [
    raw('zstd(perf-script)', zst('perf-script.txt.zst')),
    raw('zstd(sim-v6)', zst('sim-v6.dat.zst')),
    raw('gzip(trace-cmd-report)', gzip(text)),
    raw('gzip(perf)', gzip(perf)),
    { ...seed('gzip∘mutate(trace-cmd-report)', text, textLayout), wrap: gzip },
    { ...seed('gzip∘mutate(sim-v7-zstd)', trace, traceDatLayout), wrap: gzip },
    { ...seed('gzip∘mutate(perf)', perf, perfLayout), wrap: gzip },
  ];
}

/** A compressed stream: its header bytes, block starts every 16 KiB, and the gzip trailer (CRC, ISIZE). */
function wrapperLayout(b: Uint8Array): Layout {
  const boundaries = [1, 2, 3, 4, 6, 10, 12, 18];
  for (let p = 1024; p < b.length; p += Math.max(1024, b.length >> 6)) boundaries.push(p);
  boundaries.push(b.length - 8, b.length - 4, b.length - 1);
  const fields: Layout['fields'] = b[0] === 0x1f ? [{ at: b.length - 4, size: 4, little: true, what: 'ISIZE' }, { at: 4, size: 4, little: true, what: 'MTIME' }]
    : [{ at: 4, size: 1, little: true, what: 'frame header descriptor' }, { at: 5, size: 4, little: true, what: 'frame header' }];
  const records: Layout['records'] = [];
  if (b[0] === 0x28) {
    // zstd (RFC 8878 §3.1.1): frame header, then blocks with a 3-byte header (last, type, size).
    const fhd = b[4];
    const single = (fhd >> 5) & 1;
    let at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3] + [single, 2, 4, 8][fhd >> 6];
    while (at + 3 <= b.length) {
      const h = b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
      const size = ((h >> 1) & 3) === 1 ? 1 : h >>> 3;
      fields.push({ at, size: 2, little: true, what: 'zstd block header' });
      records.push({ start: at, end: at + 3 + size, what: 'zstd block' });
      boundaries.push(at, at + 3, at + 3 + size);
      at += 3 + size;
      if (h & 1) break;
    }
  }
  return { boundaries: boundaries.filter((x) => x > 0 && x < b.length), fields, sections: [], records };
}
