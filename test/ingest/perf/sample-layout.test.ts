// Fixed sample layouts: field offsets as perf's evsel__parse_sample walks them, the layouts that
// cannot be fixed, and a sample whose raw size runs past its record counted as a bad sample (the
// same answer the field-by-field walk gives) with every other sample kept.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../../../src/ingest/io/byte-source.js';
import { READ_FORMAT, SAMPLE } from '../../../src/ingest/perf/constants.js';
import { openPerfFile, perfSource } from '../../../src/ingest/perf/index.js';
import { sampleLayout } from '../../../src/ingest/perf/sample-layout.js';

const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-layout-'));

function count(path: string): { events: number; bad: number | undefined } {
  const src = new FileSource(path);
  const s = perfSource(src, openPerfFile(src, path));
  let events = 0;
  s.read((b) => {
    events += b.length;
  });
  s.close();
  return { events, bad: s.diag.list().find((d) => d.code === 'bad-samples')?.count };
}

describe('sample layout', () => {
  it('places tid, time, cpu and raw as perf record -e tracepoints writes them', () => {
    // IDENTIFIER | IP | TID | TIME | CPU | PERIOD | RAW (perf record -a -e sys:event).
    const st = SAMPLE.IDENTIFIER | SAMPLE.IP | SAMPLE.TID | SAMPLE.TIME | SAMPLE.CPU | SAMPLE.PERIOD | SAMPLE.RAW;
    expect(sampleLayout(st, 0, 8)).toEqual([1, 24, 32, 40, 56, 60]);
    // Without IDENTIFIER/IP/CPU; with ID, STREAM_ID and a plain READ of 16 bytes before RAW.
    const st2 = SAMPLE.TID | SAMPLE.TIME | SAMPLE.ID | SAMPLE.STREAM_ID | SAMPLE.READ | SAMPLE.RAW;
    expect(sampleLayout(st2, READ_FORMAT.ID, 16)).toEqual([1, 8, 16, -1, 56, 60]);
    // No RAW: the last bounds check is the CPU field's.
    expect(sampleLayout(SAMPLE.TID | SAMPLE.CPU, 0, 8)).toEqual([1, 8, -1, 16, -1, 24]);
  });

  it('leaves variable layouts to the field-by-field walk', () => {
    expect(sampleLayout(SAMPLE.TID | SAMPLE.CALLCHAIN | SAMPLE.RAW, 0, 8)[0]).toBe(0);
    expect(sampleLayout(SAMPLE.TID | SAMPLE.READ | SAMPLE.RAW, READ_FORMAT.GROUP, 8)[0]).toBe(0);
  });

  it('a raw size past the record end is one bad sample (counted once), the rest are read', () => {
    const path = 'fixtures/perf/multi.data';
    expect(count(path)).toEqual({ events: 1600, bad: undefined });
    const b = Buffer.from(readFileSync(path));
    const src = new FileSource(path);
    const attrs = openPerfFile(src, path).attrs;
    src.close();
    const [fixed, , , , raw] = sampleLayout(attrs[0].sampleType, attrs[0].readFormat, 8);
    expect(fixed).toBe(1);
    // The first SAMPLE record of the data section.
    let p = Number(b.readBigUInt64LE(40));
    while (b.readUInt32LE(p) !== 9) p += b.readUInt16LE(p + 6);
    b.writeUInt32LE(b.readUInt16LE(p + 6), p + raw);
    const bad = join(dir, 'bad-raw.data');
    writeFileSync(bad, b);
    expect(count(bad)).toEqual({ events: 1599, bad: 1 });
  });
});
