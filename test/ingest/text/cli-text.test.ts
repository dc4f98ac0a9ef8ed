// Text inputs through the CLI: text of another kind, garbage, a truncated gzip and a zstd bomb are a
// one-line error with exit status 2; a partly readable text gets a report with its warnings and
// `input.unparsedLines`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { zstdBomb } from './compare.js';

const CLI = 'dist/src/cli/main.js';
const dir = join(tmpdir(), `kvmtrace-cli-text-${process.pid}`);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLineError(file: string, pattern: RegExp): void {
  const r = run('analyze', file, '-o', dir);
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(pattern);
}

const PERF_LINES = [
  '       CPU 0/KVM  8795 [000]  2180.684616: timer:hrtimer_expire_entry: hrtimer=0xffff888627c1c6f8 function=tick_nohz_handler now=2180684003218',
  '       CPU 0/KVM  8795 [000]  2180.684620: kvm:kvm_exit: vcpu 0 reason HLT rip 0xffffffff81e7a2bc info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000',
  '       CPU 0/KVM  8795 [000]  2180.684700: kvm:kvm_entry: vcpu 0, rip 0xffffffff81e7a2bd',
];

beforeAll(() => mkdirSync(dir, { recursive: true }));

describe('not a trace', () => {
  it('binary garbage', () => {
    const p = join(dir, 'garbage.txt');
    const b = Buffer.alloc(20000);
    for (let i = 0; i < b.length; i++) b[i] = (i * 7919 + 13) & 0xff;
    writeFileSync(p, b);
    oneLineError(p, /unrecognised input format/);
  });
  it('a CSV', () => {
    const p = join(dir, 'data.txt');
    writeFileSync(p, 'time,cpu,event,value\n1.5,0,kvm_exit,3\n1.6,1,kvm_entry,4\n'.repeat(20));
    oneLineError(p, /unrecognised input format/);
  });
  it('a README', () => {
    oneLineError('README.md', /unrecognised input format/);
  });
  it('a gzip cut inside its header', () => {
    const p = join(dir, 'cut.gz');
    writeFileSync(p, gzipSync(Buffer.from(PERF_LINES.join('\n').repeat(100))).subarray(0, 12));
    oneLineError(p, /gzip stream is truncated/);
  });
  it('a zstd bomb', () => {
    const p = join(dir, 'bomb.zst');
    writeFileSync(p, zstdBomb(8192));
    oneLineError(p, /decompression bomb/);
  });
});

describe('partly readable text', () => {
  it('gets a report with the unparsed lines counted and shown', () => {
    const lines = [...PERF_LINES, 'garbage in the middle', ...PERF_LINES.map((l) => l.replace('2180.68', '2180.69')), '\tffffffff8139ba69 __traceiter_sched_waking+0x49 ([kernel.kallsyms])'];
    const p = join(dir, 'partial.txt');
    writeFileSync(p, `# perf script header\n${lines.join('\r\n')}\r\n`);
    const r = run('analyze', p, '-o', dir, '--format', 'json');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1 lines were not understood/);
    const j = JSON.parse(readFileSync(join(dir, 'partial.json'), 'utf8'));
    expect(j.input.format).toBe('perf script');
    expect(j.input.events).toBe(6);
    expect(j.input.unparsedLines).toBe(1);
    expect(j.exits.total).toBe(2);
  });
  it('binary inputs report unparsedLines 0', () => {
    const r = run('analyze', 'fixtures/tracedat/overrun/trace.dat', '-o', dir, '--format', 'json', '-q');
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')).input.unparsedLines).toBe(0);
  });
  it('info and dump read text', () => {
    const p = join(dir, 'ok.txt');
    writeFileSync(p, PERF_LINES.join('\n'));
    const i = run('info', p);
    expect(i.status).toBe(0);
    expect(i.stdout).toMatch(/format\s+perf script/);
    const d = run('dump', p);
    expect(d.status).toBe(0);
    expect(d.stdout.trim().split('\n')).toHaveLength(3);
    expect(d.stdout).toMatch(/kvm:kvm_exit exit_reason=12 guest_rip=0xffffffff81e7a2bc isa=1/);
  });
});
