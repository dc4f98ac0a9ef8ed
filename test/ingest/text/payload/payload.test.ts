import { describe, expect, it } from 'vitest';
import { catalogFrom, parsePayload, shippedCatalog } from '../../../../src/ingest/text/payload/index.js';
import { shippedFormats } from '../../../../src/ingest/text/formats/index.js';

const cat = shippedCatalog();
const obj = (sys: string | undefined, ev: string, p: string) => {
  const r = parsePayload(cat, sys, ev, p);
  if (!r) return null;
  return { form: r.form, kernels: shippedFormats().find((s) => s.format === r.format)!.kernels, v: Object.fromEntries(r.values), sym: r.symbols && Object.fromEntries(r.symbols) };
};

describe('kvm_exit in every form', () => {
  it('6.18 kernel format, VMX, with requests', () => {
    const r = obj('kvm', 'kvm_exit', 'vcpu 1 reason EXTERNAL_INTERRUPT rip 0xffffffff81e7a2bd info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x800000ec error_code 0x00000000 requests 0x0000000000000010')!;
    expect(r.form).toBe('fmt');
    expect(r.v).toEqual({ exit_reason: 1n, guest_rip: 0xffffffff81e7a2bdn, isa: 1n, info1: 0n, info2: 0n, intr_info: 0x800000ecn, error_code: 0n, vcpu_id: 1n, requests: 16n });
  });
  it('≈5.10 format, SVM name sets isa 2', () => {
    const r = obj('kvm', 'kvm_exit', 'vcpu 2 reason npf rip 0xffffffff81c2a6b4 info1 0x0000000100000014 info2 0x00000000fee00300 intr_info 0x00000000 error_code 0x00000000')!;
    expect(r.kernels).toMatch(/5\.10/);
    expect(r.v).toEqual({ exit_reason: 0x400n, guest_rip: 0xffffffff81c2a6b4n, isa: 2n, info1: 0x100000014n, info2: 0xfee00300n, intr_info: 0n, error_code: 0n, vcpu_id: 2n });
  });
  it('VMX flags: FAILED_VMENTRY goes back into the high bits', () => {
    const r = obj(undefined, 'kvm_exit', 'vcpu 1 reason INVALID_STATE FAILED_VMENTRY rip 0xffffffff81e7a2bd info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000')!;
    expect(r.v.exit_reason).toBe(0x80000021n);
    expect(r.v.isa).toBe(1n);
  });
  it('old kernel / old plugin `reason X rip .. info a b`', () => {
    const r = obj(undefined, 'kvm_exit', 'reason EPT_VIOLATION rip 0xfffff802987d6169 info 181 0')!;
    expect(r.v).toEqual({ exit_reason: 48n, guest_rip: 0xfffff802987d6169n, isa: 1n, info1: 0x181n, info2: 0n });
  });
  it('≈5.4 format with vcpu and old PENDING_INTERRUPT name', () => {
    const r = obj(undefined, 'kvm_exit', 'vcpu 3 reason PENDING_INTERRUPT rip 0xffffffff81000000 info 0 0')!;
    expect(r.v).toMatchObject({ exit_reason: 7n, isa: 1n, vcpu_id: 3n });
  });
  it('plugin SVM EXIT_* spellings map to the format names', () => {
    const r = obj(undefined, 'kvm_exit', 'reason EXIT_NPF rip 0xffffffff81c2a6b4 info 100000014 fee00300')!;
    expect(r.form).toBe('plugin');
    expect(r.v).toMatchObject({ exit_reason: 0x400n, isa: 2n, info1: 0x100000014n, info2: 0xfee00300n });
    expect(obj(undefined, 'kvm_exit', 'reason EXIT_HLT rip 0x1 info 0 0')!.v).toMatchObject({ exit_reason: 0x78n, isa: 2n });
    expect(obj(undefined, 'kvm_exit', 'reason EXIT_IOIO rip 0x1 info 0 0')!.v).toMatchObject({ exit_reason: 0x7bn, isa: 2n });
    expect(obj(undefined, 'kvm_exit', 'reason EXIT_EXCP_GP rip 0x1 info 0 0')!.v).toMatchObject({ exit_reason: 0x4dn, isa: 2n });
  });
  it('plugin UNKNOWN (n) keeps the full number (isa unknown: 0)', () => {
    expect(obj(undefined, 'kvm_exit', 'reason UNKNOWN (2147483681) rip 0xffffffff81c2a6b4 info 0 0')!.v).toMatchObject({ exit_reason: 0x80000021n, isa: 0n });
  });
  it('raw -R form', () => {
    const r = obj(undefined, 'kvm_exit', ' exit_reason=48 guest_rip=0xffffffff81000000 isa=1 info1=0x184 info2=0x0 intr_info=0x0 error_code=0x0 vcpu_id=0 requests=0x0')!;
    expect(r.form).toBe('raw');
    expect(r.v).toMatchObject({ exit_reason: 48n, guest_rip: 0xffffffff81000000n, info1: 0x184n });
  });
});

describe('other events', () => {
  it('kvm_entry variants', () => {
    expect(obj(undefined, 'kvm_entry', 'vcpu 0, rip 0xffffffff81e7a2bd[immediate exit]')!.v).toEqual({ vcpu_id: 0n, rip: 0xffffffff81e7a2bdn, immediate_exit: 1n });
    expect(obj(undefined, 'kvm_entry', 'vcpu 0, rip 0xffffffff81e7a2bd intr_info 0x80000b0e error_code 0x00000000')!.v).toEqual({ vcpu_id: 0n, rip: 0xffffffff81e7a2bdn, immediate_exit: 0n, intr_info: 0x80000b0en, error_code: 0n });
    expect(obj(undefined, 'kvm_entry', 'vcpu 0 rip 0xffffffff8108a3c4')!).toMatchObject({ form: 'plugin', v: { vcpu_id: 0n, rip: 0xffffffff8108a3c4n } });
    // A fresh catalog: the per-event "last form that worked" fast path would otherwise pick the plugin shape again.
    const r = parsePayload(catalogFrom(shippedFormats().map((f) => f.format)), undefined, 'kvm_entry', 'vcpu 5')!;
    expect(Object.fromEntries(r.values)).toEqual({ vcpu_id: 5n });
  });
  it('sched_switch: plugin, kernel fmt (R+ / S|D) and raw', () => {
    expect(obj(undefined, 'sched_switch', 'CPU 1/KVM:4124 [120] D|W ==> kworker/3:1:211 [120]')!.v).toEqual({ prev_comm: 'CPU 1/KVM', prev_pid: 4124n, prev_prio: 120n, prev_state: 0x82n, next_comm: 'kworker/3:1', next_pid: 211n, next_prio: 120n });
    expect(obj('sched', 'sched_switch', 'prev_comm=CPU 1/KVM prev_pid=4124 prev_prio=120 prev_state=R+ ==> next_comm=kworker/3:1 next_pid=211 next_prio=120')!.v.prev_state).toBe(0x100n);
    expect(obj('sched', 'sched_switch', 'prev_comm=a prev_pid=1 prev_prio=120 prev_state=S|D ==> next_comm=b next_pid=2 next_prio=98')!.v.prev_state).toBe(3n);
    expect(obj(undefined, 'sched_switch', ' prev_comm=a b prev_pid=1 prev_prio=120 prev_state=256 next_comm=c next_pid=2 next_prio=120')!).toMatchObject({ form: 'raw', v: { prev_comm: 'a b', prev_state: 256n } });
  });
  it('wakeups: plugin with and without success', () => {
    expect(obj(undefined, 'sched_wakeup', 'CPU 1/KVM:4124 [120] CPU:003')!.v).toEqual({ comm: 'CPU 1/KVM', pid: 4124n, prio: 120n, target_cpu: 3n });
    expect(obj(undefined, 'sched_wakeup', 'comm=x pid=7 prio=120 success=1 target_cpu=002')!).toMatchObject({ kernels: expect.stringMatching(/success/), v: { success: 1n, target_cpu: 2n } });
  });
  it('kvm_userspace_exit restart / error / name', () => {
    expect(obj(undefined, 'kvm_userspace_exit', 'reason restart (4)')!.v).toEqual({ reason: 0n, errno: -4n });
    expect(obj(undefined, 'kvm_userspace_exit', 'reason error (22)')!.v).toEqual({ reason: 0n, errno: -22n });
    expect(obj(undefined, 'kvm_userspace_exit', 'reason KVM_EXIT_MMIO (6)')!.v).toEqual({ reason: 6n, errno: 0n });
  });
  it('masks, casts and shifts: kvm_apic_ipi icr_low', () => {
    expect(obj(undefined, 'kvm_apic_ipi', 'dst 3 vec 251 (Fixed|physical|assert|edge|dst)')!.v).toEqual({ icr_low: 0x40fbn, dest_id: 3n });
    expect(obj(undefined, 'kvm_apic_accept_irq', 'apicid 2 vec 35 (LowPrio|level)')!.v).toEqual({ apicid: 2n, dm: 0x100n, tm: 1n, vec: 35n });
  });
  it('kvm_wait_lapic_expire trusts the sign; bare hex %x; ple window old and new', () => {
    expect(obj(undefined, 'kvm_wait_lapic_expire', 'vcpu 1: delta -1843 (early)')!.v).toEqual({ vcpu_id: 1n, delta: -1843n });
    expect(obj(undefined, 'kvm_msr', 'msr_write 830 = 0x2000000fd (#GP)')!.v).toEqual({ write: 1n, ecx: 0x830n, data: 0x2000000fdn, exception: 1n });
    expect(obj(undefined, 'kvm_ple_window_update', 'vcpu 5 old 4096 new 8192 (growed)')!.v).toEqual({ vcpu_id: 5n, new: 8192n, old: 4096n });
    expect(obj(undefined, 'kvm_ple_window', 'vcpu 5: ple_window 8192 (grow 4096)')!.v).toEqual({ grow: 1n, vcpu_id: 5n, new: 8192n, old: 4096n });
    expect(obj(undefined, 'kvm_vcpu_wakeup', 'poll time 18231 ns')!.v).toEqual({ ns: 18231n, waited: 0n });
    expect(obj(undefined, 'kvm_vcpu_wakeup', 'wait time 2034719 ns, polling invalid')!.v).toEqual({ ns: 2034719n, waited: 1n, valid: 0n });
  });
  it('function tracer, kprobe, hrtimer plugin forms keep symbols', () => {
    expect(obj('ftrace', 'function', '   kvm_vcpu_on_spin')!).toMatchObject({ form: 'plugin', sym: { ip: 'kvm_vcpu_on_spin' } });
    expect(obj(undefined, 'function', 'kvm_vcpu_on_spin <-- handle_pause')!.sym).toEqual({ ip: 'kvm_vcpu_on_spin', parent_ip: 'handle_pause' });
    expect(obj('probe', 'kvm_vcpu_on_spin', '(ffffffffc0a1b2c0)')!.v).toEqual({ __probe_ip: 0xffffffffc0a1b2c0n });
    expect(obj(undefined, 'hrtimer_expire_entry', 'hrtimer=0xffff9e8c7f4a1e28 now=5123700000123 function=apic_timer_fn/0x0')!).toMatchObject({ v: { hrtimer: 0xffff9e8c7f4a1e28n, now: 5123700000123n, function: 0n }, sym: { function: 'apic_timer_fn' } });
  });
  it('older kvm_nested_vmexit plugin shape', () => {
    const r = obj(undefined, 'kvm_nested_vmexit', 'rip ffffffff81000000 reason EXIT_NPF info1 100000014 info2 fee00300 int_info 0 int_info_err 0')!;
    expect(r.v).toMatchObject({ rip: 0xffffffff81000000n, exit_code: 0x400n, isa: 2n, exit_info1: 0x100000014n, exit_info2: 0xfee00300n });
  });
  it('null for unknown events and unknown text', () => {
    expect(parsePayload(cat, undefined, 'no_such_event', 'x')).toBeNull();
    expect(parsePayload(cat, undefined, 'kvm_exit', 'garbage')).toBeNull();
    expect(parsePayload(catalogFrom([]), 'kvm', 'kvm_exit', 'x')).toBeNull();
  });
});

describe('throughput', () => {
  it('measures payloads/s (printed; lenient floor)', () => {
    const run = (ev: string, p: string): number => {
      for (let i = 0; i < 20000; i++) parsePayload(cat, undefined, ev, p);
      const n = 200000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) parsePayload(cat, undefined, ev, p);
      return Math.round(n / ((performance.now() - t0) / 1000));
    };
    const s = run('sched_switch', 'prev_comm=bash prev_pid=5085 prev_prio=120 prev_state=R ==> next_comm=stress-ng-timer next_pid=5136 next_prio=120');
    const sp = run('sched_switch', 'bash:5085 [120] R ==> stress-ng-timer:5136 [120]');
    const k = run('kvm_exit', 'vcpu 1 reason HLT rip 0xffffffff81e7a2bd info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000 requests 0x0000000000000000');
    console.log(`payloads/s: sched_switch -N ${s}, sched_switch plugin ${sp}, kvm_exit 6.18 ${k}`);
    expect(s).toBeGreaterThan(20000);
  });
});
