// Worker thread: walks every CPU's compressed chunk list of a v7 trace.dat (u32 count, then u32 Z,
// u32 U, Z bytes per chunk; trace-formats.md §2.7) and decompresses the chunks into the shared
// rings of chunk-ring.ts, ahead of the main thread, which decodes pages and merges. It fills the
// CPU the main thread waits for first, otherwise the emptiest ring, and sleeps when all are full.
// Anything but a clean chunk (short read, bad count, oversize, decompression error) ends that CPU
// with a HANDOFF so the main thread reproduces the single-threaded behaviour from there.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { FileSource } from '../io/byte-source.js';
import { decompressBlock, MAX_BLOCK_BYTES, type Algorithm } from './decompress.js';
import { FAILED, KIND_DATA, KIND_HANDOFF, RingWriter, SPACE_SEQ, STARTED, STOP, WANTED, type RingBuffers } from './chunk-ring.js';

export interface WorkerCpu {
  /** Where the main thread stopped: next file offset, chunks left (-1: count not read yet), block end. */
  pos: number;
  left: number;
  end: number;
}

export interface DecodeWorkerData {
  kvmtraceDecode: true;
  path: string;
  algo: Algorithm;
  little: boolean;
  cpus: WorkerCpu[];
  rings: RingBuffers;
}

const MAX_CHUNKS = 1 << 28;

interface CpuState {
  pos: number;
  left: number;
  end: number;
  done: boolean;
}

function run(d: DecodeWorkerData): void {
  const w = new RingWriter(d.rings);
  const ctrl = w.ctrl;
  Atomics.store(ctrl, STARTED, 1);
  const src = new FileSource(d.path);
  const head = new Uint8Array(8);
  const hv = new DataView(head.buffer);
  const st: CpuState[] = d.cpus.map((c) => ({ pos: c.pos, left: c.left, end: Math.min(c.end, src.size), done: false }));
  const slots = d.rings.slots;
  let active = st.length;
  const handoff = (c: number): void => {
    w.publish(c, KIND_HANDOFF, 0, 0, st[c].pos, st[c].left);
    st[c].done = true;
    active--;
  };
  const step = (c: number): void => {
    const s = st[c];
    if (s.left < 0) {
      if (s.pos + 4 > s.end || src.readInto(head, s.pos, 4) < 4) return handoff(c);
      const n = hv.getUint32(0, d.little);
      if (n > MAX_CHUNKS) return handoff(c);
      s.left = n;
      s.pos += 4;
    }
    if (s.left === 0) return handoff(c);
    const at = s.pos;
    if (at + 8 > s.end || src.readInto(head, at, 8) < 8) return handoff(c);
    const z = hv.getUint32(0, d.little);
    const u = hv.getUint32(4, d.little);
    if (at + 8 + z > s.end || u > d.rings.slotBytes || u > MAX_BLOCK_BYTES || u === 0) return handoff(c);
    const comp = src.read(at + 8, z);
    if (comp.length < z) return handoff(c);
    const off = w.slotOffset(c);
    try {
      const out = new Uint8Array(d.rings.data, off, u); // decompressed straight into the ring slot
      const plain = decompressBlock(d.algo, comp, u, at, out);
      if (plain.buffer !== out.buffer || plain.byteOffset !== off) out.set(plain);
    } catch {
      return handoff(c);
    }
    s.left--;
    s.pos = at + 8 + z;
    w.publish(c, KIND_DATA, at, u, s.pos, s.left);
  };
  try {
    while (active > 0 && Atomics.load(ctrl, STOP) === 0) {
      const seq = Atomics.load(ctrl, SPACE_SEQ);
      const want = Atomics.load(ctrl, WANTED);
      let pick = -1;
      if (want >= 0 && want < st.length && !st[want].done && w.fill(want) < slots) pick = want;
      else {
        let best = slots;
        for (let c = 0; c < st.length; c++) {
          if (st[c].done) continue;
          const f = w.fill(c);
          if (f < best) {
            best = f;
            pick = c;
          }
        }
      }
      if (pick < 0) {
        w.sleep(seq, 1000);
        continue;
      }
      step(pick);
    }
  } finally {
    src.close();
  }
}

if (!isMainThread && parentPort && (workerData as Partial<DecodeWorkerData> | null)?.kvmtraceDecode === true) {
  const d = workerData as DecodeWorkerData;
  try {
    run(d);
  } catch {
    const ctrl = new Int32Array(d.rings.ctrl);
    Atomics.store(ctrl, FAILED, 1);
    for (let i = 0; i < ctrl.length; i++) Atomics.notify(ctrl, i);
  }
}
