// Memory and linear time (`npm run bench -- scale`, or `node dist/bench/scale-bench.js`): the
// simulator writes KVM-host trace.dat files of 0.25, 1 and 4 GiB (KVMTRACE_SCALE_GIB, comma-separated;
// v7 uncompressed, 8 CPUs, so the 4 GiB file has CPU data and its options section past the 4 GiB
// offset), then each is analyzed end to end (`kvmtrace analyze`, own process: decode, every analysis,
// verdicts, HTML + JSON + Markdown) with wall time, CPU time and peak RSS, checking that the report
// counts every event the generator wrote. Targets (issue 7): peak RSS under
// 1 GiB at 4 GiB, time per GiB about constant. The files are deleted afterwards (they are big;
// KVMTRACE_SCALE_KEEP=1 keeps them under bench/data/, which git ignores).
import { mkdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateKvmLoad } from '../src/sim/generate-kvm-load.js';
import { analyzeRun } from './common.js';

const DIR = process.env.KVMTRACE_BENCH_DIR ?? 'bench/data';
const GIB = 1024 ** 3;

export interface ScaleRow { gib: number; bytes: number; events: number; seconds: number; cpu: number | null; rssMb: number | null; secPerGib: number; cpuPerGib: number | null }

export async function runScaleBench(): Promise<ScaleRow[]> {
  const sizes = (process.env.KVMTRACE_SCALE_GIB ?? '0.25,1,4').split(',').map(Number).filter((x) => x > 0);
  mkdirSync(DIR, { recursive: true });
  const rows: ScaleRow[] = [];
  for (const gib of sizes) {
    const fs = statfsSync(DIR);
    if (fs.bavail * fs.bsize < gib * GIB * 1.2 + 2 * GIB) throw new Error(`not enough free disk under ${DIR} for a ${gib} GiB trace`);
    const path = join(DIR, `scale-${gib}gib-v7.dat`);
    process.stderr.write(`generating ${path}...\n`);
    const g = await generateKvmLoad({ path, targetBytes: gib * GIB, cpus: 8, vcpus: 8, seed: 21, writer: { version: 7 } });
    try {
      const bytes = statSync(path).size;
      process.stderr.write(`  ${g.events} events, ${(bytes / GIB).toFixed(2)} GiB; analyzing...\n`);
      const r = analyzeRun(path);
      if (!r.ok) throw new Error(`kvmtrace analyze failed on ${path}: ${r.err}`);
      if (r.events !== g.events) throw new Error(`kvmtrace analyzed ${r.events} events of ${path}; the generator wrote ${g.events}`);
      const g2 = bytes / GIB;
      rows.push({ gib, bytes, events: g.events, seconds: r.seconds, cpu: r.cpuSeconds, rssMb: r.maxRssMb, secPerGib: r.seconds / g2, cpuPerGib: r.cpuSeconds === null ? null : r.cpuSeconds / g2 });
    } finally {
      if (process.env.KVMTRACE_SCALE_KEEP !== '1') rmSync(path, { force: true });
    }
  }
  console.log(`kvmtrace analyze on simulator traces (v7, uncompressed, 8 CPUs) (${new Date().toISOString()}, node ${process.version})`);
  console.log('| trace.dat | events | kvmtrace analyze (wall) | wall s per GiB | CPU time (all threads) | CPU s per GiB | peak RSS |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${(r.bytes / GIB).toFixed(2)} GiB (${r.bytes.toLocaleString('en-US')} B) | ${r.events.toLocaleString('en-US')} | ${r.seconds.toFixed(1)} s | ${r.secPerGib.toFixed(1)} | ${r.cpu === null ? '—' : `${r.cpu.toFixed(1)} s`} | ${r.cpuPerGib === null ? '—' : r.cpuPerGib.toFixed(1)} | ${r.rssMb === null ? '—' : `${r.rssMb.toFixed(0)} MiB`} |`);
  }
  const big = rows.at(-1);
  if (big && big.rssMb !== null && big.gib >= 4 && big.rssMb >= 1024) {
    console.log(`peak RSS ${big.rssMb.toFixed(0)} MiB at ${big.gib} GiB: over the 1 GiB target`);
    process.exitCode = 1;
  }
  if (rows.length > 1) {
    const a = rows[0];
    const z = rows.at(-1)!;
    const cpu = a.cpuPerGib && z.cpuPerGib ? `, CPU time ${(z.cpuPerGib / a.cpuPerGib).toFixed(2)}` : '';
    console.log(`per GiB, largest / smallest: wall time ${(z.secPerGib / a.secPerGib).toFixed(2)}${cpu} (1.00 = linear)`);
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runScaleBench();
