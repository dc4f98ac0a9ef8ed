// Test helper (not a test file): runs the installed `trace-cmd` (3.1.x) on a trace.dat and parses
// what it prints, so tests can cross-check our own decoder against trace-cmd + libtraceevent.
//
// `trace-cmd report -R -t` line layout, as observed with trace-cmd 3.1.6 / libtraceevent 1.7.1
// (see fixtures/README.md for verbatim examples):
//
//   [<buffer>: ]<comm %16s>-<pid %-5d> [<cpu %03d>] <ts>: <event>:<pad> <f1>=<v1> <f2>=<v2> ...
//
// * First line is `cpus=<N>` (the file's CPU count).
// * comm is right-aligned to 16 columns and may contain spaces (`CPU 0/KVM`), dashes, slashes,
//   colons (`kworker/1:1`, `memfd:sealed-91`), `<idle>` (pid 0) or `<...>` (pid without a saved comm).
//   The pid is the LAST `-<digits>` before `  [`.
// * <ts> with -t: `<sec>.<9-digit ns>` for nanosecond clocks (local, global, mono, boot, ...). For
//   counter clocks (x86-tsc, counter) trace-cmd prints the raw counter as one integer with NO dot,
//   right-aligned in 13 columns with no separating space when it has 13+ digits: `[000]4275369287556:`.
// * Files with more than one buffer (instance) prefix EVERY line with a column `<name>: ` for
//   instance lines and the same width of spaces for top-buffer lines. Lines without a buffer prefix
//   always start with a space (comm is at most 15 chars, right-aligned in 16 columns).
// * The event name is bare (no `system:`), followed by `:` and padding to 20 columns. Each field is
//   then printed as ` <name>=<value>` in the order of the event's format (common_* fields omitted).
// * Values (libtraceevent print_field / print_field_raw): if the field is consumed, in order, by a
//   conversion of the event's print fmt, that conversion is used (`target_cpu=%03d` -> `000`,
//   `%ps` -> symbol name `function=posix_timer_fn`, `0x%x` -> `port=0x43`, `%p` -> `0x...` or `(nil)`);
//   otherwise the raw rule: strings/char arrays as text (may contain spaces and `=`), non-string
//   arrays `ARRAY[aa, bb, ...]`, pointers and (unsigned) longs as `0x%llx`, signed 4-byte `%d`
//   (negative: `errno=-4`), signed 2-byte `%2d` (single digits get a LEADING SPACE), 8-byte `%lld`,
//   other unsigned `%llu`. Newer libtraceevent (>1.7) may print `%ps` in raw mode as `sym (0x...)`.
// * Lost events: a separate line `CPU:<n> [<count> EVENTS DROPPED]` (or `CPU:<n> [EVENTS DROPPED]`
//   when the count is unknown) printed right before the first record read after the gap.
// * A string value that itself contains a newline continues on the next output line(s); such
//   continuation lines are appended (with `\n`) to the last field of the previous record.
//
// Field-splitting rule: when the event's field names are known (traceCmdRaw reads them from the
// file with `trace-cmd dump --events --ftrace-events`), field i's value runs from after `<name_i>=`
// to the FIRST following ` <name_{i+1}>=`; the last field takes the rest of the line. This is exact
// unless a non-last string value contains the literal text ` <next field name>=`. Without known
// names (or when the known names do not match the line) the fallback is greedy: a value runs until
// the next ` <identifier>=` token, which mis-splits string values that contain ` word=`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface RawRecord {
  /** Instance (buffer) name; '' for the top-level buffer. */
  buffer: string;
  comm: string;
  pid: number;
  cpu: number;
  /** Exact: seconds*1e9 + ns for ns clocks; the raw counter value for x86-tsc/counter clocks. */
  ts: bigint;
  /** Bare event name as printed (no system prefix). */
  event: string;
  /** Field name -> value text exactly as printed (not trimmed), in format order. */
  fields: Map<string, string>;
}

export interface LostEvents {
  buffer: string;
  cpu: number;
  /** null when trace-cmd printed `[EVENTS DROPPED]` without a count. */
  count: number | null;
  /** Index (in `records`) of the record printed right after the marker. */
  beforeRecord: number;
}

export interface RawReport {
  /** From the leading `cpus=N` line; null if absent. */
  cpus: number | null;
  records: RawRecord[];
  lost: LostEvents[];
  /** Other non-record lines (e.g. `version = 6` from some trace-cmd versions), verbatim. */
  other: string[];
}

export interface ParseOptions {
  /** event name -> ordered non-common field names (one or more candidate layouts per name). */
  fieldNames?: ReadonlyMap<string, readonly (readonly string[])[]>;
}

const TRACE_CMD = 'trace-cmd';
const MAX_BUFFER = 1 << 30;

const HEADER =
  /^(?:(?<buf>[^\s:]+): )?\s*(?<comm>.*?)-(?<pid>\d+)\s+\[(?<cpu>\d+)\]\s*(?<ts>\d+(?:\.\d+)?):\s(?<event>[^\s:]+):(?<rest>.*)$/;
const LOST = /^\s*(?:(?<buf>[^\s:]+):\s*)?CPU:(?<cpu>\d+) \[(?:(?<count>\d+) )?EVENTS DROPPED\]\s*$/;
const KERNEL_LOST = /^\s*(?:(?<buf>[^\s:]+):\s*)?CPU:(?<cpu>\d+) \[LOST (?<count>\d+) EVENTS\]\s*$/;
const FIELD_TOKEN = /(?:^| )([A-Za-z_]\w*)=/g;

/** Runs trace-cmd; never throws on a non-zero exit. */
export function traceCmd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TRACE_CMD, args, { encoding: 'utf8', maxBuffer: MAX_BUFFER });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs trace-cmd and returns its stdout; throws with its stderr on failure. */
export function traceCmdOk(args: string[]): string {
  const r = traceCmd(args);
  if (r.status !== 0) {
    throw new Error(`trace-cmd ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}

let cachedVersion: string | null | undefined;

/** `trace-cmd --version` exits with 255 on 3.1.6, so look at the text instead of the status. */
export function traceCmdVersion(): string | null {
  if (cachedVersion !== undefined) return cachedVersion;
  const r = spawnSync(TRACE_CMD, ['--version'], { encoding: 'utf8' });
  const m = r.error ? null : /trace-cmd version (\S+)/.exec(`${r.stdout}\n${r.stderr}`);
  cachedVersion = m ? m[1] : null;
  return cachedVersion;
}

export function hasTraceCmd(): boolean {
  return traceCmdVersion() !== null;
}

export interface ConvertOptions {
  fileVersion?: 6 | 7;
  compression?: 'none' | 'zstd' | 'zlib';
}

/**
 * `trace-cmd convert -i src -o dst [--file-version V] [--compression C]`. Throws with trace-cmd's
 * stderr on failure. Note: the Debian trace-cmd 3.1.6 build only supports zstd
 * (`trace-cmd list -c`); zlib fails with "Compression algorithm  zlib is not supported".
 */
export function convertTrace(src: string, dst: string, opts: ConvertOptions = {}): void {
  const args = ['convert', '-i', src, '-o', dst];
  if (opts.fileVersion !== undefined) args.push('--file-version', String(opts.fileVersion));
  if (opts.compression !== undefined) args.push('--compression', opts.compression);
  const r = traceCmd(args);
  if (r.status !== 0 || !existsSync(dst)) {
    throw new Error(`trace-cmd ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  }
}

/** Compression algorithms this trace-cmd can write (from `trace-cmd list -c`). */
export function traceCmdCompressions(): string[] {
  const out = traceCmdOk(['list', '-c']);
  const names: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s+(\w+),/.exec(line);
    if (m) names.push(m[1]);
  }
  return names;
}

function parseTs(text: string): bigint {
  const dot = text.indexOf('.');
  if (dot < 0) return BigInt(text);
  const frac = text.slice(dot + 1);
  if (frac.length > 9) throw new Error(`timestamp with more than 9 fraction digits: ${text}`);
  return BigInt(text.slice(0, dot)) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
}

function splitGreedy(payload: string): Map<string, string> {
  const fields = new Map<string, string>();
  const starts: { name: string; nameAt: number; valueAt: number }[] = [];
  FIELD_TOKEN.lastIndex = 0;
  for (let m = FIELD_TOKEN.exec(payload); m; m = FIELD_TOKEN.exec(payload)) {
    const nameAt = m.index + (m[0].startsWith(' ') ? 1 : 0);
    starts.push({ name: m[1], nameAt, valueAt: m.index + m[0].length });
  }
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? starts[i + 1].nameAt - 1 : payload.length;
    fields.set(starts[i].name, payload.slice(starts[i].valueAt, end));
  }
  return fields;
}

function splitKnown(payload: string, names: readonly string[]): Map<string, string> | null {
  const fields = new Map<string, string>();
  let pos = 0;
  for (let i = 0; i < names.length; i++) {
    const key = `${names[i]}=`;
    if (!payload.startsWith(key, pos)) return null;
    const valueAt = pos + key.length;
    if (i + 1 === names.length) {
      fields.set(names[i], payload.slice(valueAt));
      pos = payload.length;
    } else {
      const next = payload.indexOf(` ${names[i + 1]}=`, valueAt);
      if (next < 0) return null;
      fields.set(names[i], payload.slice(valueAt, next));
      pos = next + 1;
    }
  }
  return pos === payload.length ? fields : null;
}

/** Splits the part after `event:` (leading padding already removed). */
export function splitRawFields(
  payload: string,
  candidates?: readonly (readonly string[])[],
): Map<string, string> {
  if (payload === '') return new Map();
  for (const names of candidates ?? []) {
    const f = splitKnown(payload, names);
    if (f) return f;
  }
  return splitGreedy(payload);
}

/** Full parse of `trace-cmd report -R -t` text: records, lost-event markers, cpus line. */
export function parseTraceCmdRawReport(text: string, opts: ParseOptions = {}): RawReport {
  const out: RawReport = { cpus: null, records: [], lost: [], other: [] };
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let last: RawRecord | null = null;
  // trace-cmd 3.1.6 prints an instance's name before its "EVENTS DROPPED" line and then omits it
  // from the event line that follows: that line belongs to the instance.
  let carry = '';
  for (const line of lines) {
    const h = HEADER.exec(line);
    if (h?.groups) {
      const g = h.groups;
      const payload = g.rest.replace(/^\s+/, '');
      const rec: RawRecord = {
        buffer: g.buf ?? carry,
        comm: g.comm,
        pid: Number(g.pid),
        cpu: Number(g.cpu),
        ts: parseTs(g.ts),
        event: g.event,
        fields: splitRawFields(payload, opts.fieldNames?.get(g.event)),
      };
      out.records.push(rec);
      last = rec;
      carry = '';
      continue;
    }
    const l = LOST.exec(line) ?? KERNEL_LOST.exec(line);
    if (l?.groups) {
      out.lost.push({
        buffer: l.groups.buf ?? '',
        cpu: Number(l.groups.cpu),
        count: l.groups.count !== undefined ? Number(l.groups.count) : null,
        beforeRecord: out.records.length,
      });
      carry = l.groups.buf ?? '';
      continue;
    }
    const c = /^cpus=(\d+)$/.exec(line);
    if (c && out.records.length === 0) {
      out.cpus = Number(c[1]);
      continue;
    }
    if (last && last.fields.size > 0) {
      // continuation of a string value that contained a newline
      const keys = [...last.fields.keys()];
      const k = keys[keys.length - 1];
      last.fields.set(k, `${last.fields.get(k)}\n${line}`);
      continue;
    }
    out.other.push(line);
  }
  return out;
}

/** Pure parser: the records of `trace-cmd report -R -t` text (lost markers dropped; see ...Report). */
export function parseTraceCmdRaw(text: string, opts: ParseOptions = {}): RawRecord[] {
  return parseTraceCmdRawReport(text, opts).records;
}

/**
 * Ordered non-common field names of every event format stored in the file, keyed by bare event
 * name (from `trace-cmd dump --events` and `--ftrace-events`). Several systems may share a name.
 */
export function traceCmdEventFields(file: string): Map<string, string[][]> {
  const text = `${traceCmdOk(['dump', '--ftrace-events', file])}\n${traceCmdOk(['dump', '--events', file])}`;
  return parseFormatFieldNames(text);
}

/** Parses concatenated tracefs `format` texts into event name -> [field names...] candidates. */
export function parseFormatFieldNames(text: string): Map<string, string[][]> {
  const map = new Map<string, string[][]>();
  let name: string | null = null;
  let fields: string[] = [];
  const flush = (): void => {
    if (name === null) return;
    const list = map.get(name) ?? [];
    if (!list.some((l) => l.join(' ') === fields.join(' '))) list.push(fields);
    map.set(name, list);
  };
  for (const line of text.split('\n')) {
    const n = /^name: (\S+)/.exec(line);
    if (n) {
      flush();
      name = n[1];
      fields = [];
      continue;
    }
    const f = /^\s*field:[^;]*?([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?;/.exec(line);
    if (f && name !== null && !f[1].startsWith('common_')) fields.push(f[1]);
  }
  flush();
  return map;
}

const fieldCache = new Map<string, Map<string, string[][]>>();

function fieldsFor(file: string): Map<string, string[][]> {
  let f = fieldCache.get(file);
  if (!f) {
    f = traceCmdEventFields(file);
    fieldCache.set(file, f);
  }
  return f;
}

/**
 * Runs `trace-cmd report -R -t [extraArgs] -i file` (raw field values, full-precision timestamps;
 * all buffers of the file are printed, instance lines prefixed `<name>: `) and parses it.
 * Useful extraArgs: `--cpu 0`, `-F 'sched_switch'`, `-N` (no plugins; -R output is identical).
 */
export function traceCmdRawReport(file: string, extraArgs: string[] = []): RawReport {
  const text = traceCmdOk(['report', '-R', '-t', ...extraArgs, '-i', file]);
  return parseTraceCmdRawReport(text, { fieldNames: fieldsFor(file) });
}

export function traceCmdRaw(file: string, extraArgs: string[] = []): RawRecord[] {
  return traceCmdRawReport(file, extraArgs).records;
}

export interface CpuBufferStat {
  /** '' for the top buffer. */
  buffer: string;
  cpu: number;
  entries: number;
  overrun: number;
  commitOverrun: number;
  bytes: number;
  /** As printed (µs precision for ns clocks, raw counter for x86-tsc). */
  oldestEventTs: string;
  nowTs: string;
  droppedEvents: number;
  readEvents: number;
}

export interface TraceCmdStats {
  cpus: number | null;
  /** Per-CPU ring-buffer statistics saved in the file (CPUSTAT options) at extract/record time. */
  buffers: CpuBufferStat[];
  /** Sum of `read events` over all buffers and CPUs = number of records in the file. */
  totalReadEvents: number;
  /** `CPU<n> data recorded at offset=0x.. / <size> bytes in size` lines (top buffer, uncompressed). */
  flyrecord: { cpu: number; offset: bigint; size: bigint }[];
}

/** Parses `trace-cmd report --stat` output. */
export function parseTraceCmdStats(text: string): TraceCmdStats {
  const res: TraceCmdStats = { cpus: null, buffers: [], totalReadEvents: 0, flyrecord: [] };
  let buffer = '';
  let cur: CpuBufferStat | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m: RegExpExecArray | null;
    if ((m = /^cpus=(\d+)/.exec(line))) res.cpus = Number(m[1]);
    else if ((m = /^Buffer: (.*)$/.exec(line))) buffer = m[1];
    else if ((m = /^CPU: (\d+)$/.exec(line))) {
      cur = {
        buffer, cpu: Number(m[1]), entries: 0, overrun: 0, commitOverrun: 0, bytes: 0,
        oldestEventTs: '', nowTs: '', droppedEvents: 0, readEvents: 0,
      };
      res.buffers.push(cur);
    } else if ((m = /^CPU(\d+) data recorded at offset=(0x[0-9a-f]+)$/.exec(line.trim()))) {
      const s = /^\s*(\d+) bytes in size/.exec(lines[i + 1] ?? '');
      res.flyrecord.push({ cpu: Number(m[1]), offset: BigInt(m[2]), size: s ? BigInt(s[1]) : -1n });
    } else if (cur && (m = /^([a-z ]+):\s+(\S+)$/.exec(line))) {
      const v = m[2];
      switch (m[1]) {
        case 'entries': cur.entries = Number(v); break;
        case 'overrun': cur.overrun = Number(v); break;
        case 'commit overrun': cur.commitOverrun = Number(v); break;
        case 'bytes': cur.bytes = Number(v); break;
        case 'oldest event ts': cur.oldestEventTs = v; break;
        case 'now ts': cur.nowTs = v; break;
        case 'dropped events': cur.droppedEvents = Number(v); break;
        case 'read events': cur.readEvents = Number(v); break;
        default: break;
      }
    }
  }
  res.totalReadEvents = res.buffers.reduce((a, b) => a + b.readEvents, 0);
  return res;
}

export function traceCmdStats(file: string): TraceCmdStats {
  return parseTraceCmdStats(traceCmdOk(['report', '--stat', '-i', file]));
}

/**
 * First and last event timestamp per CPU (`--first-event` / `--last-event`; printed with µs
 * precision only, so these are strings). Only the top buffer.
 */
export function traceCmdCpuRange(file: string): { cpu: number; first: string; last: string }[] {
  const grab = (flag: string, word: string): Map<number, string> => {
    const m = new Map<number, string>();
    const re = new RegExp(`^\\s*(\\d+)\\s+${word} event: (\\S+)`);
    for (const line of traceCmdOk(['report', flag, '-i', file]).split('\n')) {
      const r = re.exec(line);
      if (r) m.set(Number(r[1]), r[2]);
    }
    return m;
  };
  const first = grab('--first-event', 'First');
  const last = grab('--last-event', 'Last');
  return [...first.keys()].sort((a, b) => a - b).map((cpu) => ({
    cpu, first: first.get(cpu) ?? '', last: last.get(cpu) ?? '',
  }));
}

/** Number of records per event name (handy for fixture summaries). */
export function countByEvent(records: readonly RawRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) m.set(r.event, (m.get(r.event) ?? 0) + 1);
  return m;
}
