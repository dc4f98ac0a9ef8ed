// Kernel addresses → function names for the analyses (function tracer ip, hrtimer function), from
// the trace's kallsyms, parsed only when an analysis first needs it and cached per address; text
// inputs name their synthetic symbol addresses exactly (TraceSource.textSymbols).
import type { FieldDef } from '../ingest/tracedat/format-parser.js';
import { parseKallsyms, type Kallsyms } from '../ingest/tracedat/symbols.js';
import type { EventBatch } from '../model/event-batch.js';
import { readBigInt } from '../model/field-access.js';

/** Slots of nameAt's table of recent addresses. */
const RECENT = 64;

export class KernelSymbols {
  private table?: Kallsyms;
  private readonly cache = new Map<number, string>();
  /** nameAt's table of recent exact addresses (halves) and their names (undefined: empty slot). */
  private readonly recentLo = new Uint32Array(RECENT);
  private readonly recentHi = new Uint32Array(RECENT);
  private readonly recentName: Array<string | undefined> = new Array<string | undefined>(RECENT).fill(undefined);

  constructor(
    private readonly kallsymsText: string,
    private readonly exact?: ReadonlyMap<number, string>,
  ) {}

  /** Function name containing `addr` ('' when unknown). */
  nameOf(addr: number | bigint): string {
    const key = Number(addr);
    let name = this.cache.get(key);
    if (name === undefined && this.exact) name = this.exact.get(key);
    if (name === undefined) {
      this.table ??= parseKallsyms(this.kallsymsText);
      name = this.table.lookup(BigInt(addr))?.name ?? '';
      this.cache.set(key, name);
    }
    return name;
  }

  /**
   * `nameOf(readBigInt(b, i, f))` without a BigInt per event when the address is cached: an
   * unsigned 8-byte field is read as two 32-bit halves, whose `hi·2^32 + lo` rounds exactly as
   * Number(bigint) does (the cache key).
   */
  nameAt(b: EventBatch, i: number, f: FieldDef): string {
    if (f.size !== 8 || f.signed || f.offset + 8 > b.len[i]) return this.nameOf(readBigInt(b, i, f));
    const at = b.off[i] + f.offset;
    const lo = b.view.getUint32(b.little ? at : at + 4, b.little);
    const hi = b.view.getUint32(b.little ? at + 4 : at, b.little);
    // The few addresses a trace repeats (timer functions) are answered from a small direct-mapped
    // table of exact addresses: no double key to box and hash. An address's name never changes.
    const k = (lo ^ (lo >>> 6) ^ (lo >>> 12)) & (RECENT - 1);
    if (this.recentName[k] !== undefined && this.recentLo[k] === lo && this.recentHi[k] === hi) return this.recentName[k]!;
    const cached = this.cache.get(hi * 4294967296 + lo);
    const name = cached !== undefined ? cached : this.nameOf((BigInt(hi) << 32n) | BigInt(lo));
    this.recentLo[k] = lo;
    this.recentHi[k] = hi;
    this.recentName[k] = name;
    return name;
  }
}
