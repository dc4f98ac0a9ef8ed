// Where the header fields, sections and records of an intact perf.data are (fuzz targets).
// Layout from /work/shared/reference/trace-formats.md §5.1–§5.3 (perf_file_header, attrs with their
// id sections, data records with perf_event_header, the feature section table after the data;
// pipe mode: a 16-byte header then records, HEADER_TRACING_DATA's blob following its record).
import type { Layout } from './mutate.js';

const PIPE_HEADER = 16;

function records(b: Uint8Array, dv: DataView, start: number, end: number, layout: Layout, little: boolean): void {
  let at = start;
  while (at + 8 <= end) {
    const type = dv.getUint32(at, little);
    const size = dv.getUint16(at + 6, little);
    if (size < 8) break;
    layout.fields.push({ at: at + 6, size: 2, little, what: `record ${type} size` });
    layout.fields.push({ at, size: 4, little, what: 'record type' });
    let next = at + size;
    if (type === 66 && at + 12 <= end) {
      // HEADER_TRACING_DATA: u32 size, the blob follows the record
      layout.fields.push({ at: at + 8, size: 4, little, what: 'tracing data size' });
      next += dv.getUint32(at + 8, little);
    } else if (type === 2 || type === 13) {
      layout.fields.push({ at: at + size - 8, size: 8, little, what: 'lost count' });
    }
    layout.records.push({ start: at, end: next, what: `record ${type}` });
    layout.boundaries.push(at, at + 8);
    at = next;
  }
  layout.boundaries.push(at);
  void b;
}

/** Layout of an intact perf.data (file or pipe mode). */
export function perfLayout(b: Uint8Array): Layout {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const little = new TextDecoder().decode(b.subarray(0, 8)) === 'PERFILE2';
  const layout: Layout = { boundaries: [8, 16], fields: [], sections: [], records: [] };
  const f = (at: number, size: 8 | 4 | 2, what: string) => layout.fields.push({ at, size, little, what });
  const u64 = (at: number) => Number(dv.getBigUint64(at, little));
  f(8, 8, 'header size');
  if (u64(8) === PIPE_HEADER) {
    records(b, dv, PIPE_HEADER, b.length, layout, little);
  } else {
    const names = ['attr_size', 'attrs offset', 'attrs size', 'data offset', 'data size', 'event_types offset', 'event_types size'];
    names.forEach((n, i) => f(16 + i * 8, 8, n));
    for (let w = 0; w < 4; w++) f(72 + w * 8, 8, `feature bitmap ${w}`);
    const attrSize = u64(16);
    const [attrOff, attrLen, dataOff, dataLen] = [u64(24), u64(32), u64(40), u64(48)];
    layout.sections.push({ start: attrOff, end: attrOff + attrLen, what: 'attrs' }, { start: dataOff, end: dataOff + dataLen, what: 'data' });
    layout.boundaries.push(104, attrOff, attrOff + attrLen, dataOff, dataOff + dataLen);
    for (let a = attrOff; a + attrSize <= attrOff + attrLen; a += attrSize) {
      f(a + 4, 4, 'attr.size');
      f(a + 24, 8, 'attr.sample_type');
      f(a + attrSize - 16, 8, 'attr ids offset');
      f(a + attrSize - 8, 8, 'attr ids size');
      layout.records.push({ start: a, end: a + attrSize, what: 'attr' });
    }
    records(b, dv, dataOff, dataOff + dataLen, layout, little);
    // Feature section table: one (offset, size) per set bit.
    let t = dataOff + dataLen;
    for (let bit = 0; bit < 256; bit++) {
      if (!((b[72 + (bit >> 3)] >> (bit & 7)) & 1)) continue;
      if (t + 16 > b.length) break;
      f(t, 8, `feature ${bit} offset`);
      f(t + 8, 8, `feature ${bit} size`);
      const off = u64(t);
      const size = u64(t + 8);
      if (off + size <= b.length && size > 0) {
        layout.sections.push({ start: off, end: off + size, what: `feature ${bit}` });
        layout.boundaries.push(off, off + size);
        if (size >= 4) f(off, 4, `feature ${bit} first word`);
      }
      t += 16;
    }
  }
  layout.boundaries = [...new Set(layout.boundaries)].filter((x) => x > 0 && x < b.length).sort((x, y) => x - y);
  return layout;
}
