// The hand-written fast paths of text ingest (payload/fast.ts matcher and its opaque-piece memo,
// payload/fast-plugins.ts plugin shapes, payload/remap.ts, payload/fast-encode.ts writing into the
// batch arena) must give exactly the batches of the reference path (RegExp parsers +
// PayloadEncoder, `setFastPaths(false)`): every column, every payload byte, comms, symbols and
// diagnostics, on the texts trace-cmd and perf print for the fixtures, the public excerpts, a
// synthetic KVM host's trace-cmd report and hand-made plugin payloads with the awkward cases.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInput } from '../../../src/ingest/index.js';
import { setFastPaths } from '../../../src/ingest/text/payload/index.js';
import { matchPlugin } from '../../../src/ingest/text/payload/fast-plugins.js';
import { MATCH, UNKNOWN } from '../../../src/ingest/text/payload/fast.js';
import { shippedCatalog } from '../../../src/ingest/text/payload/index.js';
import { generateKvmLoad } from '../../../src/sim/generate-kvm-load.js';
import { hasTraceCmd, traceCmdOk } from '../../helpers/tracecmd.js';

const work = join(tmpdir(), `kvmtrace-fast-vs-regexp-${process.pid}`);
mkdirSync(work, { recursive: true });
const hasPerf = spawnSync('perf', ['--version']).status === 0;

/** Everything a text source hands out, as comparable plain data. */
function ingest(path: string, fast: boolean): unknown {
  setFastPaths(fast);
  try {
    const src = openInput(path);
    const rows: number[][] = [];
    const bytes: number[][] = [];
    src.read((b) => {
      for (let i = 0; i < b.length; i++) {
        rows.push([b.ts[i], b.cpu[i], b.pid[i], b.fmt[i], b.type[i], b.len[i]]);
        bytes.push([...b.data.subarray(b.off[i], b.off[i] + b.len[i])]);
      }
    });
    src.close();
    const diag = JSON.parse(JSON.stringify(src.diag)) as unknown;
    return { rows, bytes, comms: [...src.comms], tgids: [...src.tgids], symbols: [...(src.textSymbols ?? [])], unparsed: (src as { unparsed?: unknown }).unparsed, diag, details: src.meta.details };
  } catch (e) {
    return { error: String((e as Error).message) };
  } finally {
    setFastPaths(true);
  }
}

function same(path: string): number {
  const fast = ingest(path, true) as { rows?: unknown[] };
  const ref = ingest(path, false);
  expect(fast).toEqual(ref);
  return fast.rows?.length ?? 0;
}

function write(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

afterAll(() => setFastPaths(true));

describe('text ingest: fast paths give the reference bytes', () => {
  it('public excerpts', () => {
    const dir = 'fixtures/text/excerpts';
    let n = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.txt'))) n += same(join(dir, f));
    expect(n).toBeGreaterThan(300);
  });

  it('hand-made trace-cmd plugin payloads (awkward cases)', () => {
    const ev = (comm: string, event: string, payload: string, i: number): string =>
      `${comm.padStart(16)}-${1000 + i}  [00${i % 4}]  1000.${String(100000 + i).padStart(6, '0')}: ${`${event}:`.padEnd(21)} ${payload}`;
    const payloads: Array<[string, string]> = [
      ['sched_switch', 'bash:1 [120] R ==> swapper/0:0 [120]'],
      ['sched_switch', 'CPU 0/KVM:1001 [120] S|D ==> kworker/1:1:77 [100]'],
      ['sched_switch', 'a:b:-5 [-1] X ==> c:2 [120]'],
      ['sched_switch', 'we ==> ird:1 [120] R ==> b:2 [120]'],
      ['sched_switch', 'bash:1 [120] R+ ==> b:2 [120]'],
      ['sched_switch', 'bash:1 [120] S| ==> b:2 [120]'],
      ['sched_switch', 'bash:1 [120] W ==> b:2 [120]   '],
      ['sched_switch', 'bäsh:1 [120] R ==> b:2 [120]'],
      ['sched_wakeup', 'CPU 5/KVM:1006 [120] CPU:005'],
      ['sched_wakeup', 'x:1 [2] success=1 CPU:003'],
      ['sched_wakeup', 'x: [2] CPU:003'],
      ['sched_waking', 'comm=foo pid=1 prio=2 target_cpu=003'],
      ['sched_wakeup_new', 'a:-1 [-2] success=-1 CPU:000'],
      ['kvm_entry', 'vcpu 0'],
      ['kvm_entry', 'vcpu 3, rip 0xffffffff81000000'],
      ['kvm_entry', 'vcpu 3 rip 0xFFFF'],
      ['kvm_entry', 'vcpu 3 rip 0x'],
      ['kvm_exit', 'reason EXTERNAL_INTERRUPT rip 0xffffffff81c5b631 info 0 800000fd'],
      ['kvm_exit', 'reason HLT rip 0x1234'],
      ['kvm_exit', 'vcpu 1 reason EPT_VIOLATION rip 0xffffffff81000000 info1 0x0000000000000181 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000'],
      ['kvm_exit', 'vcpu 1, reason MSR_WRITE rip 0x10 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0 requests 0x20'],
      ['kvm_exit', 'reason EXIT_NPF rip 0xffffffff8108e2ef info 100000004 fffff000'],
      ['kvm_exit', 'reason IO_INSTRUCTION rip 0xffffffff81abc native_io+0x5 info 3f80008 0'],
      ['kvm_exit', 'reason UNKNOWN (99) rip 0x5 info 0 0'],
      ['kvm_exit', 'reason NOT_A_REASON rip 0x5 info 0 0'],
      ['kvm_exit', 'reason a rip 0x5 rip 0x6 info 0 0'],
      ['hrtimer_start', 'hrtimer=0xffff888627c206f8 function=tick_nohz_handler expires=469764000000 softexpires=469764000000'],
      ['hrtimer_start', 'hrtimer=(nil) function=0xffffffff81123450 expires=-5 softexpires=-6'],
      ['hrtimer_expire_entry', 'hrtimer=0x0 now=0 function=0xffffffff81123450'],
      ['hrtimer_expire_entry', 'hrtimer=0xffffc90004aa3c98 now=469735952560 function=hrtimer_wakeup/0x0'],
      ['hrtimer_expire_entry', 'hrtimer=0x1 now=2 function=apic_timer_fn'],
    ];
    const lines = ['cpus=4'];
    for (let rep = 0; rep < 3; rep++) payloads.forEach(([e, p], i) => lines.push(ev(i % 2 ? 'CPU 0/KVM' : 'kworker/1:1', e, p, rep * 100 + i)));
    expect(same(write('plugins.txt', lines.join('\n') + '\n'))).toBe(lines.length - 1);
  });

  it('perf script lines read from the bytes (ASCII text) and from the string (UTF-8 text) alike', () => {
    const states = ['S', 'D', 'R', 'R+', 'S|D', 'I', 'X', 'Z', 'T', '0x100', 'S', 'R'];
    const lines: string[] = [];
    for (let i = 0; i < 240; i++) {
      const comm = ['perf', 'CPU 0/KVM', 'kworker/1:1', 'kvm-nx-lpage-re', 'migration/0'][i % 5];
      const head = `${comm.padStart(16)} ${String(100 + i).padStart(5)} [00${i % 4}] 469.${String(733700 + i).padStart(6, '0')}:`;
      const payloads = [
        `sched:sched_switch: prev_comm=${comm} prev_pid=${100 + i} prev_prio=120 prev_state=${states[i % states.length]} ==> next_comm=swapper/${i % 4} next_pid=0 next_prio=120`,
        `sched:sched_waking: comm=${comm} pid=${i} prio=${i % 140} target_cpu=00${i % 4}`,
        `sched:sched_migrate_task: comm=${comm} pid=${i} prio=120 orig_cpu=${i % 4} dest_cpu=${(i + 1) % 4}`,
        `timer:hrtimer_start: hrtimer=0xffff888627c206f8 function=tick_nohz_handler expires=${469764000000 + i} softexpires=${469764000000 + i} mode=0xa was_armed=${i % 2}`,
        `timer:hrtimer_expire_entry: hrtimer=0xffffc90004aa3c98 function=hrtimer_wakeup now=${469735952560 + i}`,
        `timer:hrtimer_expire_exit: hrtimer=0xffffc90004aa3c98`,
      ];
      lines.push(`${head} ${payloads[i % payloads.length].padStart(payloads[i % payloads.length].length + (i % 3))}`);
    }
    const ascii = lines.join('\n') + '\n';
    expect(same(write('perf-ascii.txt', ascii))).toBe(240);
    // one non-ASCII comm makes the text UTF-8: the scanner and matchers then read a shape copy of
    // the part (lines.ts shapeOf) and the encoder the string
    expect(same(write('perf-utf8.txt', ascii.replace('prev_comm=perf', 'prev_comm=pérf')))).toBe(240);
  });

  it('the plugin fast paths decide the common shapes themselves and leave the rest to the RegExp parsers', () => {
    const cat = shippedCatalog();
    const check = (event: string, payload: string): number => {
      const fmt = cat.lookup(undefined, event)[0];
      const slots = new Map(fmt.fields.filter((f) => !f.common).map((f, i) => [f.name, i] as [string, number]));
      return matchPlugin(fmt, slots, slots.size, payload, 0, payload.length);
    };
    expect(check('sched_switch', 'CPU 7/KVM:1008 [120] S ==> swapper/7:0 [120]')).toBe(MATCH);
    expect(check('sched_wakeup', 'CPU 5/KVM:1006 [120] CPU:005')).toBe(MATCH);
    expect(check('kvm_entry', 'vcpu 0 rip 0xffffffff81c00000')).toBe(MATCH);
    expect(check('kvm_exit', 'reason PREEMPTION_TIMER rip 0xffffffff81c5e74b info 0 0')).toBe(MATCH);
    expect(check('hrtimer_expire_entry', 'hrtimer=0x0 now=0 function=0xffffffff81123450')).toBe(MATCH);
    expect(check('sched_switch', 'a ==> b:1 [120] R ==> c:2 [120]')).toBe(UNKNOWN);
    expect(check('kvm_exit', 'reason HLT rip 0x10 native_safe_halt+0x5 info 0 0')).toBe(UNKNOWN);
  });

  it.skipIf(!hasTraceCmd())('trace-cmd report texts of the trace.dat fixtures (default, -R, -l, -t) and a synthetic KVM host', async () => {
    let n = 0;
    for (const name of ['kvm-pinned', 'kvm-stress', 'instance', 'overrun', 'subbuf8k', 'tsc-clock']) {
      for (const args of [[], ['-R'], ['-l'], ['-t']]) {
        n += same(write(`${name}${args.join('')}.txt`, traceCmdOk(['report', ...args, '-i', `fixtures/tracedat/${name}/trace.dat`])));
      }
    }
    const dat = join(work, 'kvm-load.dat');
    await generateKvmLoad({ path: dat, targetBytes: 2 << 20, cpus: 4, vcpus: 4, seed: 3, writer: { version: 6 } });
    n += same(write('kvm-load.txt', traceCmdOk(['report', '-i', dat])));
    expect(n).toBeGreaterThan(500_000);
  }, 600_000);

  it.skipIf(!hasPerf)('perf script texts of the perf.data fixtures (default and -F +pid --ns)', () => {
    let n = 0;
    const files = [...readdirSync('fixtures/perf').filter((f) => f.endsWith('.data')).map((f) => join('fixtures/perf', f)), 'fixtures/tracedat/kvm-pinned/perf.data'];
    for (const f of files) {
      for (const args of [[], ['-F', '+pid', '--ns']]) {
        const r = spawnSync('perf', ['script', '-f', ...args, '-i', f], { encoding: 'utf8', maxBuffer: 1 << 28 });
        expect(r.status).toBe(0);
        n += same(write(`${f.replace(/\W/g, '_')}${args.length}.txt`, r.stdout));
      }
    }
    expect(n).toBeGreaterThan(50_000);
  }, 600_000);
});
