// perf.data file header (file mode: attrs section with per-attr id arrays, data section, feature
// section table after the data) and pipe-mode header (magic + size; attrs, features and tracing
// data arrive as records, read by the source's first pass).
// Upstream: tools/perf/util/header.c perf_file_header__read, perf_header__read_pipe, read_attr,
// perf_header__process_sections; trace-formats.md §5.1, §5.2, P17.
import { Diagnostics } from '../../diag/diagnostics.js';
import { InputError } from '../../diag/errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { Cursor } from '../io/cursor.js';
import { attrDeclaredSize, parseAttr, type PerfAttr } from './attr.js';
import { FEAT, FEATURE_NAMES, MAGIC_BE, MAGIC_LE } from './constants.js';
import { emptyFeatures, parseFeature, type PerfFeatures } from './features.js';
import { readTracingData, type TracingData } from './tracing-data.js';

export interface PerfFile {
  path: string;
  pipe: boolean;
  little: boolean;
  attrs: PerfAttr[];
  /** Data stream [start, end) in the file; `endIsCut` when the file stops before the declared end. */
  dataStart: number;
  dataEnd: number;
  endIsCut: boolean;
  /** The file header said data size 0 (perf record did not finish): records are read to EOF. */
  unfinished: boolean;
  features: PerfFeatures;
  tracing?: TracingData;
  diag: Diagnostics;
}

const MAX_ATTRS = 1 << 16;

/** Content sniff: the PERFILE2 magic in either byte order. */
export function isPerfData(head: Uint8Array): boolean {
  if (head.length < 16) return false;
  const m = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  return m === MAGIC_LE || m === MAGIC_BE;
}

function section(c: Cursor, what: string): { offset: number; size: number } {
  return { offset: c.u64(`${what} offset`), size: c.u64(`${what} size`) };
}

/** Reads the tracing-data blob at [offset, offset+size) of `src`. */
export function tracingDataAt(src: ByteSource, offset: number, size: number): TracingData {
  if (offset + size > src.size) throw new InputError(`tracing data of ${size} bytes runs past the end of the file`, offset);
  return readTracingData(new Cursor(src, offset, offset + size));
}

export function openPerfFile(src: ByteSource, path: string): PerfFile {
  const c = new Cursor(src, 0);
  const m = c.u64big('perf magic');
  if (m !== MAGIC_LE && m !== MAGIC_BE) throw new InputError('not a perf.data file (no PERFILE2 magic)', 0);
  const little = m === MAGIC_LE;
  c.little = little;
  const hdrSize = c.u64('header size');
  const diag = new Diagnostics();
  const file: PerfFile = {
    path, pipe: false, little, attrs: [], dataStart: 0, dataEnd: 0, endIsCut: false, unfinished: false,
    features: emptyFeatures(), diag,
  };
  if (hdrSize === 16) {
    // Pipe mode: everything else is records.
    file.pipe = true;
    file.dataStart = 16;
    file.dataEnd = src.size;
    file.endIsCut = true;
    return file;
  }
  if (hdrSize !== 104 && hdrSize !== 72) throw new InputError(`perf header size ${hdrSize} is neither 104 (file), 72 (old file) nor 16 (pipe)`, 8);
  if (src.size < hdrSize) throw new InputError(`file of ${src.size} bytes is shorter than its ${hdrSize}-byte perf header`, 0);
  const attrSize = c.u64('attr entry size');
  const attrs = section(c, 'attrs section');
  const data = section(c, 'data section');
  section(c, 'event_types section');
  const bits: number[] = [];
  if (hdrSize === 104) {
    for (let w = 0; w < 4; w++) {
      const word = c.u64big('feature bitmap');
      for (let b = 0; b < 64; b++) if ((word >> BigInt(b)) & 1n) bits.push(w * 64 + b);
    }
  }

  // Attrs: nr = attrs.size / attr_size; each entry = attr (attr.size bytes, in an attr_size - 16 slot)
  // followed by a {offset, size} section of u64 ids.
  if (attrSize < 64 + 16 || attrSize > 4096) throw new InputError(`attr entry size ${attrSize} is implausible`, 16);
  if (attrs.offset + attrs.size > src.size) throw new InputError(`attrs section [${attrs.offset}, +${attrs.size}) runs past the end of the file (${src.size} bytes)`, 24);
  const nAttrs = Math.floor(attrs.size / attrSize);
  if (nAttrs > MAX_ATTRS) throw new InputError(`${nAttrs} attrs is implausible`, 24);
  if (nAttrs === 0) throw new InputError('perf.data has no event attributes', 24);
  for (let i = 0; i < nAttrs; i++) {
    const at = attrs.offset + i * attrSize;
    const raw = src.read(at, attrSize);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const declared = attrDeclaredSize(v, 0, little);
    if (declared > attrSize - 16) throw new InputError(`attr ${i} declares ${declared} bytes, more than its ${attrSize - 16}-byte slot`, at + 4);
    const attr = parseAttr(raw.subarray(0, declared), little, at);
    const idc = new Cursor(src, at + attrSize - 16);
    idc.little = little;
    const ids = section(idc, `attr ${i} ids`);
    if (ids.size % 8 !== 0 || ids.offset + ids.size > src.size) throw new InputError(`attr ${i} id array [${ids.offset}, +${ids.size}) is outside the file`, at + attrSize - 16);
    const ic = new Cursor(src, ids.offset, ids.offset + ids.size);
    ic.little = little;
    for (let k = 0; k < ids.size / 8; k++) attr.ids.push(ic.u64big('sample id'));
    file.attrs.push(attr);
  }

  file.dataStart = data.offset;
  if (data.offset < hdrSize || data.offset > src.size) throw new InputError(`data section offset ${data.offset} is outside the file (${src.size} bytes)`, 40);
  if (data.size === 0) {
    file.unfinished = true;
    file.dataEnd = src.size;
    file.endIsCut = true;
    diag.add('unfinished-recording', 'data-loss', 'the perf.data header says data size 0 (perf record did not finish): records were read to the end of the file and the header features are missing');
    return file;
  }
  const declaredEnd = data.offset + data.size;
  if (declaredEnd > src.size) {
    file.dataEnd = src.size;
    file.endIsCut = true;
    diag.add('truncated', 'data-loss', `the data section should end at byte ${declaredEnd} but the file has ${src.size} bytes: the file was cut short`);
    return file;
  }
  file.dataEnd = declaredEnd;

  // Feature section table: one {offset, size} per set bit, in bit order, right after the data.
  const table = new Cursor(src, declaredEnd);
  table.little = little;
  const secs: Array<{ bit: number; offset: number; size: number }> = [];
  for (const bit of bits) {
    if (table.remaining < 16) {
      diag.add('features-missing', 'warning', `the feature table after the data is cut short (${FEATURE_NAMES[bit] ?? bit} and later are missing)`);
      break;
    }
    secs.push({ bit, ...section(table, `feature ${bit}`) });
  }
  for (const s of secs) {
    if (s.size === 0) continue;
    if (s.offset + s.size > src.size || s.offset < hdrSize) throw new InputError(`feature ${FEATURE_NAMES[s.bit] ?? s.bit} section [${s.offset}, +${s.size}) is outside the file`, s.offset);
    if (s.bit === FEAT.TRACING_DATA) {
      file.tracing = tracingDataAt(src, s.offset, s.size);
      file.features.seen.push(s.bit);
      continue;
    }
    const fc = new Cursor(src, s.offset, s.offset + s.size);
    fc.little = little;
    parseFeature(s.bit, fc, file.features);
  }
  return file;
}
