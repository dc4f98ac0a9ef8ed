// perf.data header features (file mode: the section table after the data; pipe mode:
// HEADER_FEATURE records): host facts and the CPU/NUMA/cache topology.
// Upstream: tools/perf/util/header.c process_* functions; trace-formats.md §5.9–§5.10, P19.
import { InputError } from '../../diag/errors.js';
import type { CpuTopology } from '../../model/trace-source.js';
import type { Cursor } from '../io/cursor.js';
import { FEAT } from './constants.js';

const MAX_STRING = 1 << 20;
const MAX_LIST = 1 << 16;

export interface PerfFeatures {
  hostname?: string;
  osrelease?: string;
  version?: string;
  arch?: string;
  cpudesc?: string;
  cpuid?: string;
  totalMemKb?: number;
  nrCpusAvail?: number;
  nrCpusOnline?: number;
  cmdline?: string[];
  /** EVENT_DESC: event name per sample id (as decimal string keys of the id). */
  eventNames: Map<bigint, string>;
  topology?: CpuTopology;
  sampleTime?: { first: bigint; last: bigint };
  compressed?: { version: number; type: number; level: number; ratio: number; mmapLen: number };
  clockResNs?: bigint;
  clockData?: { clockid: number; todNs: bigint; clockidNs: bigint };
  pmuMappings?: Array<[number, string]>;
  /** Feature bits seen, in order. */
  seen: number[];
}

export function emptyFeatures(): PerfFeatures {
  return { eventNames: new Map(), seen: [] };
}

/** perf_header_string: u32 len (NUL included, padded to 64), text up to the first NUL. */
export function readHeaderString(c: Cursor, what: string): string {
  const at = c.pos;
  const n = c.u32(`${what} length`);
  if (n > MAX_STRING) throw new InputError(`${what} of ${n} bytes is implausible`, at);
  const b = c.bytes(n, what);
  const z = b.indexOf(0);
  return new TextDecoder().decode(z >= 0 ? b.subarray(0, z) : b);
}

function readStringList(c: Cursor, what: string): string[] {
  const at = c.pos;
  const n = c.u32(`${what} count`);
  if (n > MAX_LIST) throw new InputError(`${what} count ${n} is implausible`, at);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(readHeaderString(c, what));
  return out;
}

/** A kernel cpulist (`0-3,8,10-11`) → CPU numbers. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    for (let x = a; x <= b && out.length < MAX_LIST; x++) out.push(x);
  }
  return out;
}

function topo(f: PerfFeatures): CpuTopology {
  f.topology ??= { cpus: [], packages: [], cores: [] };
  return f.topology;
}

/** Parses one feature payload; `c` is limited to the section. Unknown features are ignored. */
export function parseFeature(bit: number, c: Cursor, f: PerfFeatures): void {
  f.seen.push(bit);
  switch (bit) {
    case FEAT.HOSTNAME: f.hostname = readHeaderString(c, 'hostname'); break;
    case FEAT.OSRELEASE: f.osrelease = readHeaderString(c, 'osrelease'); break;
    case FEAT.VERSION: f.version = readHeaderString(c, 'perf version'); break;
    case FEAT.ARCH: f.arch = readHeaderString(c, 'arch'); break;
    case FEAT.CPUDESC: f.cpudesc = readHeaderString(c, 'cpudesc'); break;
    case FEAT.CPUID: f.cpuid = readHeaderString(c, 'cpuid'); break;
    case FEAT.TOTAL_MEM: f.totalMemKb = c.u64('total memory'); break;
    case FEAT.NRCPUS:
      // Written as nr_cpus_avail (present) first, then nr_cpus_online (P19).
      f.nrCpusAvail = c.u32('nr_cpus_avail');
      f.nrCpusOnline = c.u32('nr_cpus_online');
      if (f.nrCpusAvail > 1 << 16) f.nrCpusAvail = f.nrCpusOnline = undefined; // damaged: it would size per-CPU tables
      break;
    case FEAT.CMDLINE: f.cmdline = readStringList(c, 'cmdline'); break;
    case FEAT.EVENT_DESC: {
      const at = c.pos;
      const n = c.u32('event count');
      const sz = c.u32('attr size');
      if (n > MAX_LIST || sz < 64 || sz > 4096) throw new InputError(`EVENT_DESC with ${n} events of attr size ${sz} is implausible`, at);
      for (let i = 0; i < n; i++) {
        c.skip(sz, 'EVENT_DESC attr');
        const nrIds = c.u32('EVENT_DESC id count');
        const name = readHeaderString(c, 'event name');
        if (nrIds * 8 > c.remaining) throw new InputError(`EVENT_DESC ${nrIds} ids run past the section`, c.pos);
        for (let k = 0; k < nrIds; k++) f.eventNames.set(c.u64big('event id'), name);
      }
      break;
    }
    case FEAT.CPU_TOPOLOGY: {
      const t = topo(f);
      t.packages = readStringList(c, 'core siblings');
      t.cores = readStringList(c, 'thread siblings');
      const n = f.nrCpusAvail ?? 0;
      if (n > 0 && c.remaining >= n * 8) {
        t.cpus = [];
        for (let i = 0; i < n; i++) {
          const core = c.u32('core id');
          const socket = c.u32('socket id');
          t.cpus.push({ cpu: i, core, socket, die: -1 });
        }
        if (c.remaining >= 4) {
          t.dies = readStringList(c, 'die siblings');
          if (c.remaining >= n * 4) for (let i = 0; i < n; i++) t.cpus[i].die = c.u32('die id');
        }
      }
      break;
    }
    case FEAT.NUMA_TOPOLOGY: {
      const at = c.pos;
      const n = c.u32('NUMA node count');
      if (n > MAX_LIST) throw new InputError(`NUMA node count ${n} is implausible`, at);
      const nodes: NonNullable<CpuTopology['numa']> = [];
      for (let i = 0; i < n; i++) {
        const node = c.u32('node id');
        const memTotalKb = c.u64('node mem total');
        const memFreeKb = c.u64('node mem free');
        nodes.push({ node, memTotalKb, memFreeKb, cpus: parseCpuList(readHeaderString(c, 'node cpus')) });
      }
      topo(f).numa = nodes;
      break;
    }
    case FEAT.CACHE: {
      const at = c.pos;
      c.u32('cache version');
      const n = c.u32('cache count');
      if (n > MAX_LIST) throw new InputError(`cache count ${n} is implausible`, at);
      const caches: NonNullable<CpuTopology['caches']> = [];
      for (let i = 0; i < n; i++) {
        const level = c.u32('cache level');
        const lineSize = c.u32('cache line size');
        const sets = c.u32('cache sets');
        const ways = c.u32('cache ways');
        const type = readHeaderString(c, 'cache type');
        const size = readHeaderString(c, 'cache size');
        const map = readHeaderString(c, 'cache map');
        caches.push({ level, type, size, lineSize, sets, ways, cpus: parseCpuList(map) });
      }
      topo(f).caches = caches;
      break;
    }
    case FEAT.SAMPLE_TIME: f.sampleTime = { first: c.u64big('first sample time'), last: c.u64big('last sample time') }; break;
    case FEAT.COMPRESSED:
      f.compressed = { version: c.u32(), type: c.u32(), level: c.u32(), ratio: c.u32(), mmapLen: c.u32() };
      break;
    case FEAT.CLOCKID: f.clockResNs = c.u64big('clock resolution'); break;
    case FEAT.CLOCK_DATA: {
      c.u32('clock data version');
      f.clockData = { clockid: c.u32('clockid'), todNs: c.u64big('tod ns'), clockidNs: c.u64big('clockid ns') };
      break;
    }
    case FEAT.PMU_MAPPINGS: {
      const n = c.u32('pmu count');
      if (n > MAX_LIST) break;
      f.pmuMappings = [];
      for (let i = 0; i < n; i++) {
        const type = c.u32('pmu type');
        f.pmuMappings.push([type, readHeaderString(c, 'pmu name')]);
      }
      break;
    }
    default:
      break;
  }
}

/** The last-level cache groups: the highest level's distinct CPU sets. */
export function llcGroups(t: CpuTopology | undefined): number[][] {
  const caches = t?.caches ?? [];
  if (caches.length === 0) return [];
  const top = Math.max(...caches.map((x) => x.level));
  const seen = new Set<string>();
  const out: number[][] = [];
  for (const x of caches) {
    if (x.level !== top) continue;
    const k = x.cpus.join(',');
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x.cpus);
  }
  return out;
}
