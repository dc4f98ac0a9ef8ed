// The first pass over a perf.data's records, before any sample is delivered: pipe mode's header
// records (HEADER_ATTR, HEADER_FEATURE, HEADER_TRACING_DATA; tools/perf/util/header.c, perf 6.1),
// ID_INDEX, the first COMM names, and the earliest sample time (the time base) and highest CPU of
// the first round. It stops at the first FINISHED_ROUND after a sample: a pipe stream's header
// records all come before the samples.
import { Diagnostics } from '../../diag/diagnostics.js';
import { InputError } from '../../diag/errors.js';
import { BufferSource, type ByteSource } from '../io/byte-source.js';
import { Cursor } from '../io/cursor.js';
import { parseAttr } from './attr.js';
import { FEATURE_NAMES, REC } from './constants.js';
import { parseFeature } from './features.js';
import { tracingDataAt, type PerfFile } from './open.js';
import type { SampleHeads } from './sample-head.js';
import type { TracingData } from './tracing-data.js';
import { walkRecords, type RecordHandler } from './walk.js';

const utf8 = new TextDecoder();

/** The NUL-terminated string in buf[s, e). */
export function cstr(buf: Uint8Array, s: number, e: number): string {
  let z = s;
  while (z < e && buf[z] !== 0) z++;
  return utf8.decode(buf.subarray(s, z));
}

export interface Prescan {
  /** Earliest sample time as u32 halves; -1/0 when no sample has a time. */
  baseHi: number;
  baseLo: number;
  cpuMax: number;
  tracing: TracingData | undefined;
}

/** Walks the records up to the end of the first round; attrs and features land in `file`, names in `comms`. */
export function prescanPerf(src: ByteSource, file: PerfFile, heads: SampleHeads, comms: Map<number, string>): Prescan {
  const { attrs, features, little } = file;
  const out: Prescan = { baseHi: -1, baseLo: 0, cpuMax: -1, tracing: file.tracing };
  let seenSample = false;
  const handler: RecordHandler = (buf, view, off, size, type, fileOff, nested) => {
    switch (type) {
      case REC.HEADER_ATTR: {
        if (size < 8 + 64) throw new InputError(`HEADER_ATTR record of ${size} bytes is too short`, fileOff);
        const declared = view.getUint32(off + 12, little) || 64;
        if (8 + declared > size) throw new InputError(`HEADER_ATTR attr of ${declared} bytes runs past its ${size}-byte record`, fileOff);
        const attr = parseAttr(buf.subarray(off + 8, off + 8 + declared), little, fileOff + 8);
        for (let p = off + 8 + declared; p + 8 <= off + size; p += 8) attr.ids.push(view.getBigUint64(p, little));
        attrs.push(attr);
        heads.rebuildIds();
        return 0;
      }
      case REC.HEADER_FEATURE: {
        if (size < 16) return 0;
        const bit = Number(view.getBigUint64(off + 8, little));
        const c = new Cursor(new BufferSource(buf.slice(off + 16, off + size)), 0);
        c.little = little;
        try {
          parseFeature(bit, c, features);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          throw new InputError(`HEADER_FEATURE ${FEATURE_NAMES[bit] ?? bit}: ${e.message}`, fileOff);
        }
        return 0;
      }
      case REC.HEADER_TRACING_DATA: {
        if (nested) return 0;
        const n = view.getUint32(off + 8, little);
        // The blob follows the record, outside header.size (P17).
        out.tracing = tracingDataAt(src, fileOff + size, Math.min(n, src.size - fileOff - size));
        return 0;
      }
      case REC.ID_INDEX: {
        const nr = size >= 16 ? Number(view.getBigUint64(off + 8, little)) : 0;
        for (let k = 0; k < nr && off + 16 + (k + 1) * 32 <= off + size; k++) {
          const p = off + 16 + k * 32;
          heads.addIndexed(view.getUint32(p + (little ? 4 : 0), little), view.getUint32(p + (little ? 0 : 4), little), Number(view.getBigUint64(p + 8, little)));
        }
        return 0;
      }
      case REC.COMM: {
        if (size >= 16) comms.set(view.getInt32(off + 12, little), cstr(buf, off + 16, off + size));
        return 0;
      }
      case REC.SAMPLE: {
        if (attrs.length === 0) throw new InputError('sample record before any event attribute', fileOff);
        if (heads.decode(view, off, size)) {
          seenSample = true;
          const hi = heads.timeHi;
          const lo = heads.timeLo;
          if ((hi !== 0 || lo !== 0) && (out.baseHi < 0 || hi < out.baseHi || (hi === out.baseHi && lo < out.baseLo))) {
            out.baseHi = hi;
            out.baseLo = lo;
          }
          if (heads.cpu > out.cpuMax) out.cpuMax = heads.cpu;
        }
        return 0;
      }
      case REC.FINISHED_ROUND:
        return seenSample ? -1 : 0;
      default:
        return 0;
    }
  };
  walkRecords({ src, start: file.dataStart, end: file.dataEnd, endIsCut: file.endIsCut, little, diag: new Diagnostics() }, handler);
  return out;
}
