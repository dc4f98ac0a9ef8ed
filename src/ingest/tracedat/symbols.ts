// Parsers for the three text blobs a trace.dat carries next to the event formats: /proc/kallsyms,
// tracefs printk_formats and tracefs saved_cmdlines (trace-formats.md §1.5–1.7).
// Upstream: libtraceevent src/parse-utils.c / event-parse.c (tep_parse_kallsyms, parse_proc_kallsyms
// in trace-cmd lib/trace-cmd/trace-input.c, tep_parse_printk_formats / parse_ftrace_printk,
// tep_parse_saved_cmdlines / parse_cmdlines).
//
//   ffffffff81000000 T _stext
//   ffffffffc0a01000 t vmx_vcpu_run	[kvm_intel]
//   0xffffffff82a0c5e0 : "rcu_note_context_switch: %s\n"
//   4123 CPU 0/KVM

export interface KernelSymbol {
  addr: bigint;
  name: string;
  /** Module name without brackets, or undefined for the core kernel. */
  module?: string;
}

export interface SymbolMatch {
  name: string;
  /** addr - symbol address */
  offset: bigint;
  module?: string;
  addr: bigint;
}

/** Sorted kernel symbol table with address lookup (the symbol at or below an address). */
export class Kallsyms {
  readonly symbols: readonly KernelSymbol[];
  constructor(symbols: KernelSymbol[]) {
    // Stable sort by address; for equal addresses the first listed wins (as libtraceevent's qsort+bsearch in practice).
    this.symbols = symbols
      .map((s, i) => ({ s, i }))
      .sort((a, b) => (a.s.addr < b.s.addr ? -1 : a.s.addr > b.s.addr ? 1 : a.i - b.i))
      .map((x) => x.s);
  }

  get size(): number { return this.symbols.length; }

  /** Symbol containing `addr`: the last symbol whose address is <= addr; undefined below the first. */
  lookup(addr: bigint): SymbolMatch | undefined {
    const syms = this.symbols;
    let lo = 0;
    let hi = syms.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (syms[mid].addr <= addr) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    // Prefer the first of several symbols at the same address.
    while (found > 0 && syms[found - 1].addr === syms[found].addr) found--;
    const s = syms[found];
    return { name: s.name, offset: addr - s.addr, module: s.module, addr: s.addr };
  }

  /** Address of a symbol by name (first match), or undefined. */
  addressOf(name: string): bigint | undefined {
    return this.symbols.find((s) => s.name === name)?.addr;
  }
}

const KALLSYMS_RE = /^([0-9a-fA-F]+)\s+(\S)\s+(\S+)(?:\s+\[([^\]]*)\])?/;

/** Parses /proc/kallsyms text. Skips `$`-names (ARM mapping symbols), absolute symbols (A/a) and bad lines. */
export function parseKallsyms(text: string): Kallsyms {
  const out: KernelSymbol[] = [];
  for (const line of text.split('\n')) {
    const m = KALLSYMS_RE.exec(line);
    if (!m) continue;
    const [, addr, type, name, module] = m;
    if (type === 'A' || type === 'a' || name.startsWith('$')) continue;
    out.push(module === undefined ? { addr: BigInt('0x' + addr), name } : { addr: BigInt('0x' + addr), name, module });
  }
  return new Kallsyms(out);
}

const UNESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"' };

/**
 * Parses tracefs printk_formats: `0x<addr> : "<fmt>"` per line → address → format string.
 * Like libtraceevent: split at the first ':', drop the quotes, drop one trailing `\n` escape; the
 * remaining escapes are decoded here (\n \t \r \\ \").
 */
export function parsePrintkFormats(text: string): Map<bigint, string> {
  const out = new Map<bigint, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const addrText = line.slice(0, colon).trim();
    if (!/^(0x)?[0-9a-fA-F]+$/.test(addrText)) continue;
    let fmt = line.slice(colon + 1).trim();
    if (fmt.startsWith('"')) fmt = fmt.slice(1);
    if (fmt.endsWith('"')) fmt = fmt.slice(0, -1);
    if (fmt.endsWith('\\n')) fmt = fmt.slice(0, -2);
    fmt = fmt.replace(/\\(.)/g, (m, c: string) => UNESC[c] ?? m);
    out.set(BigInt(addrText.startsWith('0x') ? addrText : '0x' + addrText), fmt);
  }
  return out;
}

/** Parses tracefs saved_cmdlines: `<pid> <comm>` per line; the comm is the rest of the line (may contain spaces). */
export function parseSavedCmdlines(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+) (.*)$/.exec(line.replace(/\r$/, ''));
    if (m) out.set(Number(m[1]), m[2]);
  }
  return out;
}
