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
  while (heap.length > 0) {
    const c = heap[0];
    // The best competitor is the smaller child of the root.
    let rival: CpuCursor | null = null;
    if (heap.length > 1) rival = heap.length > 2 && before(heap[2], heap[1]) ? heap[2] : heap[1];
    let count = 0;
    for (;;) {
      if (c.missed !== 0) {
        out.lost.push({ cpu: c.cpu, count: c.missed, beforeTs: c.ts[c.i] });
        c.missed = 0;
      }
      const page = c.page;
      const s = c.start[c.i];
      const len = c.len[c.i];
      let type = 0;
      let pid = 0;
      if (len >= out.pidOffset + 4) {
        type = little ? page[s + out.typeOffset] | (page[s + out.typeOffset + 1] << 8) : (page[s + out.typeOffset] << 8) | page[s + out.typeOffset + 1];
        const p = s + out.pidOffset;
        pid = little
          ? page[p] | (page[p + 1] << 8) | (page[p + 2] << 16) | (page[p + 3] << 24)
          : (page[p] << 24) | (page[p + 1] << 16) | (page[p + 2] << 8) | page[p + 3];
      }
      batch.push(c.ts[c.i], c.cpu, pid, fmtOfType[type], type, page, s, len);
      count++;
      if (batch.full) {
        const more = out.onBatch(batch);
        batch.reset();
        if (more === false) return;
      }
      if (!c.advance()) {
        if (c.missed !== 0) out.lost.push({ cpu: c.cpu, count: c.missed, beforeTs: NaN });
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          siftDown(heap, 0);
        }
        break;
      }
      if (rival && !before(c, rival)) {
        siftDown(heap, 0);
        break;
      }
    }
    out.perCpu.set(c.cpu, (out.perCpu.get(c.cpu) ?? 0) + count);
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
