// Kernel symbols printed by name in a text trace (function tracer `func <-- parent`, hrtimer
// `function=apic_timer_fn`, %ps fields): the text has no address for them, so each distinct name
// gets a synthetic one, written into the field like a real address. The source exposes the
// address → name map (TraceSource.textSymbols) so the analyses name those fields exactly as they
// do with a trace.dat's kallsyms.
//
// The addresses lie just below 2^53 (exact as doubles), far from kernel text (0xffff8...) and from
// 32-bit kernel addresses, so a real address printed as 0x... never takes a synthetic name.

/**
 * A copy of `t` that does not share its characters: a substring of 13+ characters is a view into
 * the whole 4 MiB text round it was cut from (V8 sliced string), so keeping it in a table that
 * outlives the line would keep every such round in memory. Use for anything a table keeps.
 */
export function ownString(t: string): string {
  return t.length < 13 ? t : t.split('').join('');
}

const BASE = 0x1f_0000_0000_0000;
const STEP = 16;

export class TextSymbols {
  private readonly ids = new Map<string, number>();
  /** Synthetic address → symbol name (live: grows while the text is read). */
  readonly byAddr = new Map<number, string>();

  /** The synthetic address of `name` (the same for every occurrence). */
  addrOf(name: string): number {
    let a = this.ids.get(name);
    if (a === undefined) {
      a = BASE + this.ids.size * STEP;
      const own = ownString(name);
      this.ids.set(own, a);
      this.byAddr.set(a, own);
    }
    return a;
  }
}

/** The table of the text being read (set by the text source for the length of a read). */
export let activeTextSymbols: TextSymbols | null = null;

export function setActiveTextSymbols(t: TextSymbols | null): void {
  activeTextSymbols = t;
}
