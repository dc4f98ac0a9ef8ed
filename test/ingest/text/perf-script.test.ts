// `perf script` text of the real perf.data: the default layout and the common -F variants give the
// same events (count, order, time to the µs, CPU, tid, event, field values). The binary side
// (src/ingest/perf/) is compared with the same text by the perf.data tests.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAll, type Decoded } from '../../helpers/decoded.js';
import { compareDecoded } from './compare.js';

const PERF_DATA = 'fixtures/tracedat/kvm-pinned/perf.data';
const work = join(tmpdir(), `kvmtrace-perf-text-${process.pid}`);
const hasPerf = spawnSync('perf', ['--version']).status === 0;

function perfText(args: string[], name: string): string {
  mkdirSync(work, { recursive: true });
  const r = spawnSync('perf', ['script', '-f', '-i', PERF_DATA, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`perf script ${args.join(' ')}: ${r.stderr}`);
  const p = join(work, name);
  writeFileSync(p, r.stdout);
  return p;
}

describe.skipIf(!hasPerf)('perf script text', () => {
  let base: Decoded;
  it('default layout: every sample is an event, nothing unparsed', () => {
    base = decodeAll(perfText([], 'default.txt'));
    expect(base.records.length).toBe(7694);
    expect(base.source.meta.format).toBe('perf script');
    expect(base.source.unparsed?.lines).toBe(0);
    expect(base.source.diag.list().filter((d) => d.code === 'payload-unparsed')).toEqual([]);
    const first = base.records[0];
    expect([first.system, first.event, first.cpu, first.pid, first.ts]).toEqual(['sched', 'sched_waking', 0, 8850, 2180680790000n]);
    expect(base.source.comms.get(8795)).toBe('CPU 0/KVM');
  });
  const variants: Array<[string, string[], boolean]> = [
    ['--ns -F +pid', ['--ns', '-F', '+pid'], true],
    ['period, ip, sym, dso columns', ['-F', '+period,+ip,+sym,+dso'], true],
    ['--header', ['--header'], true],
    ['no cpu column', ['-F', 'comm,tid,time,event,trace'], false],
  ];
  for (const [label, args, withCpu] of variants) {
    it(`${label} gives the same events`, () => {
      const v = decodeAll(perfText(args, `${label.replace(/\W+/g, '_')}.txt`));
      expect(v.source.unparsed?.lines).toBe(0);
      if (withCpu) compareDecoded(base, v, args.includes('--ns') ? 1000n : 0n);
      else {
        expect(v.records.map((r) => [r.event, r.pid, r.ts])).toEqual(base.records.map((r) => [r.event, r.pid, r.ts]));
        expect(v.source.diag.has('no-cpu')).toBe(true);
      }
      if (args.includes('+pid')) expect(v.source.tgids?.get(8850)).toBe(8850);
    });
  }
});
