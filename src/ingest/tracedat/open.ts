// Opens a trace.dat: the initial header (magic 17 08 44 "tracing", version text, endian byte,
// user long size, page size; v7 adds the compression name/version and the first options offset),
// then the version's layout. trace-formats.md §1.1, §2.1; trace-cmd trace-input.c tracecmd_alloc_fd.
import { InputError } from '../../diag/errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { Cursor } from '../io/cursor.js';
import { algorithmOf } from './decompress.js';
import type { TraceDatFile } from './file-info.js';
import { readLayoutV6 } from './layout-v6.js';
import { readLayoutV7 } from './layout-v7.js';
import { emptyOptions } from './options.js';

export const TRACEDAT_MAGIC = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67]; // 17 08 44 "tracing"

export function isTraceDat(head: Uint8Array): boolean {
  if (head.length < TRACEDAT_MAGIC.length) return false;
  return TRACEDAT_MAGIC.every((b, i) => head[i] === b);
}

export function openTraceDat(src: ByteSource, path: string): TraceDatFile {
  const c = new Cursor(src, 0);
  const head = src.read(0, 10);
  if (!isTraceDat(head)) throw new InputError('not a trace-cmd trace.dat file (bad magic)', 0);
  c.skip(10, 'magic');
  const versionText = c.cstring('version', 16);
  const version = Number(versionText);
  if (!/^\d+$/.test(versionText) || (version !== 6 && version !== 7)) {
    throw new InputError(`unsupported trace.dat version "${versionText}" (kvmtrace reads 6 and 7)`, 10);
  }
  const endianAt = c.pos;
  const endian = c.u8('endianness');
  if (endian > 1) throw new InputError(`bad endianness byte ${endian}`, endianAt);
  c.little = endian === 0;
  const userLongSize = c.u8('long size');
  const psAt = c.pos;
  const headerPageSize = c.u32('page size');
  if (headerPageSize < 64 || headerPageSize > (1 << 24)) throw new InputError(`page size ${headerPageSize} is implausible`, psAt);
  const file: TraceDatFile = {
    path, version, little: c.little, userLongSize, kernelLongSize: 8, headerPageSize,
    headerPage: { timestampOffset: 0, timestampSize: 8, commitOffset: 8, commitSize: 8, dataOffset: 16, dataSize: headerPageSize - 16 },
    compression: 'none', compressionVersion: '', formats: [], badFormats: [], kallsyms: '', printk: '',
    cmdlines: new Map(), options: emptyOptions(), buffers: [], notes: [],
  };
  if (version === 6) {
    readLayoutV6(src, c, file);
  } else {
    const algoAt = c.pos;
    const name = c.cstring('compression name', 64);
    file.compressionVersion = c.cstring('compression version', 64);
    file.compression = algorithmOf(name, algoAt);
    const first = c.u64('first options offset');
    readLayoutV7(src, first, file);
  }
  const hp = file.headerPage;
  const subbuf = hp.dataOffset + hp.dataSize;
  for (const b of file.buffers) {
    if (version === 6 && subbuf !== b.pageSize && subbuf >= 64) {
      // Old trace-cmd wrote getpagesize(); header_page tells the real sub-buffer size (pitfall P5).
      file.notes.push(`header page size ${b.pageSize} disagrees with header_page (${subbuf}); using ${subbuf}`);
      b.pageSize = subbuf;
    }
  }
  return file;
}
