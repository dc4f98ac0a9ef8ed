// perf.data reading without perf: header, attrs, features, tracing data, record kinds, lost events,
// bad input. Known answers come from the fixtures (fixtures/README.md, `perf report --header-only`,
// `perf report --stats`) and from files derived from them byte by byte in the test.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openInput } from '../../../src/ingest/index.js';
import { isPerfData, type PerfTraceSource } from '../../../src/ingest/perf/index.js';
import { parseCpuList } from '../../../src/ingest/perf/features.js';
import type { EventBatch } from '../../../src/model/event-batch.js';
import { inputErrorOf } from '../../helpers/perf-digest.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-perf-'));

function open(path: string): PerfTraceSource {
  return openInput(path) as PerfTraceSource;
}

interface Ev {
  ts: number;
  cpu: number;
  tid: number;
  type: number;
  payload: string;
}

function events(src: PerfTraceSource, batchSize?: number): Ev[] {
  void batchSize;
  const out: Ev[] = [];
  src.read((b: EventBatch) => {
    for (let i = 0; i < b.length; i++) {
      out.push({ ts: b.ts[i], cpu: b.cpu[i], tid: b.pid[i], type: b.type[i], payload: Buffer.from(b.data.subarray(b.off[i], b.off[i] + b.len[i])).toString('hex') });
    }
  });
  return out;
}

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const errorOf = inputErrorOf;

/** The data section of a file-mode perf.data (offset, size at bytes 40/48). */
function dataSection(b: Buffer): [number, number] {
  return [Number(b.readBigUInt64LE(40)), Number(b.readBigUInt64LE(48))];
}

describe('perf.data header and features', () => {
  it('sniffs both modes and nothing else', () => {
    expect(isPerfData(readFileSync('fixtures/perf/multi.data').subarray(0, 4096))).toBe(true);
    expect(isPerfData(readFileSync('fixtures/perf/pipe.data').subarray(0, 4096))).toBe(true);
    expect(isPerfData(readFileSync('fixtures/tracedat/kvm-pinned/trace.dat').subarray(0, 4096))).toBe(false);
  });

  it('keeps host facts and topology in meta and details (perf report --header-only)', () => {
    for (const f of ['fixtures/perf/multi.data', 'fixtures/perf/pipe.data']) {
      const src = open(f);
      const m = src.meta;
      expect(m.format).toBe('perf.data');
      expect(m.hostname).toBe('vm');
      expect(m.osrelease).toBe('6.18.44-fc-v669');
      expect(m.nrCpusAvail).toBe(2);
      expect(m.nrCpusOnline).toBe(2);
      expect(m.cpus).toBe(2);
      expect(m.cmdline).toMatch(/^\/usr\/bin\/perf record -q -a /);
      expect(m.topology?.cpus).toEqual([
        { cpu: 0, socket: 0, die: 0, core: 0 },
        { cpu: 1, socket: 0, die: 0, core: 1 },
      ]);
      expect(m.topology?.packages).toEqual(['0-1']);
      expect(m.topology?.cores).toEqual(['0', '1']);
      expect(m.topology?.numa?.map((n) => [n.node, n.cpus])).toEqual([[0, [0, 1]]]);
      const labels = m.details.map(([k]) => k);
      expect(labels).toEqual(expect.arrayContaining(['mode', 'hostname', 'os release', 'cpus', 'cmdline', 'topology', 'NUMA nodes']));
      expect(m.details.find(([k]) => k === 'mode')?.[1]).toBe(f.includes('pipe') ? 'pipe' : 'file');
      src.close();
    }
    // CACHE (file mode): the LLC is shared by both CPUs.
    const src = open('fixtures/perf/multi.data');
    const caches = src.meta.topology?.caches ?? [];
    const top = Math.max(...caches.map((c) => c.level));
    expect(caches.filter((c) => c.level === top).map((c) => c.cpus)).toEqual([[0, 1]]);
    expect(src.meta.details.find(([k]) => k === 'LLC groups')?.[1]).toBe('0,1');
    src.close();
  });

  it('maps samples to attrs by IDENTIFIER and names the attrs', () => {
    const src = open('fixtures/perf/multi.data');
    expect(src.attrs.length).toBe(19); // 18 tracepoints + dummy:HG
    expect(src.attrs[0].name).toBe('kvm:kvm_userspace_exit');
    expect(src.attrs[18].name).toBe('dummy:HG');
    const ev = events(src);
    expect(ev.length).toBe(1600);
    // Every sample's common_type is its attr's tracepoint: no mismatch diagnostic.
    expect(src.diag.has('event-id-mismatch')).toBe(false);
    const byName = new Map<string, number>();
    for (const e of ev) {
      const f = src.formats.find((x) => x.id === e.type)!;
      byName.set(f.name, (byName.get(f.name) ?? 0) + 1);
    }
    expect(byName.get('hrtimer_start')).toBe(367);
    expect(byName.get('sched_process_exec')).toBe(8);
    expect(byName.get('kvm_pio')).toBe(60);
    // Timestamps are non-decreasing.
    for (let i = 1; i < ev.length; i++) expect(ev[i].ts >= ev[i - 1].ts).toBe(true);
  });

  it('parses cpulists', () => {
    expect(parseCpuList('0-3,8,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('')).toEqual([]);
  });
});

describe('perf.data records', () => {
  it('pipe mode: attrs, features and tracing data from records', () => {
    const src = open('fixtures/perf/pipe.data');
    expect(src.meta.details.find(([k]) => k === 'mode')?.[1]).toBe('pipe');
    expect(src.formats.length).toBe(9);
    expect(events(src).length).toBe(8101);
    // tid → pid grouping: vCPU threads belong to their QEMU process.
    const kvmThreads = [...src.comms].filter(([, c]) => /^CPU \d+\/KVM$/.test(c)).map(([t]) => t);
    expect(kvmThreads.length).toBeGreaterThan(0);
    for (const t of kvmThreads) expect(src.tgids.get(t)).not.toBe(t);
  });

  it('zstd (-z): same events as perf script counts, from 11 COMPRESSED records', () => {
    const src = open('fixtures/perf/zstd.data');
    expect(src.meta.compression).toBe('zstd (level 1)');
    expect(events(src).length).toBe(4435);
    expect(src.diag.list().filter((d) => d.severity === 'data-loss')).toEqual([]);
  });

  it('LOST records become lost events with their CPU, LOST_SAMPLES are not counted twice', () => {
    const src = open('fixtures/perf/lost.data');
    expect(events(src).length).toBe(4635);
    // perf report --stats: LOST events: 3 (9 + 20 + 34); LOST_SAMPLES 5 records, the same 63 drops.
    expect(src.lost.map((l) => [l.cpu, l.count])).toEqual([[0, 9], [0, 20], [1, 34]]);
    const d = src.diag.list().find((x) => x.code === 'lost-events')!;
    expect(d.count).toBe(63);
    expect(d.message).toMatch(/record at byte 125496/);
    expect(src.diag.has('lost-samples')).toBe(true);
  });

  it('small batches give the same stream', () => {
    const a = events(open('fixtures/perf/lost.data'));
    const src = openInput('fixtures/perf/lost.data', { batchSize: 100 }) as PerfTraceSource;
    let n = 0;
    let k = 0;
    let same = true;
    src.read((b) => {
      n++;
      for (let i = 0; i < b.length; i++, k++) if (b.ts[i] !== a[k].ts || b.pid[i] !== a[k].tid) same = false;
    });
    expect(k).toBe(a.length);
    expect(same).toBe(true);
    expect(n).toBe(Math.ceil(a.length / 100));
  });
});

describe('perf.data damage', () => {
  const full = readFileSync('fixtures/perf/multi.data');
  const [dOff, dSize] = dataSection(full);
  const all = events(open('fixtures/perf/multi.data'));

  it('a file cut inside the data reports the events before the cut with a data-loss diagnostic', () => {
    const cut = write('cut.data', full.subarray(0, dOff + Math.floor(dSize / 2)));
    const src = open(cut);
    const ev = events(src);
    expect(ev.length).toBeGreaterThan(0);
    expect(ev.length).toBeLessThan(all.length);
    const d = src.diag.list().filter((x) => x.severity === 'data-loss').map((x) => x.code);
    expect(d).toContain('truncated');
  });

  it('a pipe stream cut mid-record keeps the complete records', () => {
    const pipe = readFileSync('fixtures/perf/pipe.data');
    const src = open(write('pipe-cut.data', pipe.subarray(0, pipe.length - 3)));
    expect(events(src).length).toBeGreaterThan(8000);
    expect(src.diag.has('truncated')).toBe(true);
  });

  it('data size 0 (unfinished recording) is read to the end of the file', () => {
    const b = Buffer.from(full.subarray(0, dOff + dSize));
    b.writeBigUInt64LE(0n, 48);
    const src = open(write('unfinished.data', b));
    expect(events(src)).toEqual(all);
    expect(src.diag.has('unfinished-recording')).toBe(true);
  });

  it('broken headers and records are one InputError with the offset', () => {
    const bad = (name: string, patch: (b: Buffer) => void) => {
      const b = Buffer.from(full);
      patch(b);
      return errorOf(() => events(open(write(name, b))));
    };
    let e = bad('hdr.data', (b) => b.writeBigUInt64LE(99n, 8));
    expect(e.message).toMatch(/header size 99/);
    expect(e.offset).toBe(8);
    e = bad('attrs.data', (b) => b.writeBigUInt64LE(BigInt(full.length), 24));
    expect(e.message).toMatch(/attrs section/);
    e = bad('attrsize.data', (b) => b.writeUInt32LE(4000, Number(b.readBigUInt64LE(24)) + 4));
    expect(e.message).toMatch(/declares 4000 bytes/);
    // A record size of 4 inside a complete data section.
    e = bad('rec.data', (b) => b.writeUInt16LE(4, dOff + 6));
    expect(e.message).toMatch(/shorter than its 8-byte header/);
    expect(e.offset).toBe(dOff);
    expect(e.describe()).toMatch(/rec\.data: .* \(at byte \d+\)$/);
    // A record that runs past the (complete) data section.
    let last = dOff;
    for (let p = dOff; p < dOff + dSize; p += full.readUInt16LE(p + 6)) last = p;
    e = bad('past.data', (b) => b.writeUInt16LE(b.readUInt16LE(last + 6) + 8, last + 6));
    expect(e.message).toMatch(/runs past the end of the data/);
    expect(e.offset).toBe(last);
  });

  it('a corrupt zstd stream is an InputError at the compressed record', () => {
    const z = Buffer.from(readFileSync('fixtures/perf/zstd.data'));
    const [zOff, zSize] = dataSection(z);
    // Find the first COMPRESSED record (type 81) and spoil its frame.
    let p = zOff;
    while (p < zOff + zSize && z.readUInt32LE(p) !== 81) p += z.readUInt16LE(p + 6);
    expect(p).toBeLessThan(zOff + zSize);
    z.fill(0xff, p + 8, p + 40);
    const e = errorOf(() => events(open(write('badz.data', z))));
    expect(e.message).toMatch(/zstd/);
    expect(e.offset).toBe(p);
  });

  it('an empty or wrong file is refused', () => {
    const e = errorOf(() => open(write('short.data', full.subarray(0, 50))));
    expect(e.message).toMatch(/shorter than its 104-byte perf header|unexpected end/);
  });
});
