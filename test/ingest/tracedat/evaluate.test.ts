import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEventFormat, type EventFormat } from '../../../src/ingest/tracedat/format-parser.js';
import { parsePrintFmt } from '../../../src/ingest/tracedat/print-fmt.js';
import { cFormat, makeRenderContext, renderPrintFmt, splitFormat } from '../../../src/ingest/tracedat/evaluate.js';
import type { FieldValue } from '../../../src/ingest/tracedat/symbol-tables.js';
import { parseKallsyms } from '../../../src/ingest/tracedat/symbols.js';

const EVENTS = fileURLToPath(new URL('../../../fixtures/formats/linux-6.18/events/', import.meta.url));
const load = (sys: string, ev: string): EventFormat => parseEventFormat(readFileSync(`${EVENTS}${sys}/${ev}/format`, 'utf8'), sys);

// Addresses of this host's kernel (6.18) for the %ps/%pS cases below.
const KALLSYMS = parseKallsyms(`ffffffff813a5a90 T wakeup_preempt
ffffffff813a5c00 T wakeup_preempt_next
ffffffff814204b0 t hrtimer_wakeup
ffffffff814352e0 t tick_nohz_handler
ffffffff814223c0 t process_timeout
`);

function render(fmt: EventFormat, values: Record<string, FieldValue>): string {
  return renderPrintFmt(parsePrintFmt(fmt.printFmt), makeRenderContext(fmt, values, { kallsyms: (a) => KALLSYMS.lookup(a) }));
}

describe('cFormat (printf subset)', () => {
  it.each([
    ['%016llx', 0x184n, '0000000000000184'],
    ['%08x', 0xfffffffen, 'fffffffe'],
    ['%-5d', -3n, '-3   '],
    ['%5d', -3n, '   -3'],
    ['%05d', -3n, '-0003'],
    ['%+d', 7n, '+7'],
    ['%03d', 1n, '001'],
    ['%#x', 255n, '0xff'],
    ['%#x', 0n, '0'],
    ['%X', 0xabn, 'AB'],
    ['%o', 8n, '10'],
    ['%.3d', 5n, '005'],
    ['%llu', 0xffffffffffffffffn, '18446744073709551615'],
    ['%c', 65n, 'A'],
    ['%5s', 'ab', '   ab'],
    ['%-8s', 'ab', 'ab      '],
    ['%.3s', 'abcdef', 'abc'],
  ] as const)('%s of %s', (spec, v, want) => {
    expect(cFormat(spec, v)).toBe(want);
  });
  it('takes * widths', () => expect(cFormat('%*d', 4n, 6)).toBe('     4'));
});

describe('renderPrintFmt: verbatim trace-cmd report -N lines (Linux 6.18, trace-cmd 3.1.6)', () => {
  it('sched_switch with S, R and R+ states and a comm with a space', () => {
    const f = load('sched', 'sched_switch');
    const base = { prev_prio: 120n, next_prio: 120n };
    expect(render(f, { ...base, prev_comm: 'bash', prev_pid: 5648n, prev_state: 1n, next_comm: 'bash', next_pid: 5652n }))
      .toBe('prev_comm=bash prev_pid=5648 prev_prio=120 prev_state=S ==> next_comm=bash next_pid=5652 next_prio=120');
    expect(render(f, { ...base, prev_comm: 'CPU 0/KVM', prev_pid: 5549n, prev_state: 0n, next_comm: 'bash', next_pid: 5653n }))
      .toBe('prev_comm=CPU 0/KVM prev_pid=5549 prev_prio=120 prev_state=R ==> next_comm=bash next_pid=5653 next_prio=120');
    expect(render(f, { ...base, prev_comm: 'bash', prev_pid: 5653n, prev_state: 256n, next_comm: 'migration/0', next_pid: 18n, next_prio: 0n }))
      .toBe('prev_comm=bash prev_pid=5653 prev_prio=120 prev_state=R+ ==> next_comm=migration/0 next_pid=18 next_prio=0');
  });

  it('hrtimer_start (%p, %ps, unresolved enum table → 0x0)', () => {
    expect(render(load('timer', 'hrtimer_start'), {
      hrtimer: 0xffffc900038bfb98n, function: 0xffffffff814204b0n, expires: 1939197905799n, softexpires: 1939197855799n, mode: 0n, was_armed: 0n,
    })).toBe('hrtimer=0xffffc900038bfb98 function=hrtimer_wakeup expires=1939197905799 softexpires=1939197855799 mode=0x0 was_armed=0');
  });

  it('ipi_send_cpu (%pS with offset, unknown address)', () => {
    expect(render(load('ipi', 'ipi_send_cpu'), { cpu: 1n, callsite: 0xffffffff813a5a90n + 0x92n, callback: 0n }))
      .toBe('cpu=1 callsite=wakeup_preempt+0x92 callback=0x0');
  });

  it('softirq_raise, sched_stat_runtime, sched_wakeup_new (%03d), irq_handler_entry (__get_str)', () => {
    expect(render(load('irq', 'softirq_raise'), { vec: 9n })).toBe('vec=9 [action=RCU]');
    expect(render(load('sched', 'sched_stat_runtime'), { comm: 'bash', pid: 5648n, runtime: 1089465n })).toBe('comm=bash pid=5648 runtime=1089465 [ns]');
    expect(render(load('sched', 'sched_wakeup_new'), { comm: 'bash', pid: 5652n, prio: 120n, target_cpu: 1n })).toBe('comm=bash pid=5652 prio=120 target_cpu=001');
    expect(render(load('irq', 'irq_handler_entry'), { irq: 42n, name: 'virtio3-tx' })).toBe('irq=42 name=virtio3-tx');
  });

  it('timer_start: C semantics for flags & (M|D|P|I); trace-cmd prints "D|P|I" here (its parser rotates the parenthesised |)', () => {
    expect(render(load('timer', 'timer_start'), {
      timer: 0xffffc9000007fdf8n, function: 0xffffffff814223c0n, expires: 4295377059n, bucket_expiry: 4295377060n, now: 0x1000640a2n, flags: 150994945n,
    })).toBe('timer=0xffffc9000007fdf8 function=process_timeout expires=4295377059 [timeout=1] bucket_expiry=4295377060 cpu=1 idx=36 flags=');
  });
});

describe('renderPrintFmt: kvm formats (libtraceevent semantics)', () => {
  const exit = load('kvm', 'kvm_exit');
  const regs = { guest_rip: 0xffffffff81c2a6b4n, info1: 0x100000014n, info2: 0xfee00300n, intr_info: 0n, error_code: 0n, vcpu_id: 2n, requests: 0n };
  it('kvm_exit for SVM, VMX, VMX with FAILED_VMENTRY and an unknown code', () => {
    expect(render(exit, { ...regs, isa: 2n, exit_reason: 0x400n }))
      .toBe('vcpu 2 reason npf rip 0xffffffff81c2a6b4 info1 0x0000000100000014 info2 0x00000000fee00300 intr_info 0x00000000 error_code 0x00000000 requests 0x0000000000000000');
    expect(render(exit, { ...regs, isa: 1n, exit_reason: 48n, info1: 0x184n, info2: 0n, intr_info: 0x800000ecn }))
      .toBe('vcpu 2 reason EPT_VIOLATION rip 0xffffffff81c2a6b4 info1 0x0000000000000184 info2 0x0000000000000000 intr_info 0x800000ec error_code 0x00000000 requests 0x0000000000000000');
    expect(render(exit, { ...regs, isa: 1n, exit_reason: 0x80000021n })).toMatch(/^vcpu 2 reason INVALID_STATE FAILED_VMENTRY rip /);
    expect(render(exit, { ...regs, isa: 2n, exit_reason: 0xffffffffn })).toMatch(/^vcpu 2 reason 0xffffffff rip /); // { -1, ...} never matches in libtraceevent
  });
  it('kvm_userspace_exit: errno is compared unsigned, as libtraceevent does', () => {
    const f = load('kvm', 'kvm_userspace_exit');
    expect(render(f, { reason: 5n, errno: 0n })).toBe('reason KVM_EXIT_HLT (5)');
    expect(render(f, { reason: 5n, errno: -4n })).toBe('reason KVM_EXIT_HLT (5)'); // the kernel would print "restart (4)"
  });
});

describe('renderPrintFmt: helpers on hand-made formats', () => {
  const fmt = (fields: string, pf: string): EventFormat => parseEventFormat(`name: t\nID: 1\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n${fields}\n\nprint fmt: ${pf}\n`, 'test');
  it('__print_hex, __print_hex_str, __print_array, bitmask, cpumask, %*s, %%, unknown conversion', () => {
    const f = fmt('\tfield:__data_loc u8[] buf;\toffset:8;\tsize:4;\tsigned:0;\n\tfield:__data_loc unsigned long[] mask;\toffset:12;\tsize:4;\tsigned:0;\n\tfield:int w;\toffset:16;\tsize:4;\tsigned:1;',
      '"[%s] [%s] %s m=%s c=%s |%*s| 100%% %y", __print_hex(__get_dynamic_array(buf), 3), __print_hex_str(__get_dynamic_array(buf), __get_dynamic_array_len(buf)), __print_array(__get_dynamic_array(buf), 2, 2), __get_bitmask(mask), __get_cpumask(mask), REC->w, "ab"');
    const out = render(f, { buf: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), mask: Uint8Array.of(0x0f, 0x01, 0, 0, 0, 0, 0, 0x80), w: 4n });
    expect(out).toBe('[de ad be] [deadbeef] {0xadde,0xefbe} m=80000000,0000010f c=0-3,8,63 |  ab| 100% >y<');
  });
  it('%s of a long-sized field prints it in hex without 0x (or the printk string)', () => {
    const f = fmt('\tfield:const char * fmt;\toffset:8;\tsize:8;\tsigned:0;', '"%s", REC->fmt');
    expect(render(f, { fmt: 0xffffffff82000000n })).toBe('ffffffff82000000');
    const withPrintk = makeRenderContext(f, { fmt: 0xffffffff82000000n }, { printk: (a) => (a === 0xffffffff82000000n ? 'hello' : undefined) });
    expect(renderPrintFmt(parsePrintFmt(f.printFmt), withPrintk)).toBe('hello');
  });
  it('splits the format like parse_args', () => {
    expect(splitFormat(parsePrintFmt('"a %lu b %pS %s%%", REC->x, REC->y, "s"')).map((s) => (s.type === 'text' ? s.text : `${s.type}:${s.spec}:${s.ls}`)))
      .toEqual(['a ', 'num:%lu:1', ' b ', 'ptr:%pS:0', ' ', 'str:%s:0', '%']);
  });
});
