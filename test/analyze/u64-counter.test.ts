// U64Counter (src/analyze/stats/u64-counter.ts) against a Map<bigint, number> doing the same counting,
// with the key limit exit-details uses and ties broken by the smaller key.
import { expect, it } from 'vitest';
import { U64Counter } from '../../src/analyze/stats/u64-counter.js';

it('counts 64-bit keys exactly like a Map<bigint, number>, limit and ties included', () => {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const c = new U64Counter(5000, 16);
  const m = new Map<bigint, number>();
  for (let i = 0; i < 200_000; i++) {
    const hi = i % 3 === 0 ? 0xffffffff : rand() % 4;
    const lo = 0x81c00000 + (rand() % 7000);
    const k = (BigInt(hi) << 32n) | BigInt(lo);
    c.add(hi, lo);
    if (m.size < 5000 || m.has(k)) m.set(k, (m.get(k) ?? 0) + 1);
  }
  c.add(0, 7, 5_000_000_000); // counts past 2^32 stay exact
  c.add(0, 7, 1);
  expect(c.size).toBe(5000);
  const want = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 25);
  expect(c.top(25)).toEqual(want);
  const d = new U64Counter();
  d.add(0, 7, 5_000_000_000);
  d.add(0, 7, 1);
  expect(d.top(1)).toEqual([[7n, 5_000_000_001]]);
  expect(d.top(0)).toEqual([]);
  // Keys whose halves are all ones or zero, and many keys sharing a hash fingerprint, stay apart.
  const e = new U64Counter(Infinity, 16);
  e.add(0xffffffff, 0xffffffff, 3);
  e.add(0, 0, 2);
  for (let k = 1; k <= 3000; k++) e.add(k, k * 4096);
  e.add(7, 7 * 4096, 2);
  expect(e.size).toBe(3002);
  expect(e.top(4)).toEqual([[0xffffffffffffffffn, 3], [0n, 2], [(7n << 32n) | 28672n, 3], [(1n << 32n) | 4096n, 1]].sort((a, b) => (b[1] as number) - (a[1] as number) || (a[0] < b[0] ? -1 : 1)));
});

it('counts the same whether adds are buffered, sorted by table position or applied in order', () => {
  let seed = 777;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  // No limit: whole buffers of new keys, the table doubling in the middle of a sorted pass.
  const c = new U64Counter(Infinity, 16);
  // A limit crossed inside a buffer (arrival order decides), then buffers of hits and refused keys only.
  const l = new U64Counter(9000, 16);
  const mc = new Map<bigint, number>();
  const ml = new Map<bigint, number>();
  for (let i = 0; i < 60_000; i++) {
    const hi = rand() % 3;
    const lo = i % 5 === 0 ? 42 : rand() % 40_000;
    const k = (BigInt(hi) << 32n) | BigInt(lo);
    const n = i % 1000 === 999 ? 7 : 1; // an add of n > 1 applies the buffer first
    c.add(hi, lo, n);
    l.add(hi, lo, n);
    mc.set(k, (mc.get(k) ?? 0) + n);
    if (ml.size < 9000 || ml.has(k)) ml.set(k, (ml.get(k) ?? 0) + n);
    if (i === 30_000) expect(c.size).toBe(mc.size); // size applies the buffer
  }
  const order = (m: Map<bigint, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 50);
  expect(c.size).toBe(mc.size);
  expect(c.top(50)).toEqual(order(mc));
  expect(l.size).toBe(9000);
  expect(l.top(50)).toEqual(order(ml));
  // Buffered single adds carry into the count's high word.
  const w = new U64Counter();
  w.add(1, 2, 2 ** 32 - 2);
  for (let i = 0; i < 5; i++) w.add(1, 2);
  expect(w.top(1)).toEqual([[(1n << 32n) | 2n, 2 ** 32 + 3]]);
});
