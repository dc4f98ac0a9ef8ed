// The ordering queue: stable (ts, insertion) order, partial flushes keep the rest sorted, and
// compaction keeps payloads and side events attached to their items.
import { describe, expect, it } from 'vitest';
import { OrderedQueue } from '../../../src/ingest/perf/ordered-queue.js';

function drain(q: OrderedQueue<string>, limit: number): string[] {
  const out: string[] = [];
  q.flush(limit, (i) => {
    const f = q.fmt[i];
    out.push(f <= -2 ? `side:${q.side[-2 - f]}@${q.ts[i]}` : `${q.ts[i]}:${String.fromCharCode(...q.data.subarray(q.off[i], q.off[i] + q.len[i]))}`);
    return true;
  });
  return out;
}

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('OrderedQueue', () => {
  it('merges per-CPU runs stably and keeps what is past the limit', () => {
    const q = new OrderedQueue<string>(4);
    // CPU 0's run, then CPU 1's run, with equal timestamps across them.
    for (const [t, s] of [[1, 'a'], [3, 'b'], [5, 'c'], [2, 'd'], [3, 'e'], [6, 'f']] as const) q.push(t, 0, 1, 1, 0, 0, enc(s), 0, 1);
    q.pushSide(3, 0, 1, 1, 'comm');
    expect(q.maxTs).toBe(6);
    expect(drain(q, 3)).toEqual(['1:a', '2:d', '3:b', '3:e', 'side:comm@3']);
    // New items arrive; an equal timestamp goes after the kept one.
    q.push(5, 0, 1, 1, 0, 0, enc('g'), 0, 1);
    q.push(4, 0, 1, 1, 0, 0, enc('h'), 0, 1);
    expect(drain(q, Infinity)).toEqual(['4:h', '5:c', '5:g', '6:f']);
    expect(q.live).toBe(0);
  });

  it('compacts without losing payloads or side events', () => {
    const q = new OrderedQueue<string>(16);
    for (let i = 0; i < 10000; i++) q.push(i, 0, 1, 1, 0, 0, enc(String(i % 10)), 0, 1);
    q.pushSide(9999.5, 0, 1, 1, 'x');
    expect(drain(q, 9000).length).toBe(9001); // keeps 1000 items: compaction (1000 * 4 < 10001)
    for (let i = 10000; i < 10010; i++) q.push(i - 5000, 0, 1, 1, 0, 0, enc('n'), 0, 1);
    const rest = drain(q, Infinity);
    expect(rest.slice(0, 10).every((s) => s.endsWith(':n'))).toBe(true);
    expect(rest[10]).toBe('9001:1');
    expect(rest).toContain('side:x@9999.5');
    expect(rest.length).toBe(10 + 999 + 1);
  });

  it('keeps every payload byte whatever its length and alignment, through compaction', () => {
    const q = new OrderedQueue<string>(8);
    const big = Uint8Array.from({ length: 4096 }, (_, k) => (k * 7 + 3) & 255);
    const odd = new Uint8Array(big.buffer, 1, 4000); // a source whose words are not aligned
    const want: string[] = [];
    let t = 0;
    for (let r = 0; r < 16; r++) {
      for (let len = 0; len <= 70; len++) {
        for (const [src, s] of [[big, 4 * len], [big, 4 * len + 1], [odd, 8 * len], [big, 4096 - len]] as const) {
          q.push(t, 0, 1, 1, 0, 0, src, s, len);
          want.push(`${t}:${String.fromCharCode(...src.subarray(s, s + len))}`);
          t++;
        }
      }
    }
    // Deliver most of it (4544 items, 39 kept: compaction), then the rest: every payload intact.
    const first = drain(q, t - 40);
    expect(first.length).toBe(t - 39);
    const rest = drain(q, Infinity);
    expect([...first, ...rest]).toEqual(want);
  });

  it('sort() and keep(): due items in order, the rest kept sorted', () => {
    const q = new OrderedQueue<string>(4);
    for (const x of [5, 1, 4, 2, 3, 9, 7]) q.push(x, 0, 1, 1, 0, 0, enc('p'), 0, 1);
    const due = q.sort(4);
    expect(due).toBe(4);
    expect([...q.order.subarray(0, 7)].map((i) => q.ts[i])).toEqual([1, 2, 3, 4, 5, 7, 9]);
    q.keep(due);
    expect(q.live).toBe(3);
    expect(drain(q, Infinity)).toEqual(['5:p', '7:p', '9:p']);
  });
});
