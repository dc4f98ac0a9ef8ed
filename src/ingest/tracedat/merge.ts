// Merges per-CPU cursors into timestamp order: the smaller timestamp first and, on equal timestamps,
// the lower CPU, as trace-cmd's tracecmd_peek_next_data does. A cursor keeps emitting while it stays
// ahead of the best other cursor (its "rival", the smaller child of the heap's root), so the heap
// (merge-heap.ts: typed arrays of cursor indices) is touched once per run of events. Runs are short
// (13 events on average on an 8-CPU KVM host, 3 at 64 CPUs), so the per-event copy into the batch
// is the cost: it is written out flat here with locals, no call per event, and a dense page's
// payloads are copied as one span. (One scan over the head timestamps instead of the heap was
// measured too: no faster at 8 CPUs, slower from 16 on.)
import type { EventBatch } from '../../model/event-batch.js';
import type { LostRecord } from '../../model/trace-source.js';
import type { CpuCursor } from './cpu-cursor.js';
import { buildHeap, heapRival, siftDown } from './merge-heap.js';

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

const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function mergeCursors(cursors: CpuCursor[], out: MergeTarget): void {
  const m = cursors.length;
  const head = new Float64Array(m).fill(Infinity);
  const cpuOf = new Float64Array(m);
  const counts = new Float64Array(m);
  const seen: number[] = []; // cursors in the order of their first finished run (the Map's order)
  for (let k = 0; k < m; k++) {
    cpuOf[k] = cursors[k].cpu;
    if (cursors[k].advance()) head[k] = cursors[k].ts[cursors[k].i];
  }
  const heap = buildHeap(head, cpuOf);
  let heapLen = heap.length;
  const flushCounts = (): void => {
    for (const k of seen) out.perCpu.set(cpuOf[k], (out.perCpu.get(cpuOf[k]) ?? 0) + counts[k]);
  };

  const { batch, fmtOfType, little, lost, onBatch } = out;
  const pidOff = out.pidOffset;
  const typeOff = out.typeOffset;
  // Common header at its usual place, read as two words: u16 type in the first, s32 pid the second.
  const headerWords = little && HOST_LITTLE && typeOff === 0 && pidOff === 4;
  const cap = batch.capacity;
  let bl = batch.length;
  let du = batch.dataUsed;
  let { ts: bts, cpu: bcpu, pid: bpid, fmt: bfmt, type: btype, off: boff, len: blen, data } = batch;
  let dcap = data.length;
  // A dense page's events are copied as one span per batch (one native copy instead of one loop per
  // event); the arena then also holds the record headers between them. spanGen[k] is the batch
  // generation that holds cursor k's current span (0: none), spanBase[k] the arena offset of its page.
  let gen = 1;
  const spanGen = new Int32Array(m);
  const spanBase = new Int32Array(m);

  while (heapLen > 0) {
    const b = heap[0];
    let rivalTs = Infinity;
    let rivalCpu = 0;
    const r = heapRival(heap, heapLen, head, cpuOf);
    if (r >= 0) {
      rivalTs = head[r];
      rivalCpu = cpuOf[r];
    }
    const c = cursors[b];
    const cpu = c.cpu;
    // Ties go to the lower CPU. A CPU number repeated in a damaged file ties with itself: the root
    // then goes first (a strict compare would leave it at the root emitting nothing, forever).
    const ahead = cpu <= rivalCpu;
    let count = 0;
    let ended = false;
    for (;;) {
      if (c.missed !== 0) {
        lost.push({ cpu, count: c.missed, beforeTs: c.ts[c.i] });
        c.missed = 0;
      }
      const page = c.page;
      const tsA = c.ts;
      const startA = c.start;
      const lenA = c.len;
      const p32 = c.page32;
      const base32 = c.base32;
      const n = c.n;
      const dense = c.dense;
      const spanEnd = n > 0 ? startA[n - 1] + lenA[n - 1] : 0;
      const wordHeader = p32 !== null && headerWords;
      let copied = spanGen[b];
      let base = spanBase[b];
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
        if (wordHeader) {
          if (len >= 8) {
            const w = base32 + (s >> 2);
            type = p32![w] & 0xffff;
            pid = p32![w + 1];
          }
        } else if (len >= pidOff + 4) {
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
        bts[bl] = t;
        bcpu[bl] = cpu;
        bpid[bl] = pid;
        bfmt[bl] = fmtOfType[type];
        btype[bl] = type;
        blen[bl] = len;
        if (dense) {
          if (copied !== gen) {
            const span = spanEnd - s;
            if (du + span > dcap) {
              batch.dataUsed = du;
              batch.reserve(span);
              data = batch.data;
              dcap = data.length;
            }
            data.set(page.subarray(s, spanEnd), du);
            base = du - s;
            du += span;
            copied = gen;
          }
          boff[bl] = base + s;
        } else {
          if (du + len > dcap) {
            batch.dataUsed = du;
            batch.reserve(len);
            data = batch.data;
            dcap = data.length;
          }
          boff[bl] = du;
          if (len <= 64) {
            for (let q = 0; q < len; q++) data[du + q] = page[s + q];
          } else data.set(page.subarray(s, s + len), du);
          du += len;
        }
        count++;
        if (++bl === cap) {
          batch.length = bl;
          batch.dataUsed = du;
          const more = onBatch(batch);
          batch.reset();
          gen++;
          if (more === false) {
            flushCounts();
            return;
          }
          bl = batch.length;
          du = batch.dataUsed;
          ({ ts: bts, cpu: bcpu, pid: bpid, fmt: bfmt, type: btype, off: boff, len: blen, data } = batch);
          dcap = data.length;
        }
      }
      if (stop) {
        c.i = i;
        spanGen[b] = copied;
        spanBase[b] = base;
        break;
      }
      c.i = n - 1;
      spanGen[b] = 0;
      if (!c.advance()) {
        if (c.missed !== 0) lost.push({ cpu, count: c.missed, beforeTs: NaN });
        ended = true;
        break;
      }
      const t = c.ts[c.i];
      if (t > rivalTs || (t === rivalTs && !ahead)) break;
    }
    if (counts[b] === 0 && !seen.includes(b)) seen.push(b);
    counts[b] += count;
    if (ended) {
      head[b] = Infinity;
      const last = heap[--heapLen];
      if (heapLen > 0) {
        heap[0] = last;
        siftDown(heap, heapLen, 0, head, cpuOf);
      }
    } else {
      head[b] = c.ts[c.i];
      siftDown(heap, heapLen, 0, head, cpuOf);
    }
  }
  flushCounts();
  if (bl > 0) {
    batch.length = bl;
    batch.dataUsed = du;
    onBatch(batch);
    batch.reset();
  }
}
