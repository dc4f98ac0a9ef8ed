// Streaming trace.dat writer (v6 and v7, optional zlib) for simulated kernel traces.
// Layout follows trace-cmd lib/trace-cmd/trace-output.c (tracecmd_output_create, write_options_v6/_v7,
// tcmd_out_write_section_header, tcmd_out_write_cpu_data, tcmd_out_add_buffer_option,
// tcmd_out_copy_fd_compress) as summarised in /work/shared/reference/trace-formats.md §1 and §2.
// Events are encoded into ring-buffer pages per (instance, CPU) as they arrive (page-writer.ts) and
// spooled to temp files; finish() assembles the file, so memory stays bounded for multi-GB outputs.
//
// longSize is the *kernel* long size: it sets the header_page commit size, the page data offset
// (12 or 16) and the width of the stored missed-event count. Event formats are written verbatim, so
// `long`/pointer field widths are whatever the format files say (they are explicit in `size:`).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PageWriter } from './page-writer.js';
import { PayloadEncoder } from '../model/payload-encoder.js';
import type { FieldValue } from '../model/payload-encoder.js';
import type { FormatSet } from './format-set.js';
import { assemble } from './tracedat-assemble.js';

export interface SimEvent {
  cpu: number;
  /** Raw trace-clock units (ns for local/global/mono..., cycles for x86-tsc). */
  ts: bigint;
  /** `sched_switch` or `sched/sched_switch`. */
  event: string;
  pid: number;
  /** Field values; missing fields are 0 / empty. */
  values?: Record<string, FieldValue>;
  flags?: number;
  preemptCount?: number;
}

export interface InstanceOptions {
  name: string;
  clock?: string;
  /** v7 only: sub-buffer size of this instance (v6 has one page size for all). */
  pageSize?: number;
}

export interface WriterOptions {
  version: 6 | 7;
  compression?: 'none' | 'zlib';
  /** Version string stored with zlib (trace-cmd checks the major number only). */
  compressionVersion?: string;
  bigEndian?: boolean;
  /** Kernel long size (header_page commit size). Default 8. */
  longSize?: 4 | 8;
  /** The file header's user-space long size byte. Default = longSize. */
  userLongSize?: 4 | 8;
  /** Sub-buffer size of the top instance. Default 4096. */
  pageSize?: number;
  /** Type_len 0 with 8-byte alignment for every data record (RB_FORCE_8BYTE_ALIGNMENT). */
  force8ByteAlign?: boolean;
  clock?: string;
  tsc2nsec?: { mult: number; shift: number; offset?: bigint };
  cmdlines?: Array<[number, string]>;
  kallsyms?: string;
  printk?: string;
  uname?: string;
  traceCmdVersion?: string;
  cpus: number;
  instances?: InstanceOptions[];
  /** Extra options appended to the (first) options list: raw payloads. */
  extraOptions?: Array<{ id: number; data: Uint8Array }>;
  /** v7: split options into two chained sections (metadata first, BUFFER options after the data). Default true. */
  chainOptions?: boolean;
  /** zlib level for v7 compression (default 6). */
  zlibLevel?: number;
  /** Temp directory for spooled pages (default: a fresh dir under os.tmpdir()). */
  tmpDir?: string;
  /** Per-CPU in-memory page buffer before spilling (default 4 MiB). */
  spoolBytes?: number;
}

export interface InstanceState {
  name: string;
  clock: string;
  pageSize: number;
  cpus: Array<PageWriter | null>;
}

export class TraceDatWriter {
  readonly formats: FormatSet;
  readonly opts: WriterOptions;
  readonly instances = new Map<string, InstanceState>();
  private readonly encoders = new Map<string, PayloadEncoder>();
  private readonly tmp: string;
  private finished = false;

  constructor(formats: FormatSet, opts: WriterOptions) {
    this.formats = formats;
    this.opts = opts;
    if (opts.version !== 6 && opts.version !== 7) throw new Error(`unsupported version ${opts.version}`);
    if (opts.version === 6 && opts.compression && opts.compression !== 'none') throw new Error('v6 files cannot be compressed');
    const pageSize = opts.pageSize ?? 4096;
    this.tmp = opts.tmpDir ? mkdtempSync(join(opts.tmpDir, 'sim-')) : mkdtempSync(join(tmpdir(), 'kvmtrace-sim-'));
    this.instances.set('', { name: '', clock: opts.clock ?? 'local', pageSize, cpus: new Array(opts.cpus).fill(null) });
    for (const i of opts.instances ?? []) {
      if (!i.name) throw new Error('instance name must not be empty');
      const ps = i.pageSize ?? pageSize;
      if (opts.version === 6 && ps !== pageSize) throw new Error('v6 cannot store a per-instance page size');
      this.instances.set(i.name, { name: i.name, clock: i.clock ?? opts.clock ?? 'local', pageSize: ps, cpus: new Array(opts.cpus).fill(null) });
    }
  }

  /** The page writer of one CPU (created on first use). */
  cpuWriter(cpu: number, instance = ''): PageWriter {
    const inst = this.instances.get(instance);
    if (!inst) throw new Error(`unknown instance '${instance}'`);
    if (!(cpu >= 0 && cpu < this.opts.cpus)) throw new Error(`cpu ${cpu} out of range 0..${this.opts.cpus - 1}`);
    let w = inst.cpus[cpu];
    if (!w) {
      w = new PageWriter(
        { pageSize: inst.pageSize, longSize: this.opts.longSize ?? 8, bigEndian: !!this.opts.bigEndian,
          force8ByteAlign: this.opts.force8ByteAlign, tmpDir: this.tmp, spoolBytes: this.opts.spoolBytes },
        `${inst.name ? `i${[...this.instances.keys()].indexOf(instance)}-` : ''}cpu${cpu}.pages`,
      );
      inst.cpus[cpu] = w;
    }
    return w;
  }

  /** Payload encoder for an event name (`name` or `system/name`), cached. */
  encoder(event: string): PayloadEncoder {
    let e = this.encoders.get(event);
    if (!e) {
      const ff = this.formats.byName.get(event);
      if (!ff) throw new Error(`no format for event '${event}'`);
      e = new PayloadEncoder(ff.format, !!this.opts.bigEndian);
      this.encoders.set(event, e);
    }
    return e;
  }

  add(ev: SimEvent, instance = ''): void {
    const e = this.encoder(ev.event);
    const len = e.encode(ev.values, ev.pid, ev.flags ?? 0, ev.preemptCount ?? 0);
    this.cpuWriter(ev.cpu, instance).addEvent(ev.ts, e.buf, len);
  }

  /** Fast path: an already-encoded payload (common fields included); `ts` may be a number below 2^53. */
  addRaw(cpu: number, ts: bigint | number, payload: Uint8Array, len = payload.length, instance = ''): void {
    this.cpuWriter(cpu, instance).addEvent(ts, payload, len);
  }

  addMissedEvents(cpu: number, count: number | 'unknown', instance = ''): void {
    this.cpuWriter(cpu, instance).markMissed(count);
  }

  /** A discarded event (type_len 29) at absolute time `ts`, `payloadBytes` long. */
  addPadding(cpu: number, ts: bigint, payloadBytes = 8, instance = ''): void {
    this.cpuWriter(cpu, instance).addPadding(ts, payloadBytes);
  }

  addAbsoluteTimestamp(cpu: number, ts: bigint, instance = ''): void {
    this.cpuWriter(cpu, instance).addAbsoluteTimestamp(ts);
  }

  async finish(path: string): Promise<void> {
    this.finishSync(path);
  }

  finishSync(path: string): void {
    if (this.finished) throw new Error('finish() called twice');
    this.finished = true;
    try {
      for (const inst of this.instances.values()) for (const w of inst.cpus) w?.finish();
      assemble(path, this);
    } finally {
      rmSync(this.tmp, { recursive: true, force: true });
    }
  }
}
