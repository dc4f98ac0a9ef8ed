import { describe, expect, it } from 'vitest';
import { parseKallsyms, parsePrintkFormats, parseSavedCmdlines } from '../../../src/ingest/tracedat/symbols.js';

describe('parseKallsyms', () => {
  const ks = parseKallsyms([
    '0000000000000000 A fixed_percpu_data',
    'ffffffff81000000 T _stext',
    'ffffffff81000000 T _text',
    'ffffffff813a5a90 T wakeup_preempt',
    'ffffffff814204b0 t hrtimer_wakeup',
    'ffffffff80000000 t $x.12',
    'ffffffffc0a01000 t vmx_vcpu_run\t[kvm_intel]',
    'ffffffffc0a00000 t kvm_arch_vcpu_ioctl_run\t[kvm]',
    'garbage line',
    '',
  ].join('\n'));

  it('skips absolute and $ symbols and bad lines, keeps modules', () => {
    expect(ks.size).toBe(6);
    expect(ks.symbols[0]).toEqual({ addr: 0xffffffff81000000n, name: '_stext' });
    expect(ks.symbols.at(-1)).toEqual({ addr: 0xffffffffc0a01000n, name: 'vmx_vcpu_run', module: 'kvm_intel' });
  });

  it('looks up the symbol at or below an address', () => {
    expect(ks.lookup(0xffffffff813a5a90n + 0x92n)).toEqual({ name: 'wakeup_preempt', offset: 0x92n, module: undefined, addr: 0xffffffff813a5a90n });
    expect(ks.lookup(0xffffffff814204b0n)?.offset).toBe(0n);
    expect(ks.lookup(0xffffffff81000010n)?.name).toBe('_stext'); // first of two at one address
    expect(ks.lookup(0xffffffffc0a01234n)).toMatchObject({ name: 'vmx_vcpu_run', module: 'kvm_intel', offset: 0x234n });
    expect(ks.lookup(0xffffffffc0a00fffn)?.name).toBe('kvm_arch_vcpu_ioctl_run');
    expect(ks.lookup(0xffffffff80ffffffn)).toBeUndefined();
    expect(ks.addressOf('hrtimer_wakeup')).toBe(0xffffffff814204b0n);
    expect(parseKallsyms('').lookup(1n)).toBeUndefined();
  });
});

describe('parsePrintkFormats', () => {
  it('splits at the first colon, strips quotes and one trailing \\n, decodes escapes', () => {
    const m = parsePrintkFormats([
      '0xffffffff82a0c5e0 : "rcu_note_context_switch: %s\\n"',
      '0xffffffff82a0c600 : "a\\tb \\"q\\" c:d"',
      '0xffffffff82a0c700 : "two\\n\\n"',
      'not a line',
    ].join('\n'));
    expect([...m]).toEqual([
      [0xffffffff82a0c5e0n, 'rcu_note_context_switch: %s'],
      [0xffffffff82a0c600n, 'a\tb "q" c:d'],
      [0xffffffff82a0c700n, 'two\n'],
    ]);
  });
});

describe('parseSavedCmdlines', () => {
  it('keeps comms with spaces, slashes and dashes', () => {
    const m = parseSavedCmdlines('4123 CPU 0/KVM\n15 rcu_preempt\n3413 memfd:sealed-91\n7 kworker/3:1-events\n\nbad\n');
    expect([...m]).toEqual([[4123, 'CPU 0/KVM'], [15, 'rcu_preempt'], [3413, 'memfd:sealed-91'], [7, 'kworker/3:1-events']]);
  });
});
