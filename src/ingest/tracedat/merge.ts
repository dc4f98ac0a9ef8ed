// Merges per-CPU cursors into timestamp order with a small binary heap keyed by (timestamp, cpu):
// the smaller timestamp first and, on equal timestamps, the lower CPU, as trace-cmd's
// tracecmd_peek_next_data does. A cursor keeps emitting while it stays ahead of the best other
// cursor, so the heap is touched once per run of events, not once per event.
import type { EventBatch } from '../../model/event-batch.js';
import type { LostRecord } from '../../model/trace-source.js';
import type { CpuCursor } from './cpu-cursor.js';

export interface MergeTarget {
  batch: EventBatch;
  /** Event id → format index (-1 unknown). */
  fmtOfType: Int32Array;
  pidOffset: number;
  typeOffset: number;
  little: boolean;
  lost: LostRecord[];
  onBatch: (b: EventBatch) => boolean | void;
  /** Counts of events per CPU, filled as they are emitted. */
  perCpu: Map<number, number>;
}

function before(a: CpuCursor, b: CpuCursor): boolean {
  const ta = a.ts[a.i];
  const tb = b.ts[b.i];
  return ta < tb || (ta === tb && a.cpu < b.cpu);
}

export function mergeCursors(cursors: CpuCursor[], out: MergeTarget): void {
  const heap: CpuCursor[] = [];
  for (const c of cursors) if (c.advance()) heap.push(c);
  // heapify
  for (let k = (heap.length >> 1) - 1; k >= 0; k--) siftDown(heap, k);
  const batch = out.batch;
  const fmtOfType = out.fmtOfType;
  const little = out.little;
  const pidOff = out.pidOffset;
  const typeOff = out.typeOffset;
  while (heap.length > 0) {
    const c = heap[0];
    // The best competitor is the smaller child of the root; it does not move during this run.
    let rivalTs = Infinity;
    let rivalCpu = 0;
    if (heap.length > 1) {
      const r = heap.length > 2 && before(heap[2], heap[1]) ? heap[2] : heap[1];
      rivalTs = r.ts[r.i];
      rivalCpu = r.cpu;
    }
    const cpu = c.cpu;
    const ahead = cpu < rivalCpu;
    let count = 0;
    for (;;) {
      if (c.missed !== 0) {
        out.lost.push({ cpu, count: c.missed, beforeTs: c.ts[c.i] });
        c.missed = 0;
      }
      // Hot loop over the current page: locals instead of property loads (written out by hand).
      const page = c.page;
      const tsA = c.ts;
      const startA = c.start;
      const lenA = c.len;
      const n = c.n;
      let i = c.i;
      let stop = false;
      for (; i < n; i++) {
        const t = tsA[i];
        if (t > rivalTs || (t === rivalTs && !ahead)) {
          stop = true;
          break;
        }
        const s = startA[i];
        const len = lenA[i];
        let type = 0;
        let pid = 0;
        if (len >= pidOff + 4) {
          const q = s + typeOff;
          const p = s + pidOff;
          if (little) {
            type = page[q] | (page[q + 1] << 8);
            pid = page[p] | (page[p + 1] << 8) | (page[p + 2] << 16) | (page[p + 3] << 24);
          } else {
            type = (page[q] << 8) | page[q + 1];
            pid = (page[p] << 24) | (page[p + 1] << 16) | (page[p + 2] << 8) | page[p + 3];
          }
        }
        batch.push(t, cpu, pid, fmtOfType[type], type, page, s, len);
        count++;
        if (batch.full) {
          const more = out.onBatch(batch);
          batch.reset();
          if (more === false) return;
        }
      }
      if (stop) {
        c.i = i;
        siftDown(heap, 0);
        break;
      }
      c.i = n - 1;
      if (!c.advance()) {
        if (c.missed !== 0) out.lost.push({ cpu, count: c.missed, beforeTs: NaN });
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          siftDown(heap, 0);
        }
        break;
      }
      if (c.ts[c.i] > rivalTs || (c.ts[c.i] === rivalTs && !ahead)) {
        siftDown(heap, 0);
        break;
      }
    }
    out.perCpu.set(cpu, (out.perCpu.get(cpu) ?? 0) + count);
  }
  if (batch.length > 0) {
    out.onBatch(batch);
    batch.reset();
  }
}

function siftDown(h: CpuCursor[], k: number): void {
  const n = h.length;
  const x = h[k];
  for (;;) {
    let m = 2 * k + 1;
    if (m >= n) break;
    if (m + 1 < n && before(h[m + 1], h[m])) m++;
    if (!before(h[m], x)) break;
    h[k] = h[m];
    k = m;
  }
  h[k] = x;
}
