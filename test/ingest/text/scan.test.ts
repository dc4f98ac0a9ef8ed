// The line scanner on one real-shaped line per grammar and variant.
import { describe, expect, it } from 'vitest';
import { memoryChunks } from '../../../src/ingest/text/chunks.js';
import { forEachLine } from '../../../src/ingest/text/lines.js';
import { K_CPUS, K_EVENT, K_LOST, K_SKIP, K_UNPARSED, LineRecord, scanLine, type ScanMode } from '../../../src/ingest/text/scan.js';

const TC: ScanMode = { prefix: true, stripIpSym: false, callchain: false, noTs: false };
const PERF: ScanMode = { prefix: false, stripIpSym: false, callchain: true, noTs: false };
const FT: ScanMode = { prefix: false, stripIpSym: false, callchain: false, noTs: false };
const EX: ScanMode = { prefix: false, stripIpSym: false, callchain: false, noTs: true, isKnownEvent: () => true };

interface Got {
  kind: number;
  buf?: string;
  comm?: string;
  pid: number;
  tgid: number;
  cpu: number;
  ts?: string;
  system?: string;
  event?: string;
  payload?: string;
  flags: number;
  preempt: number;
}

function scan(line: string, m: ScanMode): Got {
  const r = new LineRecord();
  const kind = scanLine(line, 0, line.length, m, r);
  const sl = (a: number, b: number) => (a >= 0 ? line.slice(a, b) : undefined);
  return {
    kind,
    buf: sl(r.bufStart, r.bufEnd),
    comm: sl(r.commStart, r.commEnd),
    pid: r.pid,
    tgid: r.tgid,
    cpu: r.cpu,
    ts: r.tsKind === 0 ? undefined : `${r.tsHi}:${r.tsLo}`,
    system: sl(r.sysStart, r.sysEnd),
    event: sl(r.evStart, r.evEnd),
    payload: sl(r.payStart, r.payEnd),
    flags: r.flags,
    preempt: r.preempt,
  };
}

describe('trace-cmd report lines', () => {
  it('default layout with a comm containing a space and a slash', () => {
    const g = scan('       CPU 0/KVM-8793  [000]  2180.012539: hrtimer_expire_entry: hrtimer=0xffff888627c1c6f8 now=2179992003888', TC);
    expect(g).toMatchObject({ kind: K_EVENT, comm: 'CPU 0/KVM', pid: 8793, cpu: 0, ts: '2180:12539000', event: 'hrtimer_expire_entry', payload: 'hrtimer=0xffff888627c1c6f8 now=2179992003888' });
    expect(g.system).toBeUndefined();
  });
  it('-t nanoseconds, comm with dashes and a colon', () => {
    expect(scan('  kvm-nx-lpage-re-1234  [001]  2180.010493780: sched_switch:         kvm-nx-lpage-re:1234 [120] S ==> kworker/1:1:41 [120]', TC)).toMatchObject({
      comm: 'kvm-nx-lpage-re', pid: 1234, cpu: 1, ts: '2180:10493780', event: 'sched_switch',
    });
    expect(scan('     kworker/1:1-41    [001]  2180.010493: sched_switch: x', TC)).toMatchObject({ comm: 'kworker/1:1', pid: 41 });
    expect(scan('      vhost-1234-1240  [001]  2180.010493: kvm_fpu: load', TC)).toMatchObject({ comm: 'vhost-1234', pid: 1240 });
  });
  it('counter clock: integer glued to the CPU column', () => {
    expect(scan('            bash-8330  [000]4275369287556: print:                tracing_mark_write: hi', TC)).toMatchObject({
      cpu: 0, ts: '4275:369287556', event: 'print', payload: 'tracing_mark_write: hi',
    });
  });
  it('-l latency layout', () => {
    expect(scan('CPU 0/KV-8793    0dNs2.  2180.012575: sched_waking:         comm=ksoftirqd/0 pid=14', TC)).toMatchObject({
      comm: 'CPU 0/KV', pid: 8793, cpu: 0, event: 'sched_waking', flags: 0x01 | 0x24 | 0x10, preempt: 2,
    });
  });
  it('instance and multi-input prefixes', () => {
    expect(scan('foo:             bash-7470  [000]  2090.736568: sched_wakeup:         rcu_preempt:15 [120] CPU:000', TC)).toMatchObject({ buf: 'foo', comm: 'bash', pid: 7470 });
    expect(scan('    b.dat:             node-8526  [000]  2159.340542: hrtimer_start: x', TC)).toMatchObject({ buf: 'b.dat', comm: 'node' });
    expect(scan('     bash-7470  [000]  2090.736568: sched_wakeup: x', TC).buf).toBeUndefined();
  });
  it('headers and lost events', () => {
    expect(scan('cpus=2', TC).kind).toBe(K_CPUS);
    expect(scan('version = 6', TC).kind).toBe(K_SKIP);
    expect(scan('CPU 47 is empty', TC).kind).toBe(K_SKIP);
    const r = new LineRecord();
    expect(scanLine('CPU:1 [56833 EVENTS DROPPED]', 0, 28, TC, r)).toBe(K_LOST);
    expect([r.lostCpu, r.lostCount]).toEqual([1, 56833]);
    const l = '    b.dat: CPU:0 [EVENTS DROPPED]';
    expect(scanLine(l, 0, l.length, TC, r)).toBe(K_LOST);
    expect([r.lostCpu, r.lostCount, l.slice(r.bufStart, r.bufEnd)]).toEqual([0, -1, 'b.dat']);
  });
});

describe('perf script lines', () => {
  it('default layout', () => {
    expect(scan('       CPU 0/KVM  8795 [000]  2180.684616: timer:hrtimer_expire_entry: hrtimer=0xffff888627c1c6f8 function=tick_nohz_handler now=2180684003218', PERF)).toMatchObject({
      kind: K_EVENT, comm: 'CPU 0/KVM', pid: 8795, cpu: 0, ts: '2180:684616000', system: 'timer', event: 'hrtimer_expire_entry',
    });
  });
  it('-F +pid --ns, period column, no cpu', () => {
    expect(scan('            perf  8850/8851  [000]  2180.680790219:         sched:sched_waking: comm=migration/0 pid=18', PERF)).toMatchObject({
      comm: 'perf', pid: 8851, tgid: 8850, cpu: 0, ts: '2180:680790219', system: 'sched', event: 'sched_waking',
    });
    expect(scan('            perf  8850 [000]  2180.680790:          1         sched:sched_waking: comm=x pid=18', PERF)).toMatchObject({ event: 'sched_waking', payload: 'comm=x pid=18' });
    expect(scan('  kvm-pit/8760  8761  2180.680790: kvm:kvm_pic_set_irq: chip PIC master pin 0 (edge)', PERF)).toMatchObject({ comm: 'kvm-pit/8760', pid: 8761, cpu: -1 });
  });
  it('ip/sym columns after the payload are stripped in that mode', () => {
    const line = '            perf  8850 [000]  2180.680790:          1         sched:sched_waking: comm=migration/0 pid=18 prio=0 target_cpu=000 ffffffff8139ba69 __traceiter_sched_waking ([kernel.kallsyms])';
    expect(scan(line, { ...PERF, stripIpSym: true }).payload).toBe('comm=migration/0 pid=18 prio=0 target_cpu=000');
  });
  it('callchain lines are skipped, other junk is not', () => {
    expect(scan('\tffffffff8139ba69 __traceiter_sched_waking+0x49 ([kernel.kallsyms])', PERF).kind).toBe(K_SKIP);
    expect(scan('# ========', PERF).kind).toBe(K_SKIP);
    expect(scan('hello world', PERF).kind).toBe(K_UNPARSED);
  });
});

describe('ftrace lines', () => {
  it('flags column and tgid column', () => {
    expect(scan('       CPU 0/KVM-8793    [000] d.h2.  2180.012539: hrtimer_expire_entry: hrtimer=0x1', FT)).toMatchObject({
      comm: 'CPU 0/KVM', pid: 8793, cpu: 0, flags: 0x09, preempt: 2, event: 'hrtimer_expire_entry',
    });
    expect(scan('       CPU 0/KVM-8793    (   8790) [000] ....  2180.012539: kvm_fpu: load', FT)).toMatchObject({ pid: 8793, tgid: 8790, cpu: 0, flags: 0 });
    expect(scan('          <idle>-0       (-------) [001] dNh1.  2180.012539: kvm_fpu: load', FT)).toMatchObject({ comm: '<idle>', pid: 0, tgid: -1 });
    const r = new LineRecord();
    const l = 'CPU:1 [LOST 120 EVENTS]';
    expect(scanLine(l, 0, l.length, FT, r)).toBe(K_LOST);
    expect(r.lostCount).toBe(120);
  });
});

describe('excerpts', () => {
  it('bare timestamps, integer timestamps, cpu only, comm only, no timestamp', () => {
    expect(scan(' 220.696238: kvm_apic_ipi: dst b0 vec 176 (Fixed|physical|assert|edge|self)', EX)).toMatchObject({ kind: K_EVENT, pid: -1, cpu: -1, ts: '220:696238000', event: 'kvm_apic_ipi' });
    expect(scan('87162647182125: kvm_halt_poll_ns: vcpu 0: halt_poll_ns 10000 (grow 0)', EX)).toMatchObject({ ts: '87162:647182125', event: 'kvm_halt_poll_ns', payload: 'vcpu 0: halt_poll_ns 10000 (grow 0)' });
    expect(scan('    [001]   770.850287:                      kvm:kvm_entry: vcpu 0, rip 0x100146', EX)).toMatchObject({ cpu: 1, pid: -1, system: 'kvm', event: 'kvm_entry' });
    expect(scan('preempt_test  20677.199579:      kvm:kvm_exit: reason PREEMPTION_TIMER rip 0x40274d info 0 0 intr 0', EX)).toMatchObject({ comm: 'preempt_test', pid: -1 });
    expect(scan('kvm_exit:             reason EXIT_RSM rip 0x7ffbb280 info 0 0', EX)).toMatchObject({ kind: K_EVENT, ts: undefined, event: 'kvm_exit', payload: 'reason EXIT_RSM rip 0x7ffbb280 info 0 0' });
    expect(scan('     kvm_pv_test-53132: kvm_hypercall: nr 0x0 a0 0x0', EX)).toMatchObject({ kind: K_EVENT, comm: 'kvm_pv_test', pid: 53132, event: 'kvm_hypercall' });
    expect(scan('kvm_exit: x', { ...EX, isKnownEvent: () => false }).kind).toBe(K_UNPARSED);
  });
});

describe('non-ASCII characters', () => {
  // U+013A ĺ, U+0120 Ġ, U+015B ś, U+015D ŝ, U+0130 İ, U+012D ĭ: their low bytes are `:`, space, `[`, `]`, `0`, `-`.
  // The scanner reads a shape of the line (lines.ts shapeOf, 255 for each of them), never a delimiter.
  const comm = 'wĺĠśİŝĭ';
  it('whose low byte is a delimiter are not read as one, in a separate string and in a UTF-8 part', () => {
    const line = `  ${comm}-12 [001] 5.000001: sched:sched_waking: comm=xĺĠ pid=1 prio=2 target_cpu=001`;
    const want = { kind: K_EVENT, comm, pid: 12, tgid: -1, cpu: 1, ts: '5:1000', system: 'sched', event: 'sched_waking', payload: 'comm=xĺĠ pid=1 prio=2 target_cpu=001', flags: -1, preempt: -1, buf: undefined };
    expect(scan(line, FT)).toEqual(want);
    const got: Got[] = [];
    forEachLine(memoryChunks(new TextEncoder().encode(`${line}\n${line}\n`)), (s, a, b) => {
      const r = new LineRecord();
      expect(scanLine(s, a, b, FT, r)).toBe(K_EVENT);
      got.push({ kind: K_EVENT, buf: undefined, comm: s.slice(r.commStart, r.commEnd), pid: r.pid, tgid: r.tgid, cpu: r.cpu, ts: `${r.tsHi}:${r.tsLo}`, system: s.slice(r.sysStart, r.sysEnd), event: s.slice(r.evStart, r.evEnd), payload: s.slice(r.payStart, r.payEnd), flags: r.flags, preempt: r.preempt });
    });
    expect(got).toEqual([want, want]);
  });
  it('standing where a timestamp, CPU or pid would be leave the line unparsed', () => {
    expect(scan('  a-1 [00İ] 5.000001: sched:sched_waking: x', FT)).toMatchObject({ kind: K_UNPARSED });
    expect(scan('  a-1 [001] 5.00000İ: sched:sched_waking: x', FT)).toMatchObject({ kind: K_UNPARSED });
    expect(scan('  a-1 [001] 5.000001ĺ sched:sched_waking: x', FT)).toMatchObject({ kind: K_UNPARSED });
    expect(scan('  aĭ1 [001] 5.000001: sched:sched_waking: x', FT)).toMatchObject({ kind: K_EVENT, comm: 'aĭ1', pid: -1 });
  });
});

describe('the byte paths (lines of an ASCII part, tokens read before) scan as the string path does', () => {
  it('every field of every line, on a first and a second pass', () => {
    const lines = [
      '            perf  6951 [000]   469.733755:         sched:sched_switch: prev_comm=perf prev_pid=6951 ==> next_comm=a next_pid=1',
      '     migration/0    18 [000]   469.733758:         sched:sched_waking: comm=perf pid=6951 prio=120 target_cpu=000',
      '            perf  6951 [000]   469.733759:    1 sched:sched_waking: comm=x pid=1 prio=2 target_cpu=003',
      '            perf  6951 [000]   469.733760: sched:sched_waking:',
      '            perf  6951 [000]   469.733761: sched:sched_waking:\tcomm=x pid=1',
      '            perf  6951 [000]   469.733762: sched:sched_waking:x comm=y',
      '       CPU 0/KVM-8793  [000]  2180.012539: kvm_exit:             reason HLT rip 0x1 info 0 0',
      '       CPU 0/KVM-8793  [000]  2180.012540: kvm_exit:reason HLT',
      '       CPU 0/KVM-8793  [000]  2180.012541: kvm_exit:',
      '          <idle>-0       [001] d..2.  1000.000001: sched_switch: prev_comm=swapper/1 ==> next_comm=a',
      '  kworker/1:1-77   [002] .N.1.  1000.000002: kvm:kvm_entry: vcpu 0 rip 0x1',
      '  kworker/1:1-77   [002] .N.1.  1000.000003: kvm:kvm_entry:  vcpu 1',
      '  a-1 [000] 1.000004: ab: x',
      '  a-1 [000] 1.000005: a:b: x',
      '  a-1 [000] 1.000006: a:b:c: x',
    ];
    const text = lines.join('\n') + '\n';
    for (const m of [PERF, FT]) {
      const want = lines.map((l) => scan(l, m)); // separate strings: the charCodeAt path
      for (let pass = 0; pass < 2; pass++) {
        const got: Got[] = [];
        forEachLine(memoryChunks(new TextEncoder().encode(text)), (s, a, b) => {
          const r = new LineRecord();
          const kind = scanLine(s, a, b, m, r);
          const sl = (x: number, y: number) => (x >= 0 ? s.slice(x, y) : undefined);
          got.push({ kind, buf: sl(r.bufStart, r.bufEnd), comm: sl(r.commStart, r.commEnd), pid: r.pid, tgid: r.tgid, cpu: r.cpu, ts: r.tsKind === 0 ? undefined : `${r.tsHi}:${r.tsLo}`, system: sl(r.sysStart, r.sysEnd), event: sl(r.evStart, r.evEnd), payload: sl(r.payStart, r.payEnd), flags: r.flags, preempt: r.preempt });
        });
        expect(got).toEqual(want);
      }
    }
    expect(scan(lines[0], PERF)).toMatchObject({ kind: K_EVENT, system: 'sched', event: 'sched_switch' });
    expect(scan(lines[5], PERF).kind).toBe(K_UNPARSED);
  });
});
