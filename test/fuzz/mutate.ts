// Seeded, structure-aware mutations for the fuzz suite. A Layout (from layout-*.ts, computed on the
// intact seed) says where the sections, the length/offset/count fields and the pages/records/lines
// are; every case applies one to three mutations chosen by a PRNG seeded from (run seed, seed file,
// case number), so a failure is reproduced from the numbers it prints.
import { rng } from '../../src/sim/rng.js';

export interface Field { at: number; size: 1 | 2 | 4 | 8; little: boolean; what: string }
export interface Range { start: number; end: number; what?: string }

export interface Layout {
  /** Section starts/ends: every one is a truncation case of its own. */
  boundaries: number[];
  /** Length, offset and count fields. */
  fields: Field[];
  /** Regions that can be swapped with each other (sections, option payloads, CPU blocks). */
  sections: Range[];
  /** Pages, records or lines: repeated, swapped, dropped. */
  records: Range[];
  /** Text: numeric tokens (timestamps, pids, CPUs, lengths) to replace. */
  tokens?: Range[];
}

export interface Mutant { bytes: Uint8Array; ops: string[] }

const HUGE = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 1n << 40n, (1n << 53n) + 1n];
const BAD_NUMBERS = ['99999999999999999999999', '-1', '-9223372036854775808', '18446744073709551616', '1e308', 'NaN', '0x', '', '4294967296', '-0', '00000000000000000000000001'];
const GARBAGE = ['<script>alert(1)</script>', '"\'`', '\x00', '\x1b[31m', '\xff\xfe', '\r', '\t\t\t', '|&;', '%s%n%x', '\u2028', '[', ']', ':', '=', '{', '('];

/** The PRNG seed of case `i` of seed file `name` in run `runSeed`. */
export function caseSeed(runSeed: number, name: string, i: number): number {
  let h = (runSeed ^ 0x9e3779b9) >>> 0;
  for (let k = 0; k < name.length; k++) h = Math.imul(h ^ name.charCodeAt(k), 0x01000193) >>> 0;
  return (Math.imul(h ^ i, 0x85ebca6b) ^ (i * 0x27d4eb2d)) >>> 0;
}

function writeField(b: Uint8Array, f: Field, v: bigint): void {
  const mask = (1n << BigInt(f.size * 8)) - 1n;
  let x = v & mask;
  for (let k = 0; k < f.size; k++) {
    b[f.little ? f.at + k : f.at + f.size - 1 - k] = Number(x & 0xffn);
    x >>= 8n;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Truncation of the seed at `at`: the deterministic "every boundary" cases. */
export function truncateAt(seed: Uint8Array, at: number): Mutant {
  return { bytes: new Uint8Array(seed.subarray(0, Math.max(0, Math.min(seed.length, at)))), ops: [`truncate@${at}`] };
}

/** One to three seeded mutations of `seed`. */
export function mutate(seed: Uint8Array, layout: Layout, s: number): Mutant {
  const r = rng(s);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)];
  let b = new Uint8Array(seed); // a copy (Buffer#slice would be a view)
  const ops: string[] = [];
  const count = r() < 0.7 ? 1 : 2 + int(2);
  for (let m = 0; m < count && b.length > 0; m++) {
    const choice = r();
    const near = () => {
      const anchors = layout.boundaries.length && r() < 0.6 ? layout.boundaries : null;
      return anchors ? Math.max(0, Math.min(b.length - 1, pick(anchors) + int(64) - 32)) : int(b.length);
    };
    if (choice < 0.22) {
      const n = 1 + int(8);
      const at = near();
      for (let k = 0; k < n; k++) {
        const p = Math.min(b.length - 1, at + int(16));
        b[p] ^= 1 << int(8);
      }
      ops.push(`flip${n}@${at}`);
    } else if (choice < 0.42 && layout.fields.length) {
      const f = pick(layout.fields);
      if (f.at + f.size > b.length) continue;
      const v = r() < 0.2 ? BigInt(b.length + int(3) - 1) : r() < 0.2 ? BigInt(Math.floor(r() * 2 ** 32)) : pick(HUGE);
      writeField(b, f, v);
      ops.push(`field ${f.what}@${f.at}=0x${v.toString(16)}`);
    } else if (choice < 0.52) {
      const at = r() < 0.6 && layout.boundaries.length ? pick(layout.boundaries) + int(3) - 1 : int(b.length);
      b = b.subarray(0, Math.max(0, at));
      ops.push(`truncate@${at}`);
    } else if (choice < 0.62 && layout.sections.length > 1) {
      const [x, y] = [pick(layout.sections), pick(layout.sections)].sort((p, q) => p.start - q.start);
      if (x.end > y.start || y.end > b.length) continue;
      b = concat(b.subarray(0, x.start), b.subarray(y.start, y.end), b.subarray(x.end, y.start), b.subarray(x.start, x.end), b.subarray(y.end));
      ops.push(`swap ${x.what ?? ''}@${x.start}<->${y.what ?? ''}@${y.start}`);
    } else if (choice < 0.77 && layout.records.length) {
      const x = pick(layout.records);
      if (x.end > b.length) continue;
      const mode = int(4);
      const y = pick(layout.records);
      if (mode === 0) b = concat(b.subarray(0, x.end), b.subarray(x.start, x.end), b.subarray(x.end)); // repeat
      else if (mode === 1) b = concat(b.subarray(0, x.start), b.subarray(x.end)); // drop
      else if (y.end <= b.length && y.end - y.start === x.end - x.start) b.set(seed.subarray(x.start, x.end), y.start); // same-size overwrite
      else b = concat(b.subarray(0, x.end), b.subarray(x.start, x.end), b.subarray(x.start, x.end), b.subarray(x.end)); // repeat twice
      ops.push(`record${mode}@${x.start}-${x.end}/${y.start}`);
    } else if (choice < 0.87 && layout.tokens?.length) {
      const t = pick(layout.tokens);
      if (t.end > b.length) continue;
      const s2 = pick(BAD_NUMBERS);
      b = concat(b.subarray(0, t.start), new TextEncoder().encode(s2), b.subarray(t.end));
      ops.push(`token@${t.start}=${JSON.stringify(s2)}`);
    } else if (choice < 0.93) {
      const at = near();
      const len = 1 + int(64);
      const fill = pick([0, 0xff, 0x20, 0x0a, int(256)]);
      b.fill(fill, at, Math.min(b.length, at + len));
      ops.push(`fill${len}x${fill}@${at}`);
    } else {
      const at = near();
      const g = layout.tokens && r() < 0.6 ? new TextEncoder().encode(pick(GARBAGE)) : Uint8Array.from({ length: 1 + int(32) }, () => int(256));
      const del = int(3) === 0 ? int(32) : 0;
      b = concat(b.subarray(0, at), g, b.subarray(Math.min(b.length, at + del)));
      ops.push(`splice${g.length}-${del}@${at}`);
    }
  }
  return { bytes: b, ops };
}
