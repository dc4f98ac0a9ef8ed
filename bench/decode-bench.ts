// `npm run bench`: kvmtrace's trace.dat decoding against `trace-cmd report > /dev/null` on the same
// files, in the same run, as ratios (absolute times on these machines are noisy).
// Inputs are generated, never committed: a KVM-host load written by the simulator as an uncompressed
// v6 file (KVMTRACE_BENCH_MB, default 300 MB) and its v7-zstd conversion by `trace-cmd convert`.
// Targets (issue 2): v6 uncompressed ≥ 10× faster than trace-cmd report, v7 zstd ≥ 5×.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decode, sh } from './common.js';
import { generateKvmLoad } from '../src/sim/generate-kvm-load.js';

const DIR = process.env.KVMTRACE_BENCH_DIR ?? 'bench/data';
const MB = Number(process.env.KVMTRACE_BENCH_MB ?? 300);
const V6 = join(DIR, `kvm-load-${MB}mb-v6.dat`);
export const V7Z = join(DIR, `kvm-load-${MB}mb-v7-zstd.dat`);

async function prepare(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  if (!existsSync(V6)) {
    process.stderr.write(`generating ${V6} (${MB} MB)...\n`);
    const r = await generateKvmLoad({ path: V6, targetBytes: MB * 1024 * 1024, cpus: 8, vcpus: 8, seed: 7, writer: { version: 6 } });
    process.stderr.write(`  ${r.events} events at ${r.mbPerSec.toFixed(0)} MB/s\n`);
  }
  if (!existsSync(V7Z)) {
    process.stderr.write(`converting to ${V7Z}...\n`);
    const c = sh(`trace-cmd convert -i ${V6} -o ${V7Z} --file-version 7 --compression zstd`);
    if (!c.ok) throw new Error(`trace-cmd convert failed: ${c.err}`);
  }
}

export interface Row { file: string; mb: number; events: number; ours: number; theirs: number; ratio: number; target: number }

export async function runDecodeBench(): Promise<Row[]> {
  if (spawnSync('trace-cmd', ['--version']).error) {
    console.error('bench needs trace-cmd (apt-get install trace-cmd)');
    process.exitCode = 2;
    return [];
  }
  await prepare();
  const rows: Row[] = [];
  for (const [file, target] of [[V6, 10], [V7Z, 5]] as Array<[string, number]>) {
    const mb = statSync(file).size / (1024 * 1024);
    decode(file); // warm the page cache and the JIT
    const a = decode(file);
    const b = decode(file);
    const ours = Math.min(a.seconds, b.seconds);
    const tc = sh(`trace-cmd report ${file} > /dev/null`);
    if (!tc.ok) throw new Error(`trace-cmd report failed on ${file}: ${tc.err}`);
    rows.push({ file, mb, events: a.events, ours, theirs: tc.seconds, ratio: tc.seconds / ours, target });
  }
  console.log(`kvmtrace decode vs trace-cmd report (${new Date().toISOString()}, node ${process.version})`);
  console.log('file'.padEnd(42), 'MB'.padStart(7), 'events'.padStart(11), 'kvmtrace s'.padStart(11), 'Mev/s'.padStart(7), 'MB/s'.padStart(7), 'trace-cmd s'.padStart(12), 'ratio'.padStart(7), ' target');
  let ok = true;
  for (const r of rows) {
    const pass = r.ratio >= r.target;
    ok &&= pass;
    console.log(
      r.file.padEnd(42), r.mb.toFixed(0).padStart(7), String(r.events).padStart(11), r.ours.toFixed(2).padStart(11),
      (r.events / r.ours / 1e6).toFixed(2).padStart(7), (r.mb / r.ours).toFixed(0).padStart(7), r.theirs.toFixed(2).padStart(12),
      `${r.ratio.toFixed(1)}x`.padStart(7), ` ≥${r.target}x ${pass ? 'met' : 'NOT MET'}`,
    );
  }
  process.exitCode = ok ? 0 : 1;
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runDecodeBench();
