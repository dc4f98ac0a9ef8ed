// Dense numbers for thread ids, shared by the analyses of one run (Dispatcher.tids): per-thread
// state lives in arrays indexed by these numbers instead of one Map<tid, …> lookup per analysis per
// event. Thread ids below 2^22 (the kernel's PID_MAX_LIMIT, include/linux/threads.h) are looked up
// in pages of 4096 slots made on first use (two array reads, no hashing); any other value an
// untrusted trace carries (negative, huge) goes through a Map.

const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
/** Thread ids below this are paged: PID_MAX_LIMIT on 64-bit kernels. */
const PAGED = 1 << 22;
/** The page of every range no thread was seen in (all zero, never written). */
const EMPTY = new Int32Array(PAGE);

export class TidIndex {
  /** Page per 4096 thread ids; slot = index + 1, 0 for none yet. */
  private readonly pages: Int32Array[] = new Array<Int32Array>(PAGED >>> PAGE_BITS).fill(EMPTY);
  private readonly other = new Map<number, number>();
  /** Thread id of each index. */
  readonly tids: number[] = [];

  /** Numbers handed out so far (indexes are 0 .. size − 1). */
  get size(): number {
    return this.tids.length;
  }

  /** The index of `tid`, given a new one on first sight. */
  of(tid: number): number {
    if (tid >= 0 && tid < PAGED) {
      const v = this.pages[tid >>> PAGE_BITS][tid & (PAGE - 1)];
      if (v !== 0) return v - 1;
    }
    return this.add(tid);
  }

  private add(tid: number): number {
    if (tid >= 0 && tid < PAGED) {
      let p = this.pages[tid >>> PAGE_BITS];
      if (p === EMPTY) this.pages[tid >>> PAGE_BITS] = p = new Int32Array(PAGE);
      const k = this.tids.length;
      this.tids.push(tid);
      p[tid & (PAGE - 1)] = k + 1;
      return k;
    }
    let k = this.other.get(tid);
    if (k === undefined) {
      k = this.tids.length;
      this.tids.push(tid);
      this.other.set(tid, k);
    }
    return k;
  }
}
