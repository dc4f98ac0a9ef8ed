// Test helper (not a test file): runs the installed `perf script` (perf 6.1) on a perf.data and
// parses its lines, and renders kvmtrace's events of the same file the same way, so a test can
// compare the two event by event.
//
// `perf script -f -F comm,tid,pid,cpu,time,event,trace --ns` line layout (perf 6.1, observed):
//
//   <comm %16s> <pid %5d>/<tid %-5d> [<cpu %03d>] <sec>.<9-digit ns>: <system:event right-aligned>: <payload>
//
// comm may hold spaces (`CPU 0/KVM`) and is the thread's name at the time of the sample (":<tid>"
// for a thread perf never saw named); the payload is the event's print fmt rendered by
// libtraceevent (perf's plugins included when installed). `-f` skips perf's file-owner check.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { makeRenderContext, renderPrintFmt } from '../../../src/ingest/tracedat/evaluate.js';
import type { EventFormat, FieldDef } from '../../../src/ingest/tracedat/format-parser.js';
import { parsePrintFmt, type ParsedPrintFmt } from '../../../src/ingest/tracedat/print-fmt.js';
import type { FieldValue } from '../../../src/ingest/tracedat/symbol-tables.js';
import { parseKallsyms, parsePrintkFormats } from '../../../src/ingest/tracedat/symbols.js';
import type { EventBatch } from '../../../src/model/event-batch.js';
import { fieldRange, readBigInt, readString } from '../../../src/model/field-access.js';
import type { PerfTraceSource } from '../../../src/ingest/perf/index.js';

export interface ScriptEvent {
  comm: string;
  pid: number;
  tid: number;
  cpu: number;
  /** Absolute ns. */
  ts: bigint;
  event: string;
  payload: string;
}

export function havePerf(): boolean {
  const r = spawnSync('perf', ['version'], { encoding: 'utf8' });
  return r.status === 0;
}

const LINE = /^\s*(.*?) +(-?\d+)\/(-?\d+) +\[(\d+)\] +(\d+)\.(\d{9}): +([\w-]+:[\w.-]+): (.*)$/s;

export function perfScript(path: string): ScriptEvent[] {
  const r = spawnSync('perf', ['script', '-f', '-i', path, '-F', 'comm,tid,pid,cpu,time,event,trace', '--ns'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`perf script failed (${r.status}): ${r.stderr}`);
  const out: ScriptEvent[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`unparsed perf script line: ${JSON.stringify(line)}`);
    out.push({
      comm: m[1],
      pid: Number(m[2]),
      tid: Number(m[3]),
      cpu: Number(m[4]),
      ts: BigInt(m[5]) * 1_000_000_000n + BigInt(m[6]),
      event: m[7],
      payload: m[8],
    });
  }
  return out;
}

function fieldValue(b: EventBatch, i: number, f: FieldDef): FieldValue {
  if (f.isString) return readString(b, i, f);
  if (f.isArray || f.dynamic !== 'none') {
    const [s, e] = fieldRange(b, i, f);
    return b.data.slice(s, e);
  }
  return readBigInt(b, i, f);
}

/**
 * The kernel symbols perf script resolves %ps/%pS with: perf writes no kallsyms into the tracing
 * data, so perf uses the running kernel's (/proc/kallsyms, readable as root). Empty when unreadable.
 */
export function hostKallsyms(): string {
  try {
    return readFileSync('/proc/kallsyms', 'utf8');
  } catch {
    return '';
  }
}

/** kvmtrace's events of a perf source in the same shape (payload rendered from the print fmt). */
export function ourEvents(src: PerfTraceSource, kallsymsText = src.kallsyms): ScriptEvent[] {
  const parsed = new Map<EventFormat, ParsedPrintFmt>();
  const syms = parseKallsyms(kallsymsText);
  const printk = parsePrintkFormats(src.printk ?? '');
  const out: ScriptEvent[] = [];
  src.read((b) => {
    for (let i = 0; i < b.length; i++) {
      const fi = b.fmt[i];
      const fmt = fi >= 0 ? src.formats[fi] : undefined;
      let payload = `<unknown event id ${b.type[i]}>`;
      if (fmt) {
        let p = parsed.get(fmt);
        if (!p) parsed.set(fmt, (p = parsePrintFmt(fmt.printFmt)));
        const values = new Map<string, FieldValue>();
        for (const f of fmt.fields) values.set(f.name, fieldValue(b, i, f));
        const ctx = makeRenderContext(fmt, values, {
          longSize: src.meta.longSize,
          bigEndian: !src.meta.littleEndian,
          kallsyms: syms.size ? (a) => syms.lookup(a) : undefined,
          printk: (a) => printk.get(a),
        });
        payload = renderPrintFmt(p, ctx);
      }
      const tid = b.pid[i];
      out.push({
        comm: src.commOf(i),
        pid: src.pidOf(i),
        tid,
        cpu: b.cpu[i],
        ts: src.meta.baseNs + BigInt(b.ts[i]),
        event: fmt ? `${fmt.system}:${fmt.name}` : '?',
        payload,
      });
    }
  });
  return out;
}
