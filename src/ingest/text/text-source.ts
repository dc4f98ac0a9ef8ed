// One TraceSource for every text grammar: scans lines (scan.ts), decodes payloads with the format
// catalog (payload/), encodes the field values into the event's binary layout with PayloadEncoder
// and streams EventBatches, so analyses read fields exactly as they do from a trace.dat.
//
// Choices for what a text does not carry (docs/text-inputs.md):
// * Timestamps are exact integers: `sec.frac` → ns (µs text gives multiples of 1000); a bare
//   integer (trace-cmd's x86-tsc/counter clocks, kvm_stat-style pastes) is a raw clock count:
//   clockIsNs = false, like a trace.dat with a counter clock. The base is the first event's time.
// * A line without a timestamp gets the previous event's time + 1 (synthetic order) and the
//   `no-timestamp` warning; a text with no timestamps at all is in line order from 0.
// * No CPU column → CPU 0 (`no-cpu` info); no pid → -1 (`no-pid` info); comm from the line.
// * perf: the tid column is the event's pid (common_pid is the thread id), `-F +pid`'s pid and
//   ftrace's `(tgid)` go to `tgids`.
// * Events the catalog does not know get a minimal format with the common fields only, so they are
//   still counted by name; payloads the catalog cannot parse keep the event with zero fields
//   (`payload-unparsed` warning, per event name).
// * Kernel symbols printed by name (function tracer ip, hrtimer function, %ps) get synthetic
//   addresses in their fields; `textSymbols` names them (payload/text-symbols.ts).
// * Unparsed lines are counted per reason with the first examples (line numbers) in `unparsed`;
//   headers, comments, blank lines and perf callchain lines are not unparsed.
import { Diagnostics } from '../../diag/diagnostics.js';
import { UsageError } from '../../diag/errors.js';
import { EventBatch } from '../../model/event-batch.js';
import { PayloadEncoder, type FieldValue } from '../../model/payload-encoder.js';
import { lostTotals, type LostRecord, type TraceMeta, type TraceSource, type UnparsedLines } from '../../model/trace-source.js';
import type { EventFormat } from '../tracedat/format-parser.js';
import type { ByteChunks } from './chunks.js';
import { asciiAt, asciiText, forEachLine } from './lines.js';
import { K_CPUS, K_EVENT, K_LOST, K_SKIP, LineRecord, scanLine, type ScanMode } from './scan.js';
import { encodeFast, fastLayout, type FastLayout } from './payload/fast-encode.js';
import { fastPaths, memoOf, P_FAST, P_SLOW, parsePayload, parseRange, rangeFormat, rangeParsed, type FormatCatalog, type RangeMemo } from './payload/index.js';
import { applyRemap, remapOf, type Remap } from './payload/remap.js';
import { ownString, setActiveTextSymbols, TextSymbols } from './payload/text-symbols.js';

const MAX_EXAMPLES = 10;
/** pid_max's ceiling (PID_MAX_LIMIT, 2^22): pids below it are tracked in a bitmap. */
const PID_BITS = 1 << 22;

/** EventBatch.push for a payload already written at `data[dataUsed..]` (no copy). */
function commit(b: EventBatch, ts: number, cpu: number, pid: number, fmt: number, type: number, len: number): void {
  const i = b.length++;
  b.ts[i] = ts;
  b.cpu[i] = cpu;
  b.pid[i] = pid;
  b.fmt[i] = fmt;
  b.type[i] = type;
  b.off[i] = b.dataUsed;
  b.len[i] = len;
  b.dataUsed += len;
}

export interface TextSourceInit {
  path: string;
  /** Importer id, e.g. `perf script`. */
  format: string;
  description: string;
  mode: ScanMode;
  /** Opens the (decompressed) byte stream from its start; called once per pass. */
  openChunks: () => ByteChunks;
  /** Outer wrapper ('none', 'gzip', 'zstd'). */
  compression: string;
  catalog: FormatCatalog;
  buffer?: string;
  batchSize?: number;
  /** Excerpts: lines that are not events but follow one continue its payload (wrapped pastes). */
  joinContinuations?: boolean;
  /** Integer timestamps are ns (excerpts: kvm_stat / perf trace logs) rather than raw clock counts. */
  integerTsIsNs?: boolean;
  /** Known facts from the head (cpus header, buffers). */
  cpusHint?: number;
  close?: () => void;
}

interface EventEntry {
  key: string;
  /** `key` as char codes (compared with the line without a substring). */
  codes: Uint16Array;
  fmtIndex: number;
  type: number;
  system: string | undefined;
  name: string;
  encoder: PayloadEncoder;
  fmt: EventFormat;
  /** Candidate layouts from the catalog (known events) and their last-hit memo. */
  memo: RangeMemo;
  /** Fast encoder layout (null: PayloadEncoder only). */
  layout: FastLayout | null;
  rec: Record<string, FieldValue | undefined>;
  /** The last other layout a payload matched and its slot map into `fmt` (payload/remap.ts). */
  remapSrc: EventFormat | null;
  remap: Remap | null;
  /** The format's own (non-common) field names. */
  names: string[];
  known: boolean;
}

/** Collects the buffer prefixes of a prefixed trace-cmd text (and whether unprefixed lines exist). */
function scanBuffers(openChunks: () => ByteChunks, mode: ScanMode): { names: string[]; top: boolean } {
  const names = new Set<string>();
  let top = false;
  const r = new LineRecord();
  let carry = '';
  forEachLine(openChunks(), (s, a, b) => {
    const k = scanLine(s, a, b, mode, r);
    if (k === K_LOST) carry = r.bufStart >= 0 ? s.slice(r.bufStart, r.bufEnd) : '';
    if (k !== K_EVENT) return;
    if (r.bufStart >= 0) names.add(ownString(s.slice(r.bufStart, r.bufEnd)));
    else if (carry) names.add(carry);
    else top = true;
    carry = '';
  });
  return { names: [...names], top };
}

/** The slot map from `src` into the entry's layout, kept on the entry for its last source. */
function remapFor(e: EventEntry, src: EventFormat): Remap {
  if (e.remapSrc !== src) {
    e.remapSrc = src;
    e.remap = remapOf(e.fmt, src);
  }
  return e.remap!;
}

export function textSource(init: TextSourceInit): TraceSource & { unparsed: UnparsedLines } {
  const diag = new Diagnostics();
  const catalog = init.catalog;
  const mode = init.mode;
  const all = catalog.all();
  const formats: EventFormat[] = [];
  const primary = new Map<string, number>(); // `system:name` and bare `name` → format index
  for (const f of all) {
    const key = `${f.system}:${f.name}`;
    if (primary.has(key)) continue;
    primary.set(key, formats.length);
    if (!primary.has(f.name)) primary.set(f.name, formats.length);
    formats.push(f);
  }
  const common = all.find((f) => f.fields.some((x) => x.name === 'common_pid'))?.fields.filter((x) => x.common) ?? [];
  let nextId = 65535;

  // Buffers: only prefixed trace-cmd texts have them; they are found by one quick pass.
  let buffers: string[] = [''];
  let selected = init.buffer ?? '';
  if (mode.prefix) {
    const found = scanBuffers(init.openChunks, mode);
    if (found.names.length > 0) {
      buffers = found.top ? ['', ...found.names] : found.names;
      if (init.buffer === undefined) selected = found.top ? '' : found.names[0];
      if (!found.top && found.names.length > 1 && init.buffer === undefined) {
        diag.add('text-inputs', 'info', `the text holds several inputs (${found.names.join(', ')}); reading "${selected}" (choose with --buffer)`);
      }
    }
  }
  if (!buffers.includes(selected)) {
    const have = buffers.map((b) => (b === '' ? '(top)' : b)).join(', ');
    throw new UsageError(`${init.path}: no buffer instance "${selected}" (buffers: ${have})`);
  }

  const meta: TraceMeta = {
    format: init.format,
    version: '',
    compression: init.compression,
    cpus: init.cpusHint ?? 0,
    clock: 'text timestamps',
    clockIsNs: true,
    baseNs: 0n,
    buffer: selected,
    buffers,
    littleEndian: true,
    longSize: 8,
    details: [['input', init.description]],
  };
  const unparsed: UnparsedLines = { lines: 0, byReason: {}, examples: [] };
  const lost: LostRecord[] = [];
  const comms = new Map<number, string>();
  const tgids = new Map<number, number>();
  let consumed = false;
  const symbols = new TextSymbols();

  // Event entries by the hash of the event token (scan.ts eventAt), checked char by char: no string per line.
  const entries = new Map<number, EventEntry[]>();
  // Known token ids (scan.ts LineRecord.evTok) → entry first: no comparison at all.
  const entryFor = (s: string, r: LineRecord): EventEntry => {
    const tok = r.evTok;
    if (tok >= 0) {
      const known = byTok[tok]; // scan.ts's token id: the same text as when it was stored
      if (known !== undefined) return known;
    }
    const e = entryByName(s, r);
    if (tok >= 0) byTok[tok] = e;
    return e;
  };
  const byTok: EventEntry[] = [];
  const entryByName = (s: string, r: LineRecord): EventEntry => {
    const ks = r.sysStart >= 0 ? r.sysStart : r.evStart;
    const ke = r.evEnd;
    const hash = r.evHash; // computed by eventAt while it read the token
    const list = entries.get(hash);
    if (list) {
      const ascii = s === asciiText; // the part's bytes: cheaper than charCodeAt
      for (let k = 0; k < list.length; k++) {
        const c = list[k];
        const kc = c.codes;
        const n = kc.length;
        if (n !== ke - ks) continue;
        if (ascii) {
          if (asciiAt(ks, kc)) return c;
          continue;
        }
        let j = 0;
        while (j < n && s.charCodeAt(ks + j) === kc[j]) j++;
        if (j === n) return c;
      }
    }
    const key = ownString(s.slice(ks, ke));
    let e: EventEntry;
    const system = r.sysStart >= 0 ? ownString(s.slice(r.sysStart, r.sysEnd)) : undefined;
    const name = ownString(s.slice(r.evStart, r.evEnd));
    let idx = primary.get(key) ?? -1;
    if (idx < 0 && system !== undefined) idx = primary.get(name) ?? -1;
    let known = idx >= 0;
    if (idx >= 0 && system !== undefined && formats[idx].system !== system) known = false;
    if (!known) {
      const f: EventFormat = { id: nextId--, system: system ?? 'unknown', name, fields: common, printFmt: '' };
      idx = formats.length;
      formats.push(f);
      diag.add('unknown-event', 'info', `event ${key} is not in the format catalog: counted by name, without fields`);
    }
    const fmt = formats[idx];
    const fields = fmt.fields.filter((x) => !x.common);
    const rec: Record<string, FieldValue | undefined> = {};
    for (const f of fields) rec[f.name] = undefined;
    const encoder = new PayloadEncoder(fmt);
    const codes = new Uint16Array(key.length);
    for (let k = 0; k < key.length; k++) codes[k] = key.charCodeAt(k);
    e = {
      key, codes, fmtIndex: idx, type: fmt.id, system, name, encoder, fmt,
      memo: memoOf(known ? catalog.lookup(system, name) : []),
      layout: fastLayout(fmt, encoder.fixedSize),
      rec, remapSrc: null, remap: null, names: fields.map((f) => f.name), known,
    };
    if (list) list.push(e);
    else entries.set(hash, [e]);
    return e;
  };

  const source: TraceSource & { unparsed: UnparsedLines } = {
    meta,
    formats,
    comms,
    tgids,
    kallsyms: '',
    textSymbols: symbols.byAddr,
    diag,
    lost,
    unparsed,
    read(onBatch) {
      if (consumed) throw new Error('text source can be read once');
      consumed = true;
      const batch = new EventBatch(init.batchSize, true);
      // the fast encoder writes each payload straight into the batch's arena (after dataUsed)
      const reserve = (n: number): Uint8Array => {
        if (n > batch.data.length) batch.reserve(n - batch.dataUsed);
        return batch.data;
      };
      const named = new Uint8Array(PID_BITS >> 3); // pids already in `comms`
      const r = new LineRecord();
      let lineNo = 0;
      let haveBase = false;
      let baseHi = 0;
      let baseLo = 0;
      let lastTs = -1;
      let maxCpu = -1;
      let events = 0;
      let noTs = 0;
      let noCpu = 0;
      let noPid = 0;
      let unordered = 0;
      let intTs = 0;
      let dotTs = 0;
      let maxFrac = 0;
      let stopped = false;
      let carry = '';
      const pendingLost: LostRecord[] = [];
      const badPayload = new Map<string, number>();
      // wrapped excerpts: the event line waits for its continuation lines
      let held: string | null = null;
      let heldLine = 0;

      const addUnparsed = (reason: string, s: string, a: number, b: number, at: number) => {
        unparsed.lines++;
        unparsed.byReason[reason] = (unparsed.byReason[reason] ?? 0) + 1;
        if (unparsed.examples.length < MAX_EXAMPLES) unparsed.examples.push({ line: at, text: ownString(s.slice(a, Math.min(b, a + 200))), reason });
      };

      const slowEncode = (e: EventEntry, s: string, hasPayload: boolean, res: number, pid: number, flags: number, preempt: number): number => {
        const rec = e.rec;
        const names = e.names;
        const parsed = !hasPayload ? null : res === P_SLOW ? rangeParsed : res === P_FAST ? parsePayload(catalog, e.system, e.name, s.slice(r.payStart, r.payEnd)) : null;
        if (parsed) {
          const vals = parsed.values;
          for (let k = 0; k < names.length; k++) rec[names[k]] = vals.get(names[k]);
          if (parsed.symbols) {
            for (const [field, sym] of parsed.symbols) {
              if (field in rec && !rec[field]) rec[field] = BigInt(symbols.addrOf(sym));
            }
          }
        } else {
          for (let k = 0; k < names.length; k++) rec[names[k]] = undefined;
          if (hasPayload) {
            const key = e.system ? `${e.system}:${e.name}` : e.name;
            const n = badPayload.get(key) ?? 0;
            badPayload.set(key, n + 1);
            diag.add('payload-unparsed', 'warning', `${key}: payload not understood, event kept without fields: ${ownString(s.slice(r.payStart, Math.min(r.payEnd, r.payStart + 160)))}`);
          }
        }
        return e.encoder.encode(rec as Record<string, FieldValue>, pid, flags, preempt);
      };

      const emit = (s: string): boolean => {
        // buffer filter
        let buf = '';
        if (r.bufStart >= 0) buf = s.slice(r.bufStart, r.bufEnd);
        else if (carry) buf = carry;
        carry = '';
        if (buf !== selected) return true;
        const e = entryFor(s, r);
        let ts: number;
        if (r.tsKind !== 0) {
          if (!haveBase) {
            haveBase = true;
            baseHi = r.tsHi;
            baseLo = r.tsLo;
            meta.baseNs = BigInt(baseHi) * 1_000_000_000n + BigInt(baseLo);
          }
          ts = (r.tsHi - baseHi) * 1e9 + (r.tsLo - baseLo);
          if (r.tsKind === 2) intTs++;
          else {
            dotTs++;
            if (r.fracDigits > maxFrac) maxFrac = r.fracDigits;
          }
          if (ts < lastTs) unordered++;
        } else {
          noTs++;
          ts = lastTs + 1;
          if (!haveBase) haveBase = true;
        }
        lastTs = ts;
        let cpu = r.cpu;
        if (cpu < 0) {
          cpu = 0;
          noCpu++;
        }
        if (cpu > maxCpu) maxCpu = cpu;
        const pid = r.pid;
        if (pid < 0) noPid++;
        else if (r.commStart >= 0 && (pid >= PID_BITS || (named[pid >> 3] & (1 << (pid & 7))) === 0) && !comms.has(pid)) {
          const comm = s.slice(r.commStart, r.commEnd);
          if (comm !== '<...>') {
            comms.set(pid, ownString(comm));
            if (pid < PID_BITS) named[pid >> 3] |= 1 << (pid & 7);
          }
        }
        if (r.tgid >= 0 && pid >= 0 && !tgids.has(pid)) tgids.set(pid, r.tgid);
        // payload: the fast paths (payload/fast.ts, fast-plugins.ts) decode from the line and
        // fast-encode.ts writes the bytes straight into the batch's arena; the RegExp path and
        // PayloadEncoder take what they leave (same values, same bytes: fast-vs-regexp.test.ts).
        const flags = r.flags < 0 ? 0 : r.flags;
        const preempt = r.preempt < 0 ? 0 : r.preempt;
        const hasPayload = e.known && r.payEnd > r.payStart;
        let len = -1;
        let res = 0;
        if (hasPayload) {
          res = parseRange(e.memo, s, r.payStart, r.payEnd);
          if (res === P_FAST && e.layout && (rangeFormat === e.fmt || applyRemap(remapFor(e, rangeFormat!)))) len = encodeFast(e.layout, e.type, reserve, batch.dataUsed, s, pid, flags, preempt, true);
        } else if (e.layout && fastPaths) len = encodeFast(e.layout, e.type, reserve, batch.dataUsed, s, pid, flags, preempt, false);
        if (pendingLost.length > 0) {
          for (let k = pendingLost.length - 1; k >= 0; k--) {
            if (pendingLost[k].cpu === cpu) {
              pendingLost[k].beforeTs = ts;
              pendingLost.splice(k, 1);
            }
          }
        }
        if (len >= 0) commit(batch, ts, cpu, pid, e.fmtIndex, e.type, len);
        else batch.push(ts, cpu, pid, e.fmtIndex, e.type, e.encoder.buf, 0, slowEncode(e, s, hasPayload, res, pid, flags, preempt));
        events++;
        if (batch.full) {
          if (onBatch(batch) === false) return false;
          batch.reset();
        }
        return true;
      };

      const handle = (s: string, a: number, b: number, at: number): boolean => {
        const k = scanLine(s, a, b, mode, r);
        if (k === K_EVENT) {
          if (init.joinContinuations) {
            const prev = held;
            const prevLine = heldLine;
            held = s.slice(a, b);
            heldLine = at;
            if (prev !== null) return flushHeld(prev, prevLine);
            return true;
          }
          return emit(s);
        }
        if (k === K_SKIP) return true;
        if (k === K_LOST) {
          const buf = r.bufStart >= 0 ? s.slice(r.bufStart, r.bufEnd) : '';
          carry = buf;
          if (buf === selected) {
            const l: LostRecord = { cpu: r.lostCpu, count: r.lostCount, beforeTs: NaN };
            lost.push(l);
            pendingLost.push(l);
          }
          return true;
        }
        if (k === K_CPUS) {
          if (r.lostCpu > meta.cpus) meta.cpus = r.lostCpu;
          return true;
        }
        if (init.joinContinuations && held !== null) {
          held += ' ' + s.slice(a, b).trim();
          return true;
        }
        addUnparsed(r.reason, s, a, b, at);
        return true;
      };

      const flushHeld = (text: string, at: number): boolean => {
        const k = scanLine(text, 0, text.length, mode, r);
        if (k === K_EVENT) return emit(text);
        addUnparsed(r.reason, text, 0, text.length, at);
        return true;
      };

      const chunks = init.openChunks();
      setActiveTextSymbols(symbols);
      try {
        forEachLine(chunks, (s, a, b) => {
          lineNo++;
          if (!handle(s, a, b, lineNo)) {
            stopped = true;
            return false;
          }
          return true;
        });
      } finally {
        setActiveTextSymbols(null);
      }
      if (!stopped && held !== null) {
        const h = held;
        held = null;
        if (!flushHeld(h, heldLine)) stopped = true;
      }
      if (!stopped && batch.length > 0) onBatch(batch);

      // What the text did not carry.
      meta.cpus = Math.max(meta.cpus, maxCpu + 1, 1);
      if (intTs > 0 && dotTs === 0 && init.integerTsIsNs) {
        meta.clock = 'text timestamps (integer ns)';
        diag.add('integer-timestamps', 'info', 'the excerpt has integer timestamps: read as nanoseconds');
      } else if (intTs > 0 && dotTs === 0) {
        meta.clockIsNs = false;
        meta.clock = 'raw counter (integer timestamps in the text)';
        diag.add('raw-clock', 'warning', 'the text has integer timestamps: taken as raw clock counts, not ns (trace-cmd prints counter clocks such as x86-tsc this way)');
      } else if (dotTs > 0) {
        meta.clock = `text timestamps (${maxFrac >= 9 ? 'ns' : maxFrac === 6 ? 'µs' : `${maxFrac} fraction digits`})`;
        if (intTs > 0) diag.add('mixed-timestamps', 'warning', `${intTs} lines have integer timestamps among seconds.fraction ones: read as ns`);
      }
      if (noTs > 0) {
        if (dotTs + intTs === 0) diag.add('no-timestamp', 'warning', 'the text has no timestamps: events are in line order, 1 ns apart; durations and rates are meaningless', noTs);
        else diag.add('no-timestamp', 'warning', `${noTs} events without a timestamp were placed 1 ns after the event before them`, noTs);
      }
      if (noCpu > 0) diag.add('no-cpu', 'info', `${noCpu} events without a CPU column were put on CPU 0`, noCpu);
      if (noPid > 0) diag.add('no-pid', 'info', `${noPid} events without a pid/tid column have pid -1`, noPid);
      if (unordered > 0) diag.add('unordered', 'warning', `${unordered} events are earlier than the event before them (the text is not in time order)`, unordered);
      if (unparsed.lines > 0) {
        const reasons = Object.entries(unparsed.byReason).map(([k, v]) => `${v} ${k}`).join(', ');
        const ex = unparsed.examples[0];
        diag.add('unparsed-lines', 'warning', `${unparsed.lines} lines were not understood (${reasons}); first at line ${ex.line}: ${ex.text.slice(0, 120)}`, unparsed.lines);
      }
      const { known, unknown: unknownCount } = lostTotals(lost);
      if (known > 0) diag.add('lost-events', 'data-loss', `${known} events were lost (ring buffer overrun)`, known);
      if (unknownCount > 0) diag.add('lost-events-unknown', 'data-loss', `${unknownCount} lost-event markers without a count`, unknownCount);
      meta.details.push(['lines', String(lineNo)], ['events', String(events)], ['unparsed lines', String(unparsed.lines)]);
      if (chunks.problem) {
        diag.add('truncated', 'data-loss', `${chunks.problem}; read ${chunks.bytesOut} bytes of text (${lineNo} lines) before it`);
      }
    },
    close() {
      init.close?.();
    },
  };
  return source;
}
