// The perf.data reader's thread table, as perf keeps it (tools/perf/util/machine.c
// machine__findnew_thread, thread.c, perf 6.1): a sample's thread is found or created by tid (the
// pid fills in when it was unknown); a new thread is named ":<tid>", tid 0 is "swapper"; COMM
// renames; FORK replaces the thread and inherits the parent's name when the parent has one.
// Thread names are interned (one id per distinct name) so a batch carries an Int32 per event.
// Lookup by tid is a typed array for tids below 2^20 (one load per sample), a Map above.

const DIRECT_TIDS = 1 << 20;

export class ThreadTable {
  /** Per thread slot: its pid (-1 unknown), its name id, whether a COMM (or swapper) named it. */
  readonly pid: number[] = [];
  readonly comm: number[] = [];
  readonly named: boolean[] = [];
  /** Name id → name. */
  readonly names: string[] = [];
  private nameId = new Map<string, number>();
  private byTid = new Int32Array(1024).fill(-1);
  private byTidOther = new Map<number, number>();

  /** `tgids` receives tid → pid for every thread whose pid is known. */
  constructor(private tgids: Map<number, number>) {
    this.create(0, 0);
  }

  intern(name: string): number {
    let id = this.nameId.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameId.set(name, id);
    }
    return id;
  }

  /** The thread's slot (perf's machine__findnew_thread). */
  findnew(pid: number, tid: number): number {
    const s = tid >= 0 && tid < this.byTid.length ? this.byTid[tid] : (this.byTidOther.get(tid) ?? -1);
    if (s < 0) return this.create(pid, tid);
    if (this.pid[s] === -1 && pid !== -1) {
      this.pid[s] = pid;
      if (pid >= 0 && tid >= 0) this.tgids.set(tid, pid);
    }
    return s;
  }

  /** COMM: the thread is renamed. */
  rename(pid: number, tid: number, name: string): void {
    const s = this.findnew(pid, tid);
    this.comm[s] = this.intern(name);
    this.named[s] = true;
  }

  /** FORK: a new thread replaces any with that tid; it inherits the parent's name. Returns that name or undefined. */
  fork(pid: number, tid: number, ppid: number, ptid: number): string | undefined {
    const parent = this.findnew(ppid, ptid);
    this.setSlot(tid, -1);
    const s = this.findnew(pid, tid);
    if (!this.named[parent]) return undefined;
    this.comm[s] = this.comm[parent];
    this.named[s] = true;
    return this.names[this.comm[parent]];
  }

  private create(pid: number, tid: number): number {
    const slot = this.pid.length;
    this.pid.push(pid);
    this.comm.push(this.intern(tid === 0 ? 'swapper' : `:${tid}`));
    this.named.push(tid === 0);
    this.setSlot(tid, slot);
    if (pid >= 0 && tid >= 0) this.tgids.set(tid, pid);
    return slot;
  }

  private setSlot(tid: number, slot: number): void {
    if (tid >= 0 && tid < DIRECT_TIDS) {
      if (tid >= this.byTid.length) {
        let n = this.byTid.length * 2;
        while (n <= tid) n *= 2;
        const next = new Int32Array(Math.min(n, DIRECT_TIDS)).fill(-1);
        next.set(this.byTid);
        this.byTid = next;
      }
      this.byTid[tid] = slot;
    } else if (slot < 0) this.byTidOther.delete(tid);
    else this.byTidOther.set(tid, slot);
  }
}
