// Where a sample's fields sit when its sample_type has only fixed-size fields before RAW (no
// CALLCHAIN, no READ with PERF_FORMAT_GROUP) — the case of every tracepoint recording by
// `perf record -e`: the reader then takes tid/pid, time, cpu and the raw payload at fixed offsets.
// Field order: tools/perf/util/evsel.c evsel__parse_sample (perf 6.1); trace-formats.md §5.4.
import { READ_FORMAT, SAMPLE } from './constants.js';

/** Entries per attr in the layout table. */
export const LAYOUT_STRIDE = 6;
// Entry: [fixed (1/0), tid offset, time offset, cpu offset, raw size offset, smallest valid size];
// offsets are from the record start, -1 when the field is absent.

/**
 * The layout entry for one attr. `minSize` is the size below which the reader's field-by-field walk
 * would find the sample too short (the last bounds check it makes: TID, TIME, CPU or RAW's size).
 */
export function sampleLayout(sampleType: number, readFormat: number, readSize: number): number[] {
  const st = sampleType;
  if (st & SAMPLE.CALLCHAIN || (st & SAMPLE.READ && readFormat & READ_FORMAT.GROUP)) return [0, -1, -1, -1, -1, 0];
  let p = 8;
  let min = 0;
  let tid = -1;
  let time = -1;
  let cpu = -1;
  let raw = -1;
  if (st & SAMPLE.IDENTIFIER) p += 8;
  if (st & SAMPLE.IP) p += 8;
  if (st & SAMPLE.TID) {
    tid = p;
    p += 8;
    min = p;
  }
  if (st & SAMPLE.TIME) {
    time = p;
    p += 8;
    min = p;
  }
  if (st & SAMPLE.ADDR) p += 8;
  if (st & SAMPLE.ID) p += 8;
  if (st & SAMPLE.STREAM_ID) p += 8;
  if (st & SAMPLE.CPU) {
    cpu = p;
    p += 8;
    min = p;
  }
  if (st & SAMPLE.PERIOD) p += 8;
  if (st & SAMPLE.READ) p += readSize;
  if (st & SAMPLE.RAW) {
    raw = p;
    min = p + 4;
  }
  return [1, tid, time, cpu, raw, min];
}
