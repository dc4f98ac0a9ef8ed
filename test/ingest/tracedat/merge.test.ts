// The run-based merge (merge.ts) against a per-event reference (merge-pages.ts) on hand-built pages:
// same events in the same order (ties: lower CPU first), same payload bytes, pids, ids and formats,
// same lost-event records, every batch full but the last, for 1 to 40 CPUs, both byte orders,
// timestamps that tie or run backwards, unaligned and sparse pages, and any batch size (arena
// growth, a page split across batches). Also a consumer that stops early.
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../../src/diag/diagnostics.js';
import { mergeCursors } from '../../../src/ingest/tracedat/merge.js';
import { EventBatch } from '../../../src/model/event-batch.js';
import type { LostRecord } from '../../../src/model/trace-source.js';
import { cursorsOf, planPages, referenceMerge, type PlanOptions, type Want } from './merge-pages.js';

const fmtOfType = new Int32Array(65536).fill(-1);
for (let id = 1; id <= 40; id += 2) fmtOfType[id] = 100 + id; // odd ids known, even ids unknown

interface Got { events: Want[]; lost: LostRecord[]; batches: number[]; perCpu: Map<number, number> }

function merged(o: PlanOptions, batchSize: number, stopAfter = Infinity): Got {
  const got: Got = { events: [], lost: [], batches: [], perCpu: new Map() };
  const diag = new Diagnostics();
  mergeCursors(cursorsOf(planPages(o), o.little, diag), {
    batch: new EventBatch(batchSize, o.little),
    fmtOfType,
    pidOffset: 4,
    typeOffset: 0,
    little: o.little,
    lost: got.lost,
    perCpu: got.perCpu,
    onBatch: (b) => {
      got.batches.push(b.length);
      for (let i = 0; i < b.length; i++) {
        const payload = [...b.data.subarray(b.off[i], b.off[i] + b.len[i])];
        got.events.push({ ts: b.ts[i], cpu: b.cpu[i], pid: b.pid[i], type: b.type[i], fmt: b.fmt[i], payload });
      }
      return got.batches.length < stopAfter;
    },
  });
  for (const code of ['bad-record', 'bad-page']) expect(diag.has(code), code).toBe(false);
  return got;
}

function reference(o: PlanOptions): { events: Want[]; lost: LostRecord[] } {
  return referenceMerge(cursorsOf(planPages(o), o.little), fmtOfType, o.little);
}

function expectSame(got: Got, want: { events: Want[]; lost: LostRecord[] }, batchSize: number): void {
  expect(got.events.length).toBe(want.events.length);
  for (let i = 0; i < want.events.length; i++) {
    if (JSON.stringify(got.events[i]) !== JSON.stringify(want.events[i])) expect({ i, ...got.events[i] }).toEqual({ i, ...want.events[i] });
  }
  expect(got.lost).toEqual(want.lost);
  got.batches.forEach((n, k) => (k < got.batches.length - 1 ? expect(n).toBe(batchSize) : expect(n).toBeLessThanOrEqual(batchSize)));
  expect(got.batches.reduce((s, n) => s + n, 0)).toBe(want.events.length);
}

const CASES: Array<[string, Omit<PlanOptions, 'seed' | 'events'>]> = [
  ['8 CPUs, little endian', { cpus: [0, 1, 2, 3, 4, 5, 6, 7], little: true }],
  ['8 CPUs, big endian', { cpus: [0, 1, 2, 3, 4, 5, 6, 7], little: false }],
  ['4 CPUs numbered out of order, many ties', { cpus: [9, 2, 30, 5], little: true, ties: true }],
  ['3 CPUs, clocks jumping backwards', { cpus: [0, 1, 2], little: true, backwards: true }],
  ['40 CPUs with ties', { cpus: Array.from({ length: 40 }, (_, k) => 39 - k), little: true, ties: true }],
  ['1 CPU', { cpus: [3], little: true }],
  ['5 CPUs, sparse pages', { cpus: [0, 1, 2, 3, 4], little: true, sparse: true }],
];

describe('mergeCursors', () => {
  for (const [name, o] of CASES) {
    for (const batchSize of [1, 5, 333, 65536]) {
      it(`${name}, batches of ${batchSize}`, () => {
        const plan = { ...o, events: 1500, seed: 17 + batchSize };
        const want = reference(plan);
        expect(want.events.length).toBe(1500 * o.cpus.length);
        expect(want.lost.length).toBeGreaterThan(o.cpus.length > 1 ? 3 : 0);
        const got = merged(plan, batchSize);
        expectSame(got, want, batchSize);
        for (const cpu of o.cpus) expect(got.perCpu.get(cpu)).toBe(1500);
      });
    }
  }

  it('covers pages read as words, pages with unaligned events, and sparse pages', () => {
    const kinds = { words: 0, bytes: 0, sparse: 0 };
    for (const sparse of [false, true]) {
      for (const c of cursorsOf(planPages({ cpus: [0, 1], little: true, sparse, events: 1500, seed: 3 }), true)) {
        while (c.advance()) {
          kinds[c.page32 ? 'words' : 'bytes']++;
          if (!c.dense) kinds.sparse++;
          c.i = c.n - 1;
        }
      }
    }
    expect(kinds.words).toBeGreaterThan(5);
    expect(kinds.bytes).toBeGreaterThan(5);
    expect(kinds.sparse).toBeGreaterThan(5);
  });

  it('orders ties by CPU number and keeps each CPU in page order', () => {
    const plan = { cpus: [6, 1, 4], little: true, ties: true, events: 800, seed: 5 };
    const got = merged(plan, 100);
    const seq = got.events;
    let ties = 0;
    for (let i = 1; i < seq.length; i++) {
      expect(seq[i].ts >= seq[i - 1].ts).toBe(true);
      if (seq[i].ts === seq[i - 1].ts && seq[i].cpu !== seq[i - 1].cpu) {
        ties++;
        expect(seq[i].cpu > seq[i - 1].cpu).toBe(true);
      }
    }
    expect(ties).toBeGreaterThan(50);
  });

  it('merges CPU numbers repeated in a damaged file, tied timestamps included, without hanging', () => {
    const plan = { cpus: [1, 1, 2, 1], little: true, ties: true, events: 400, seed: 2 };
    const got = merged(plan, 64).events;
    const want = reference(plan).events; // the reference breaks (ts, CPU) ties by cursor order
    const key = (e: Want) => `${e.ts}/${e.cpu}/${e.payload.join()}`;
    expect(got.length).toBe(1600);
    for (let i = 1; i < got.length; i++) expect(got[i].ts >= got[i - 1].ts).toBe(true);
    expect(got.map(key).sort()).toEqual(want.map(key).sort());
    expect(got.filter((e) => e.cpu === 2).map(key)).toEqual(want.filter((e) => e.cpu === 2).map(key));
  });

  it('stops when the consumer returns false, after exactly the batches it took', () => {
    const plan = { cpus: [0, 1, 2, 3], little: true, events: 1000, seed: 9 };
    const want = reference(plan);
    const got = merged(plan, 250, 3);
    expect(got.batches).toEqual([250, 250, 250]);
    expect(got.events).toEqual(want.events.slice(0, 750));
  });
});
