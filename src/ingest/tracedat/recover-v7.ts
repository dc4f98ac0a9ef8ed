// Recovery of a v7 trace.dat cut before its trailing options section: trace-cmd writes the BUFFER
// option (where each CPU's data lies) after the data, so a copy cut short keeps the events but loses
// their table. The layout trace-cmd writes (trace-output.c: the first options section, then the
// flyrecord section header, then each CPU's block starting on a page boundary, CPU after CPU; a
// compressed block is a u32 chunk count and its chunks) lets a linear walk find them again: the
// section walk finds the flyrecord section (id 3); compressed blocks delimit themselves; uncompressed
// blocks are split by the CPUSTAT `bytes:` counts when given, else where the page timestamps start
// over. The CPU count comes from CPUCOUNT (or the CPUSTAT options). Upstream: trace-cmd
// lib/trace-cmd/trace-output.c (out_write_cpu_data, tracecmd_write_cpu_data), trace-formats.md §2.
import type { ByteSource } from '../io/byte-source.js';
import type { CpuData, TraceDatFile } from './file-info.js';

const FLYRECORD = 3;
const KNOWN_SECTIONS = new Set([0, 16, 17, 18, 19, 20, 21]);
const MAX_CHUNKS = 1 << 28;

export interface CpuStat {
  cpu: number;
  bytes: number;
}

/** CPUSTAT option text (`CPU: 0\nentries: ..\nbytes: ..`, trace-cmd record's per_cpu/cpuN/stats). */
export function parseCpuStat(text: string): CpuStat | null {
  const cpu = /^CPU:\s*(\d+)/m.exec(text);
  if (!cpu) return null;
  const bytes = /^bytes:\s*(\d+)/m.exec(text);
  return { cpu: Number(cpu[1]), bytes: bytes ? Number(bytes[1]) : 0 };
}

const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

function u32(src: ByteSource, at: number, little: boolean): number | null {
  if (at + 4 > src.size) return null;
  const b = src.read(at, 4);
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, little);
}

/** The flyrecord section reached by walking section headers from `from`, or null. */
function findFlyrecord(src: ByteSource, from: number, little: boolean): { start: number; flags: number } | null {
  let pos = from;
  for (let n = 0; n < 4096 && pos + 16 <= src.size; n++) {
    const h = src.read(pos, 16);
    const v = new DataView(h.buffer, h.byteOffset, 16);
    const id = v.getUint16(0, little);
    const flags = v.getUint16(2, little);
    const size = Number(v.getBigUint64(8, little));
    if (id === FLYRECORD) return { start: pos + 16, flags };
    if (!KNOWN_SECTIONS.has(id) || pos + 16 + size > src.size) return null;
    pos += 16 + size;
  }
  return null;
}

/** Splits [start, end) into `n` uncompressed CPU blocks where the first-page timestamps go back. */
function splitByTimestamps(src: ByteSource, start: number, end: number, n: number, pageSize: number, little: boolean): number[] {
  const cuts = [start];
  let last = 0n;
  for (let p = start; p + pageSize <= end && cuts.length < n; p += pageSize) {
    const b = src.read(p, 8);
    const ts = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, little);
    if (ts === 0n) continue;
    if (ts < last) cuts.push(p);
    last = ts;
  }
  return cuts;
}

/**
 * Fills `file.buffers` with the top buffer's CPU blocks found after `from` (the end of the last
 * options section read). Returns a description of what was recovered, or null when nothing was.
 */
export function recoverFlyrecord(src: ByteSource, file: TraceDatFile, from: number, stats: CpuStat[]): string | null {
  const fly = findFlyrecord(src, from, file.little);
  if (!fly) return null;
  const pageSize = file.headerPageSize;
  const n = file.options.cpuCount ?? stats.length;
  if (n <= 0) return null;
  const compressed = (fly.flags & 1) !== 0 && file.compression !== 'none';
  const cpus: CpuData[] = [];
  let pos = alignUp(fly.start, pageSize);
  let cutShort = false;
  let how = 'compressed chunk lists';
  if (compressed) {
    for (let cpu = 0; cpu < n && pos + 4 <= src.size; cpu++) {
      const count = u32(src, pos, file.little);
      if (count === null || count > MAX_CHUNKS) break;
      let p = pos + 4;
      for (let k = 0; k < count; k++) {
        const z = u32(src, p, file.little);
        // A chunk of zero compressed bytes cannot exist: garbage, not data (and no 8-byte crawl).
        if (z === null || z === 0 || p + 8 + z > src.size) {
          cutShort = true;
          break;
        }
        p += 8 + z;
      }
      // trace-cmd records a compressed block's size without its u32 count (page-source.ts).
      cpus.push({ cpu: stats.length === n ? stats[cpu].cpu : cpu, offset: pos, size: (cutShort ? src.size : p) - pos - 4 });
      if (cutShort) break;
      pos = alignUp(p, pageSize);
    }
  } else {
    const byStats = stats.length === n && stats.every((s) => s.bytes > 0 && s.bytes % pageSize === 0);
    how = byStats ? 'CPUSTAT byte counts' : 'page timestamps';
    const starts = byStats
      ? stats.map((_, k) => pos + stats.slice(0, k).reduce((a, s) => a + s.bytes, 0))
      : splitByTimestamps(src, pos, src.size, n, pageSize, file.little);
    starts.forEach((at, k) => {
      if (at >= src.size) return;
      const end = k + 1 < starts.length ? starts[k + 1] : byStats ? at + stats[k].bytes : src.size - ((src.size - at) % pageSize);
      if (end > src.size) cutShort = true;
      cpus.push({ cpu: byStats ? stats[k].cpu : k, offset: at, size: end - at });
    });
  }
  if (cpus.length === 0) return null;
  file.buffers.push({ name: '', clock: file.options.clock || 'local', pageSize, cpus, compressed });
  return `${cpus.length} of ${n} CPUs' data recovered by a linear walk (${how})${cutShort || cpus.length < n ? '; the data ends early' : ''}`;
}

