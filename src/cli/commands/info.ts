// `kvmtrace info FILE`: what the file is (version, compression, clock, CPUs, buffers, formats)
// and how many events of each kind it holds.
import type { Writable } from 'node:stream';
import { EventCounts } from '../../analyze/event-counts.js';
import { runAnalyses } from '../../analyze/run.js';
import { openInput } from '../../ingest/index.js';
import { escapeTerm } from '../../report/escape.js';
import { fmtCount } from '../../report/text.js';
import { formatTs } from '../format-ts.js';

export function info(file: string, out: Writable, buffer?: string): void {
  const src = openInput(file, { buffer });
  try {
    const counts = new EventCounts();
    runAnalyses(src, [counts]);
    const r = counts.finish();
    const m = src.meta;
    const lines: string[] = [];
    const kv = (k: string, v: string) => lines.push(`${k.padEnd(20)} ${escapeTerm(v)}`);
    kv('file', file);
    kv('format', m.version ? `${m.format} v${m.version}` : m.format);
    for (const [k, v] of m.details) kv(k, v);
    kv('clock', m.clock + (m.clockIsNs ? '' : ' (raw counts, not ns)'));
    kv('CPUs', String(m.cpus));
    kv('buffers', m.buffers.map((b) => (b === '' ? '(top)' : b)).join(', ') + (m.buffer ? `; reading "${m.buffer}"` : ''));
    if (m.uname) kv('uname', m.uname);
    kv('events', fmtCount(r.events));
    if (r.events > 0) kv("span", `${formatTs(m, r.firstTs)} .. ${formatTs(m, r.lastTs)}`);
    const lost = src.lost.reduce((s, l) => s + Math.max(0, l.count), 0);
    kv('lost events', String(lost) + (src.lost.some((l) => l.count < 0) ? ' (+ unknown)' : ''));
    kv('formats', `${src.formats.length} (${[...new Set(src.formats.map((f) => f.system))].join(', ')})`);
    lines.push('', 'events per tracepoint:');
    for (const e of r.byEvent) lines.push(`  ${escapeTerm(e.event).padEnd(36)} ${fmtCount(e.count).padStart(12)}`);
    lines.push('', 'events per CPU:');
    for (const c of r.byCpu) lines.push(`  CPU ${String(c.cpu).padEnd(4)} ${fmtCount(c.count).padStart(12)}`);
    for (const d of src.diag.list()) lines.push(`${d.severity}: ${escapeTerm(d.message)}${d.count > 1 ? ` (×${d.count})` : ''}`);
    out.write(lines.join('\n') + '\n');
  } finally {
    src.close();
  }
}
