// How perf.data records are framed, shared by the record walk, the records inside compressed
// records and the zstd prefetch scan: the handler signature, and the bytes that follow a record
// outside its header.size — the tracing-data blob after HEADER_TRACING_DATA (only in the outer
// stream) and the trace data after AUXTRACE.
// Upstream: tools/perf/util/session.c perf_session__process_user_event (HEADER_TRACING_DATA,
// AUXTRACE skip their payload); trace-formats.md §5.3, P17.
import { REC } from './constants.js';

/**
 * Called once per record: `buf[off .. off+size)` is the record (header included), `fileOff` its file
 * offset (for records inside a compressed record: that record's offset), `nested` true inside one.
 * Returns -1 to stop the walk, anything else to go on.
 */
export type RecordHandler = (buf: Uint8Array, view: DataView, off: number, size: number, type: number, fileOff: number, nested: boolean) => number;

/** Bytes that follow the record at `off` outside its header.size. */
export function trailingBytes(view: DataView, off: number, size: number, type: number, nested: boolean, little: boolean): number {
  if (type === REC.HEADER_TRACING_DATA) return nested || size < 12 ? 0 : view.getUint32(off + 8, little);
  if (type === REC.AUXTRACE) return size >= 16 ? Number(view.getBigUint64(off + 8, little)) : 0;
  return 0;
}
