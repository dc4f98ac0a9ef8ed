// Bad input never produces a stack trace or a hang: a one-line error naming the file, what is
// wrong and the byte offset, exit status 2. Damaged-but-readable input still gets a report.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileSource } from '../../src/ingest/io/byte-source.js';
import { openTraceDat } from '../../src/ingest/tracedat/open.js';
import { convertTrace, hasTraceCmd } from '../helpers/tracecmd.js';

const CLI = 'dist/src/cli/main.js';
const FIXTURE = 'fixtures/tracedat/kvm-pinned/trace.dat';
const dir = join(tmpdir(), `kvmtrace-bad-${process.pid}`);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: ReturnType<typeof run>, file: string, pattern: RegExp): void {
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
}

function variant(name: string, mutate: (b: Buffer) => Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, mutate(readFileSync(FIXTURE)));
  return p;
}

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
});

describe('files that are not traces', () => {
  it('a missing file', () => {
    expectOneLineError(run('info', join(dir, 'nope.dat')), 'nope.dat', /no such file/);
  });
  it('an empty file', () => {
    const p = join(dir, 'empty.dat');
    writeFileSync(p, '');
    expectOneLineError(run('analyze', p, '-o', dir), 'empty.dat', /empty/);
  });
  it('a text file', () => {
    const p = join(dir, 'text.dat');
    writeFileSync(p, 'hello world\n');
    expectOneLineError(run('dump', p), 'text.dat', /unrecognised input format.*at byte 0/);
  });
  it('a directory', () => {
    expectOneLineError(run('info', dir), dir, /directory|unrecognised|cannot/);
  });
});

describe('damaged trace.dat headers', () => {
  it('an unknown version', () => {
    const p = variant('v9.dat', (b) => {
      b[10] = 0x39; // "9"
      return b;
    });
    expectOneLineError(run('info', p), 'v9.dat', /unsupported trace.dat version "9".*at byte 10/);
  });
  it('an unknown compression algorithm', () => {
    const p = variant('lz4.dat', (b) => {
      const at = b.indexOf('zstd\0');
      b.write('lz4x', at);
      return b;
    });
    expectOneLineError(run('info', p), 'lz4.dat', /unsupported compression algorithm "lz4x"/);
  });
  for (const cut of [12, 20, 300, 5000, 100_000]) {
    it(`a file cut at byte ${cut}`, () => {
      const p = variant(`cut${cut}.dat`, (b) => b.subarray(0, cut));
      expectOneLineError(run('info', p), `cut${cut}.dat`, /at byte \d+/);
    });
  }
  it('a corrupt section pointer', () => {
    // The first-options offset of a v7 file lies right after "zstd\0<version>\0".
    const p = variant('badptr.dat', (b) => {
      const at = b.indexOf('zstd\0') + 5;
      const end = b.indexOf(0, at) + 1;
      b.writeBigUInt64LE(0xffffffffn, end);
      return b;
    });
    expectOneLineError(run('info', p), 'badptr.dat', /at byte \d+/);
  });
});

describe.skipIf(!hasTraceCmd())('damaged data still gets a report', () => {
  it('a v6 file truncated in its data section reports what it read, with a data-loss warning', () => {
    const v6 = join(dir, 'full-v6.dat');
    convertTrace(FIXTURE, v6, { fileVersion: 6 });
    const full = readFileSync(v6);
    const cutAt = full.length - 20_000;
    const p = join(dir, 'trunc-v6.dat');
    writeFileSync(p, full.subarray(0, cutAt));
    const r = run('analyze', p, '-o', dir, '--format', 'json');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/data-loss: .*bytes of data are missing \(file truncated\)/);
    const j = JSON.parse(readFileSync(join(dir, 'trunc-v6.json'), 'utf8'));
    const whole = run('analyze', v6, '-o', dir, '--format', 'json', '--name', 'whole');
    expect(whole.status).toBe(0);
    const jw = JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8'));
    expect(j.input.events).toBeGreaterThan(0);
    expect(j.input.events).toBeLessThan(jw.input.events);
    expect(j.dataQuality.diagnostics.map((d: { code: string }) => d.code)).toContain('truncated');
  });

  it('a corrupted page is skipped with a warning, the rest is read', () => {
    const v6 = join(dir, 'full-v6b.dat');
    convertTrace(FIXTURE, v6, { fileVersion: 6 });
    const b = readFileSync(v6);
    // Find the first ring-buffer page of CPU 0 through `trace-cmd`-independent means: the flyrecord
    // table follows the "flyrecord\0" tag: u64 offset, u64 size per CPU.
    const tag = b.indexOf('flyrecord\0');
    const off = Number(b.readBigUInt64LE(tag + 10));
    b.writeUInt32LE(0x7ffffff, off + 8); // commit far larger than the page
    const p = join(dir, 'badpage.dat');
    writeFileSync(p, b);
    const r = run('analyze', p, '-o', dir, '--format', 'json');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/page commit \d+ exceeds the page size/);
  });

  it('a corrupted zstd chunk of CPU data is skipped with a data-loss warning', () => {
    const src = new FileSource(FIXTURE);
    const file = openTraceDat(src, FIXTURE);
    src.close();
    const cpu0 = file.buffers[0].cpus[0];
    const b = readFileSync(FIXTURE);
    // CPU block: u32 chunk count, then per chunk u32 Z, u32 U and Z bytes of zstd frame.
    const z = b.readUInt32LE(cpu0.offset + 4);
    for (let k = 20; k < Math.min(z, 60); k++) b[cpu0.offset + 12 + k] ^= 0x5a;
    const p = join(dir, 'badchunk.dat');
    writeFileSync(p, b);
    const r = run('info', p);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/data-loss: CPU \d+: zstd data is corrupt or does not decompress to the \d+ bytes its header declares/);
  });

  it('a corrupted metadata section is a one-line error', () => {
    const b = readFileSync(FIXTURE);
    const src = new FileSource(FIXTURE);
    const file = openTraceDat(src, FIXTURE);
    src.close();
    expect(file.formats.length).toBeGreaterThan(100);
    // The first zstd frame in the file belongs to a compressed metadata section.
    const at = b.indexOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
    for (let k = 30; k < 90; k++) b[at + k] ^= 0x5a;
    const p = join(dir, 'badmeta.dat');
    writeFileSync(p, b);
    expectOneLineError(run('info', p), 'badmeta.dat', /zstd .*at byte \d+/);
  });
});

describe('usage errors', () => {
  it('an unknown buffer', () => {
    expectOneLineError(run('info', FIXTURE, '--buffer', 'nosuch'), FIXTURE, /no buffer instance "nosuch"/);
  });
  it('an unknown report format', () => {
    const r = run('analyze', FIXTURE, '--format', 'pdf', '-o', dir);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('an unknown command', () => {
    expect(run('frobnicate').status).toBe(2);
  });
});
