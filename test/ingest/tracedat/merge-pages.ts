// Test helpers for merge.test.ts: ring-buffer pages built by hand (every record kind, both byte
// orders, missed-event flags, mid-page padding that leaves payloads off word boundaries) served by
// a fake PageSource, and a reference merge that picks the smallest (timestamp, CPU) head for every
// single event: the obvious algorithm the run-based merge must reproduce exactly.
// Record layout: libtraceevent src/kbuffer-parse.c; trace-formats.md §3.
import { Diagnostics } from '../../../src/diag/diagnostics.js';
import { CpuCursor, type PageLayout } from '../../../src/ingest/tracedat/cpu-cursor.js';
import type { PageSource } from '../../../src/ingest/tracedat/page-source.js';
import type { LostRecord } from '../../../src/model/trace-source.js';
import { rng } from '../../../src/sim/rng.js';

export interface Want { ts: number; cpu: number; pid: number; type: number; fmt: number; payload: number[] }

const PAGE = 4096;
const DATA = 16; // u64 timestamp + u64 commit (8-byte kernel longs)

export interface CpuPlan { cpu: number; pages: Uint8Array[] }

export interface PlanOptions {
  cpus: number[];
  events: number;
  seed: number;
  little: boolean;
  /** Draw timestamps from a small set so that CPUs tie often. */
  ties?: boolean;
  /** Let a CPU's clock jump backwards (absolute time stamp records). */
  backwards?: boolean;
  /** Long padding records between events, so that some pages hold more padding than payload. */
  sparse?: boolean;
}

/** Random pages for each CPU; event ids 1..40, the pid in bytes 4..7 as the common header has it. */
export function planPages(o: PlanOptions): CpuPlan[] {
  const r = rng(o.seed);
  const int = (n: number) => Math.floor(r() * n);
  return o.cpus.map((cpu) => {
    const pages: Uint8Array[] = [];
    let page = new Uint8Array(PAGE);
    let dv = new DataView(page.buffer);
    let pos = DATA;
    let clock = 1000 + int(50);
    let cur = 0; // time the page's records count from
    let missed = 0; // 0 none, 1 with a stored count, 2 without
    const word = (typeLen: number, delta: number, a0?: number) => {
      dv.setUint32(pos, o.little ? ((delta << 5) | typeLen) >>> 0 : ((typeLen << 27) | delta) >>> 0, o.little);
      if (a0 !== undefined) dv.setUint32(pos + 4, a0, o.little);
    };
    const open = () => {
      page = new Uint8Array(PAGE);
      dv = new DataView(page.buffer);
      pos = DATA;
      cur = clock;
      dv.setBigUint64(0, BigInt(clock), o.little);
      const m = pages.length > 0 ? int(12) : 9;
      missed = m === 0 ? 1 : m === 1 ? 2 : 0;
    };
    const close = () => {
      let commit = pos - DATA;
      if (missed === 1) {
        commit |= 0xc0000000;
        dv.setBigUint64(pos, BigInt(1 + int(500)), o.little);
      } else if (missed === 2) commit |= 0x80000000;
      dv.setUint32(o.little ? 8 : 12, commit >>> 0, o.little);
      pages.push(page);
    };
    open();
    for (let e = 0; e < o.events; e++) {
      clock = o.ties ? clock + int(3) : clock + 1 + int(400);
      if (o.backwards && int(40) === 0) clock = Math.max(0, clock - 2000);
      const kind = int(12);
      // Payload bytes: 4 (no room for a pid), 120..356 (type_len 0), odd sizes (type_len 0, rounded
      // up by the reader), or 8..84.
      const len = kind === 0 ? 4 : kind === 1 ? 120 + 4 * int(60) : kind === 5 ? 9 + 4 * int(10) : 8 + 4 * int(20);
      // Padding: a0 counts its own word; odd sizes leave the payloads after it off word boundaries.
      const pad = kind === 3 ? 5 + int(9) : kind === 4 ? (o.sparse ? 1500 + int(1000) : 600 + int(400)) : 0;
      if (pos + 16 + pad + 8 + len + 3 + 8 > PAGE) {
        close();
        open();
      }
      let delta = clock - cur;
      if (delta < 0) {
        word(31, clock % 2 ** 27, Math.floor(clock / 2 ** 27)); // absolute time stamp
        pos += 8;
        delta = 0;
      } else if (kind === 2 || delta >= 2 ** 27) {
        word(30, delta % 2 ** 27, Math.floor(delta / 2 ** 27)); // time extend
        pos += 8;
        delta = 0;
      } else if (pad > 0) {
        word(29, 0, pad); // padding (a discarded event): 4 + pad bytes
        pos += 4 + pad;
      }
      let at: number;
      if (len <= 112 && len % 4 === 0) {
        word(len / 4, delta);
        at = pos + 4;
      } else {
        word(0, delta, len + 4);
        at = pos + 8;
      }
      for (let k = 0; k < ((len + 3) & ~3); k++) page[at + k] = int(256);
      if (len >= 8) {
        dv.setUint16(at, 1 + int(40), o.little);
        dv.setInt32(at + 4, int(3) === 0 ? -1 - int(1000) : 100 + int(5000), o.little);
      }
      pos = at + ((len + 3) & ~3);
      cur = clock;
    }
    close();
    return { cpu, pages };
  });
}

export function layoutOf(little: boolean): PageLayout {
  return { little, klong: 8, dataOffset: DATA, toRel: (raw) => Number(raw), linear: true };
}

/** Cursors over the planned pages; each page is a view into one shared block, as PageSource gives. */
export function cursorsOf(plans: CpuPlan[], little: boolean, diag = new Diagnostics()): CpuCursor[] {
  return plans.map((p) => {
    const block = new Uint8Array(p.pages.length * PAGE + 4);
    const views = p.pages.map((pg, k) => {
      block.set(pg, 4 + k * PAGE); // off by 4 bytes from the block start: word views must cope
      return block.subarray(4 + k * PAGE, 4 + (k + 1) * PAGE);
    });
    let i = 0;
    const src = { pageOffset: 0, next: () => (i < views.length ? views[i++] : null) };
    return new CpuCursor(p.cpu, src as unknown as PageSource, layoutOf(little), diag, `CPU ${p.cpu}`);
  });
}

/** The reference: per event, the smallest (ts, CPU) head; lost records as the merge reports them. */
export function referenceMerge(cs: CpuCursor[], fmtOfType: Int32Array, little: boolean): { events: Want[]; lost: LostRecord[] } {
  const events: Want[] = [];
  const lost: LostRecord[] = [];
  const live = cs.filter((c) => c.advance());
  while (live.length > 0) {
    let b = 0;
    for (let k = 1; k < live.length; k++) {
      const t = live[k].ts[live[k].i];
      const bt = live[b].ts[live[b].i];
      if (t < bt || (t === bt && live[k].cpu < live[b].cpu)) b = k;
    }
    const c = live[b];
    if (c.missed !== 0) {
      lost.push({ cpu: c.cpu, count: c.missed, beforeTs: c.ts[c.i] });
      c.missed = 0;
    }
    const s = c.start[c.i];
    const len = c.len[c.i];
    const dv = new DataView(c.page.buffer, c.page.byteOffset);
    const type = len >= 8 ? dv.getUint16(s, little) : 0;
    const pid = len >= 8 ? dv.getInt32(s + 4, little) : 0;
    events.push({ ts: c.ts[c.i], cpu: c.cpu & 0xffff, pid, type, fmt: fmtOfType[type], payload: [...c.page.subarray(s, s + len)] });
    if (!c.advance()) {
      if (c.missed !== 0) lost.push({ cpu: c.cpu, count: c.missed, beforeTs: NaN });
      live.splice(b, 1);
    }
  }
  return { events, lost };
}
