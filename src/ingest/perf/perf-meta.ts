// What `kvmtrace info` and the report header show of a perf.data: mode, perf version, endianness,
// events, compression, the header features (host, OS release, CPUs, memory, command line,
// topology, NUMA nodes, LLC groups; tools/perf/util/header.c, perf 6.1) and the tracing data.
import type { TraceMeta } from '../../model/trace-source.js';
import { FEATURE_NAMES } from './constants.js';
import { llcGroups } from './features.js';
import type { PerfFile } from './open.js';
import type { TracingData } from './tracing-data.js';

export function perfMeta(file: PerfFile, tracing: TracingData | undefined, cpuMax: number, baseNs: bigint): TraceMeta {
  const features = file.features;
  const t = features.topology;
  const compressed = features.compressed ? `zstd (level ${features.compressed.level})` : 'none';
  const hostname = features.hostname;
  const uname = features.osrelease ? ['Linux', hostname ?? '', features.osrelease, features.arch ?? ''].filter((x) => x).join(' ') : undefined;
  const details: Array<[string, string]> = [
    ['mode', file.pipe ? 'pipe' : 'file'],
    ['perf version', features.version ?? 'unknown'],
    ['endianness', file.little ? 'little' : 'big'],
    ['data', `${file.dataEnd - file.dataStart} bytes at ${file.dataStart}${file.unfinished ? ' (header says 0: unfinished recording)' : ''}`],
    ['events', file.attrs.map((a) => a.name).join(', ')],
    ['compression', compressed],
    ['features', features.seen.map((b) => FEATURE_NAMES[b] ?? `#${b}`).join(', ') || 'none'],
  ];
  if (hostname) details.push(['hostname', hostname]);
  if (features.osrelease) details.push(['os release', features.osrelease]);
  if (features.arch) details.push(['arch', features.arch]);
  if (features.cpudesc) details.push(['cpu', features.cpudesc]);
  if (features.nrCpusAvail !== undefined) details.push(['cpus', `${features.nrCpusOnline} online, ${features.nrCpusAvail} available`]);
  if (features.totalMemKb !== undefined) details.push(['total memory', `${features.totalMemKb} kB`]);
  if (features.cmdline) details.push(['cmdline', features.cmdline.join(' ')]);
  if (t) {
    if (t.cpus.length) details.push(['topology', t.cpus.map((c) => `cpu${c.cpu}=socket ${c.socket}${c.die >= 0 ? ` die ${c.die}` : ''} core ${c.core}`).join(', ')]);
    if (t.packages.length) details.push(['packages', t.packages.join(' | ')]);
    if (t.cores.length) details.push(['cores (thread siblings)', t.cores.join(' | ')]);
    if (t.numa) details.push(['NUMA nodes', t.numa.map((n) => `node${n.node}: cpus ${n.cpus.join(',')} (${n.memTotalKb} kB)`).join('; ')]);
    const llc = llcGroups(t);
    if (llc.length) details.push(['LLC groups', llc.map((g) => g.join(',')).join(' | ')]);
  }
  if (tracing) {
    details.push(['tracing data', `version ${tracing.version}, ${tracing.formats.length} event formats, kernel long ${tracing.kernelLongSize}, page ${tracing.pageSize}`]);
  }
  return {
    format: 'perf.data',
    version: features.version ?? (file.pipe ? 'pipe' : 'file'),
    compression: compressed,
    cpus: Math.max(features.nrCpusAvail ?? 0, cpuMax + 1, 1),
    clock: 'perf',
    clockIsNs: true,
    baseNs,
    buffer: '',
    buffers: [''],
    hostname,
    uname,
    osrelease: features.osrelease,
    cmdline: features.cmdline?.join(' '),
    nrCpusAvail: features.nrCpusAvail,
    nrCpusOnline: features.nrCpusOnline,
    topology: t,
    littleEndian: tracing?.little ?? file.little,
    longSize: tracing?.kernelLongSize ?? 8,
    pageSize: tracing?.pageSize,
    details,
  };
}
