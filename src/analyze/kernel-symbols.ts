// Kernel addresses → function names for the analyses (function tracer ip, hrtimer function), from
// the trace's kallsyms, parsed only when an analysis first needs it and cached per address; text
// inputs name their synthetic symbol addresses exactly (TraceSource.textSymbols).
import { parseKallsyms, type Kallsyms } from '../ingest/tracedat/symbols.js';

export class KernelSymbols {
  private table?: Kallsyms;
  private readonly cache = new Map<number, string>();

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
}
