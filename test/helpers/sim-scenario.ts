// Test helper: a writer scenario that exercises every page-encoding case (small and type_len-0
// records, strings, signed values, time extends, padding, absolute stamps, lost events, buffer
// instances), shared by the writer's own round trip through trace-cmd (test/sim) and the reader's
// ground-truth tests (test/ingest/tracedat).
import { loadFormatSet } from '../../src/sim/format-set.js';
import { TraceDatWriter, type SimEvent, type WriterOptions } from '../../src/sim/tracedat-writer.js';

export const FORMATS = loadFormatSet('fixtures/formats/linux-6.18');

export type Step = { ev: SimEvent; inst?: string } | { drop: number | 'unknown'; cpu: number; inst?: string }
  | { pad: bigint; cpu: number } | { abs: bigint; cpu: number };

/** A scenario exercising small/large records, strings, signed values, gaps and lost events. */
export function scenario(instances: string[]): Step[] {
  const s: Step[] = [];
  let t = 1_000_000_000n;
  for (let i = 0; i < 400; i++) {
    t += BigInt(1137 + (i % 7) * 1000);
    if (i === 150) s.push({ drop: 42, cpu: 0 });
    if (i === 250) s.push({ drop: 'unknown', cpu: 0 });
    if (i === 300) t += 200_000_000n; // > 2^27 ns: time extend
    if (i === 320) t += 5_000_000_000n;
    if (i === 100) s.push({ pad: t - 50n, cpu: 0 });
    if (i === 120) s.push({ abs: t - 20n, cpu: 0 });
    s.push({ ev: { cpu: 0, ts: t, event: 'kvm_exit', pid: 2001, values: {
      exit_reason: i % 60, guest_rip: 0xffffffff81000000n + BigInt(i), isa: 1, info1: 0xdeadbeefcafef00dn,
      info2: BigInt(i) << 40n, intr_info: 0x800000ec, error_code: i, vcpu_id: 3, requests: 0n } } });
    s.push({ ev: { cpu: 0, ts: t + 700n, event: 'kvm_entry', pid: 2001, values: { vcpu_id: 3, rip: 0x7fff0000n + BigInt(i), immediate_exit: i & 1 } } });
  }
  let u = 1_000_000_500n;
  for (let i = 0; i < 60; i++) {
    u += 3_000_000n;
    s.push({ ev: { cpu: 1, ts: u, event: 'sched_switch', pid: 100 + i, values: {
      prev_comm: `task-${i}`, prev_pid: 100 + i, prev_prio: -5 - i, prev_state: i % 3, next_comm: i === 7 ? 'abcdefghijklmnop' : 'swapper/1',
      next_pid: 0, next_prio: 120 } } });
    if (i % 10 === 0) s.push({ ev: { cpu: 1, ts: u + 10n, event: 'kvm_nested_vmenter_failed', pid: 7, values: { msg: `vmenter failed ${'#'.repeat(150 + i)}`, err: i } } });
    if (i % 10 === 5) s.push({ ev: { cpu: 1, ts: u + 20n, event: 'print', pid: 7, values: { ip: 0xffffffff8100abcdn, buf: 'p'.repeat(300 + i) } } });
    if (i % 10 === 6) s.push({ ev: { cpu: 1, ts: u + 30n, event: 'irq_handler_entry', pid: 0, values: { irq: 33, name: 'eth0-TxRx-0' } } });
  }
  for (const inst of instances) {
    let v = 1_000_000_100n;
    for (let i = 0; i < 30; i++) {
      v += 12_345n;
      if (i === 10) s.push({ drop: 9, cpu: 1, inst });
      s.push({ inst, ev: { cpu: 1, ts: v, event: 'sched_waking', pid: 300 + i, values: { comm: `w${i}`, pid: 400 + i, prio: 120, target_cpu: i % 3 } } });
    }
  }
  return s;
}

export function write(path: string, opts: WriterOptions, steps: Step[]): void {
  const w = new TraceDatWriter(FORMATS, opts);
  for (const st of steps) {
    if ('ev' in st) w.add(st.ev, st.inst ?? '');
    else if ('drop' in st) w.addMissedEvents(st.cpu, st.drop, st.inst ?? '');
    else if ('pad' in st) w.addPadding(st.cpu, st.pad, 12);
    else w.addAbsoluteTimestamp(st.cpu, st.abs);
  }
  w.finishSync(path);
}


/** Writer variants both the writer's trace-cmd round trip and the reader's tests go through: name, options, instances. */
export const WRITER_VARIANTS: Array<[string, Partial<WriterOptions>, string[]]> = [
  ['v6', { version: 6 }, []],
  ['v7', { version: 7 }, []],
  ['v6 big-endian', { version: 6, bigEndian: true }, []],
  ['v7 big-endian', { version: 7, bigEndian: true }, []],
  ['v6 4-byte kernel longs', { version: 6, longSize: 4 }, []],
  ['v7 4-byte longs big-endian', { version: 7, longSize: 4, bigEndian: true }, []],
  ['v6 8 KiB pages', { version: 6, pageSize: 8192 }, []],
  ['v7 16 KiB pages', { version: 7, pageSize: 16384 }, []],
  ['v7 forced 8-byte alignment (type_len 0 records)', { version: 7, force8ByteAlign: true }, []],
  ['v6 two instances', { version: 6, instances: [{ name: 'foo' }, { name: 'bar' }] }, ['foo', 'bar']],
  ['v7 instance with its own page size', { version: 7, pageSize: 16384, instances: [{ name: 'foo', pageSize: 8192 }] }, ['foo']],
  ['v7 unchained options', { version: 7, chainOptions: false, instances: [{ name: 'foo' }] }, ['foo']],
];
