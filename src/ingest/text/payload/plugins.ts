// Shapes that libtraceevent plugins (trace-cmd's default output, and perf when the plugins are
// installed) print instead of the kernel's print fmt. Each parser fills the fields of the given
// format that the shape carries (by field name, so any layout works) and returns false when the
// text is not that shape. Shapes from kvm-tracepoints.md §1.3/§2 and trace-cmd 3.1.6 output on
// the fixtures (libtraceevent 1.7.1).
import type { EventFormat } from '../../tracedat/format-parser.js';
import { extractSymbolTables } from '../../tracedat/symbol-tables.js';
import { parseDec as num, parseHex as hex, symbolName, type MatchState, type Slots } from './invert.js';

type PluginParser = (fmt: EventFormat, payload: string, st: MatchState, has: Slots) => boolean;


/** plugin_sched_switch write_state: letters "SDTtZXxW" by bit index, `R` when none (bit 8 and up not shown). */
const STATE_LETTERS = 'SDTtZXxW';
function stateBits(text: string): bigint | undefined {
  if (text === 'R') return 0n;
  let v = 0n;
  for (const part of text.split('|')) {
    const i = STATE_LETTERS.indexOf(part);
    if (part.length !== 1 || i < 0) return undefined;
    v |= 1n << BigInt(i);
  }
  return v;
}

// `<prev_comm>:<prev_pid> [<prev_prio>] <STATE> ==> <next_comm>:<next_pid> [<next_prio>]`
const SWITCH = /^\s*([\s\S]*):(-?\d+) \[(-?\d+)\] (\S+) ==> ([\s\S]*):(-?\d+) \[(-?\d+)\]\s*$/;
// `<comm>:<pid> [<prio>][ success=<n>] CPU:<03d>` (sched_wakeup, sched_wakeup_new; tolerated for sched_waking)
const WAKEUP = /^\s*([\s\S]*):(-?\d+) \[(-?\d+)\](?: success=(-?\d+))? CPU:(\d+)\s*$/;
// plugin_kvm: `reason <NAME> rip 0x<x>[ <sym>] info <x> <x>`; newer: `vcpu N reason ... info1 0x.. info2 0x..[ intr_info 0x.. error_code 0x..]`
const KVM_EXIT = /^\s*(?:vcpu (\d+),? )?reason (.+?) rip 0x([0-9a-fA-F]+)(?: (\S+))?(?: info ([0-9a-fA-F]+) ([0-9a-fA-F]+)| info1 0x([0-9a-fA-F]+) info2 0x([0-9a-fA-F]+)(?: intr_info 0x([0-9a-fA-F]+) error_code 0x([0-9a-fA-F]+))?(?: requests 0x([0-9a-fA-F]+))?)?\s*$/;
// plugin_kvm kvm_nested_vmexit (old layout): `rip <x> reason <NAME> info1 <x> info2 <x> int_info <x> int_info_err <x>`
const NESTED = /^\s*(?:rip ([0-9a-fA-F]+) )?reason (.+?)(?: info1 ([0-9a-fA-F]+))?(?: info2 ([0-9a-fA-F]+))?(?: int_info ([0-9a-fA-F]+))?(?: int_info_err ([0-9a-fA-F]+))?\s*$/;
const KVM_ENTRY = /^\s*vcpu (\d+)(?:,? rip 0x([0-9a-fA-F]+))?\s*$/;
// plugin_hrtimer: function printed as `sym/0x..` (or 0x.. when unresolved); no mode/was_armed
const HRTIMER_START = /^\s*hrtimer=(0x[0-9a-fA-F]+|\(nil\)) function=(\S+) expires=(-?\d+) softexpires=(-?\d+)\s*$/;
const HRTIMER_EXPIRE = /^\s*hrtimer=(0x[0-9a-fA-F]+|\(nil\)) now=(-?\d+) function=(\S+)\s*$/;
// plugin_function: the function (indented by call depth), ` <-- parent` with -O parent
const FUNCTION = /^\s*(\S+)(?: <-- (\S+))?\s*$/;
const LAPIC = /^\s*vcpu (\d+):? delta (-?\d+)(?: \((?:early|late)\))?\s*$/;

function setSym(st: MatchState, slots: Slots, field: string, text: string): void {
  const i = slots.get(field);
  if (i === undefined) return;
  if (/^0x[0-9a-fA-F]+$/.test(text)) { st.vals[i] = hex(text); return; }
  (st.symbols ??= new Map()).set(field, symbolName(text));
}

interface ExitNames { vmx: Map<string, bigint>; svm: Map<string, bigint> }
const exitNameCache = new WeakMap<EventFormat, ExitNames>();
function exitNames(fmt: EventFormat, field: string): ExitNames {
  let n = exitNameCache.get(fmt);
  if (n) return n;
  n = { vmx: new Map(), svm: new Map() };
  for (const t of extractSymbolTables(fmt)) {
    if (t.field !== field || t.kind !== 'symbolic') continue;
    const isVmx = /^\(REC->isa == 1\)/.test(t.guardText);
    const target = isVmx ? n.vmx : n.svm;
    for (const en of t.ordered) if (!target.has(en.name)) target.set(en.name, en.value);
  }
  // The plugin's own older VMX spelling.
  if (!n.vmx.has('PENDING_INTERRUPT') && n.vmx.has('INTERRUPT_WINDOW')) n.vmx.set('PENDING_INTERRUPT', n.vmx.get('INTERRUPT_WINDOW')!);
  exitNameCache.set(fmt, n);
  return n;
}

const SVM_ALIASES: Record<string, string> = { ioio: 'io', vmmcall: 'hypercall', intr: 'interrupt', err: 'invalid_guest_state', idle_halt: 'idle-halt' };

/** Exit reason name as printed by the kernel fmt or plugin_kvm → [isa, value]. */
export function exitReasonValue(fmt: EventFormat, field: string, name: string): [number, bigint] | undefined {
  const unk = /^UNKNOWN \((\d+)\)$/.exec(name);
  const n = exitNames(fmt, field);
  if (unk) return [0, BigInt(unk[1])];
  const v = n.vmx.get(name);
  if (v !== undefined) return [1, v];
  const s = n.svm.get(name);
  if (s !== undefined) return [2, s];
  if (name.startsWith('EXIT_')) {
    let low = name.slice(5).toLowerCase();
    low = SVM_ALIASES[low] ?? low;
    const ex = /^excp_(\w+)$/.exec(low);
    if (ex) low = /^\d+$/.test(ex[1]) ? '' : `${ex[1].toUpperCase()} excp`;
    const sv = n.svm.get(low);
    if (sv !== undefined) return [2, sv];
    if (/^EXCP_(\d+)$/.test(name.slice(5))) return [2, 0x40n + BigInt(/\d+/.exec(name)![0])];
  }
  return undefined;
}

const setIf = (st: MatchState, slots: Slots, name: string, v: bigint | string | undefined): void => {
  const i = slots.get(name);
  if (v !== undefined && i !== undefined) st.vals[i] = v;
};

const sched_switch: PluginParser = (_fmt, p, st, has) => {
  const m = SWITCH.exec(p);
  if (!m) return false;
  const bits = stateBits(m[4]);
  if (bits === undefined) return false;
  setIf(st, has, 'prev_comm', m[1]); setIf(st, has, 'prev_pid', num(m[2])); setIf(st, has, 'prev_prio', num(m[3]));
  setIf(st, has, 'prev_state', bits);
  setIf(st, has, 'next_comm', m[5]); setIf(st, has, 'next_pid', num(m[6])); setIf(st, has, 'next_prio', num(m[7]));
  return true;
};

const wakeup: PluginParser = (_fmt, p, st, has) => {
  const m = WAKEUP.exec(p);
  if (!m) return false;
  setIf(st, has, 'comm', m[1]); setIf(st, has, 'pid', num(m[2])); setIf(st, has, 'prio', num(m[3]));
  if (m[4] !== undefined) setIf(st, has, 'success', num(m[4]));
  setIf(st, has, 'target_cpu', num(m[5]));
  return true;
};

const kvm_exit: PluginParser = (fmt, p, st, has) => {
  const m = KVM_EXIT.exec(p);
  if (!m) return false;
  const field = has.has('exit_reason') ? 'exit_reason' : 'exit_code';
  const r = exitReasonValue(fmt, field, m[2]);
  if (!r) return false;
  if (m[1] !== undefined) setIf(st, has, 'vcpu_id', num(m[1]));
  setIf(st, has, field, r[1]);
  if (r[0]) setIf(st, has, 'isa', BigInt(r[0]));
  setIf(st, has, has.has('guest_rip') ? 'guest_rip' : 'rip', hex(m[3]));
  const i1 = m[5] ?? m[7], i2 = m[6] ?? m[8];
  if (i1 !== undefined) { setIf(st, has, 'info1', hex(i1)); setIf(st, has, 'info2', hex(i2)); }
  if (m[9] !== undefined) { setIf(st, has, 'intr_info', hex(m[9])); setIf(st, has, 'error_code', hex(m[10])); }
  if (m[11] !== undefined) setIf(st, has, 'requests', hex(m[11]));
  if (m[4] !== undefined) (st.symbols ??= new Map()).set('guest_rip', m[4]);
  return true;
};

const kvm_nested_vmexit: PluginParser = (fmt, p, st, has) => {
  if (KVM_EXIT.test(p)) return kvm_exit(fmt, p, st, has);
  if (!has.has('exit_code')) return false; // libtraceevent's handler needs the old layout's exit_code
  const m = NESTED.exec(p);
  if (!m) return false;
  const field = 'exit_code';
  const r = exitReasonValue(fmt, field, m[2]);
  if (!r) return false;
  setIf(st, has, field, r[1]);
  if (r[0]) setIf(st, has, 'isa', BigInt(r[0]));
  if (m[1] !== undefined) setIf(st, has, has.has('rip') ? 'rip' : 'guest_rip', hex(m[1]));
  const names: Array<[number, string, string]> = [[3, 'exit_info1', 'info1'], [4, 'exit_info2', 'info2'], [5, 'exit_int_info', 'intr_info'], [6, 'exit_int_info_err', 'error_code']];
  for (const [g, a, b] of names) if (m[g] !== undefined) setIf(st, has, has.has(a) ? a : b, hex(m[g]));
  return true;
};

const kvm_entry: PluginParser = (_fmt, p, st, has) => {
  const m = KVM_ENTRY.exec(p);
  if (!m) return false;
  setIf(st, has, 'vcpu_id', num(m[1]));
  if (m[2] !== undefined) setIf(st, has, 'rip', hex(m[2]));
  return true;
};

const hrtimer_start: PluginParser = (_fmt, p, st, has) => {
  const m = HRTIMER_START.exec(p);
  if (!m) return false;
  setIf(st, has, 'hrtimer', m[1] === '(nil)' ? 0n : hex(m[1]));
  setSym(st, has, 'function', m[2]);
  setIf(st, has, 'expires', num(m[3])); setIf(st, has, 'softexpires', num(m[4]));
  return true;
};

const hrtimer_expire_entry: PluginParser = (_fmt, p, st, has) => {
  const m = HRTIMER_EXPIRE.exec(p);
  if (!m) return false;
  setIf(st, has, 'hrtimer', m[1] === '(nil)' ? 0n : hex(m[1]));
  setIf(st, has, 'now', num(m[2]));
  setSym(st, has, 'function', m[3]);
  return true;
};

const func: PluginParser = (_fmt, p, st, has) => {
  const m = FUNCTION.exec(p);
  if (!m) return false;
  setSym(st, has, 'ip', m[1]);
  if (m[2] !== undefined) setSym(st, has, 'parent_ip', m[2]);
  return true;
};

const lapic: PluginParser = (_fmt, p, st, has) => {
  const m = LAPIC.exec(p);
  if (!m) return false;
  setIf(st, has, 'vcpu_id', num(m[1])); setIf(st, has, 'delta', num(m[2]));
  return true;
};

export const PLUGINS: ReadonlyMap<string, PluginParser> = new Map<string, PluginParser>([
  ['sched_switch', sched_switch],
  ['sched_wakeup', wakeup], ['sched_wakeup_new', wakeup], ['sched_waking', wakeup],
  ['kvm_exit', kvm_exit], ['kvm_nested_vmexit', kvm_nested_vmexit], ['kvm_entry', kvm_entry],
  ['hrtimer_start', hrtimer_start], ['hrtimer_expire_entry', hrtimer_expire_entry],
  ['function', func], ['kvm_wait_lapic_expire', lapic],
]);
