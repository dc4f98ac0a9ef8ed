// Every event line of real trace-cmd output (plugins / -N / -R) on the fixtures must give the same
// field values as kvmtrace's binary decoder, except the documented unrecoverable fields below.
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../../helpers/decoded.js';
import { hasTraceCmd, traceCmdOk } from '../../../helpers/tracecmd.js';
import { catalogFrom, parsePayload, shippedCatalog } from '../../../../src/ingest/text/payload/index.js';

const LINE = /^(?:(?<buf>[^\s:]+): )?\s*(?<comm>.*?)-(?<pid>\d+)\s+\[(?<cpu>\d+)\]\s*(?<ts>\d+(?:\.\d+)?):\s(?<event>[^\s:]+):(?<rest>.*)$/;

type Rule = { kind: 'symbol' } | { kind: 'zero' } | { kind: 'mask'; mask: bigint } | { kind: 'noNewline' };
/** `<form>|<event>.<field>` → what the text keeps. Forms: plugins (default report), -N, -R. */
const UNRECOVERABLE: Record<string, Rule> = {
  // %ps pointers: the text has the symbol only (kept in ParsedPayload.symbols), the field stays 0.
  'plugins|hrtimer_start.function': { kind: 'symbol' },
  'plugins|hrtimer_expire_entry.function': { kind: 'symbol' },
  '-N|hrtimer_start.function': { kind: 'symbol' },
  '-N|hrtimer_expire_entry.function': { kind: 'symbol' },
  '-R|hrtimer_start.function': { kind: 'symbol' }, // -R hrtimer_expire_entry prints the address: recovered
  'plugins|print.ip': { kind: 'symbol' }, '-N|print.ip': { kind: 'symbol' }, '-R|print.ip': { kind: 'symbol' },
  // trace_marker text ends in "\n", which the line-oriented output drops.
  'plugins|print.buf': { kind: 'noNewline' }, '-N|print.buf': { kind: 'noNewline' }, '-R|print.buf': { kind: 'noNewline' },
  // plugin_hrtimer prints neither mode nor was_armed.
  'plugins|hrtimer_start.mode': { kind: 'zero' },
  'plugins|hrtimer_start.was_armed': { kind: 'zero' },
  // plugin_sched_switch prints only bits 0-7 of prev_state (the preempted bit 0x100 `+` is lost).
  'plugins|sched_switch.prev_state': { kind: 'mask', mask: 0xffn },
  // kvm_pic_set_irq prints only bit `pin` of elcr/imr through `1 << REC->pin` (not recovered).
  'plugins|kvm_pic_set_irq.elcr': { kind: 'zero' }, 'plugins|kvm_pic_set_irq.imr': { kind: 'zero' },
  '-N|kvm_pic_set_irq.elcr': { kind: 'zero' }, '-N|kvm_pic_set_irq.imr': { kind: 'zero' },
  // -R prints e through its first consumer `(u8)(REC->e >> 56)`: only bits 56-63 (dest id).
  '-R|kvm_ioapic_set_irq.e': { kind: 'mask', mask: 0xff00000000000000n },
};

const FIXTURES = ['kvm-stress', 'kvm-pinned', 'tsc-clock'];
const FORMS: Array<[string, string[]]> = [['plugins', []], ['-N', ['-N']], ['-R', ['-R']]];

describe.skipIf(!hasTraceCmd())('payload text of real trace-cmd output = binary decode', () => {
  for (const fx of FIXTURES) {
    it(fx, () => {
      const file = `fixtures/tracedat/${fx}/trace.dat`;
      const dec = decodeAll(file);
      const catalogs = { file: catalogFrom(dec.source.formats), shipped: shippedCatalog() };
      const used = new Set<string>();
      for (const [form, args] of FORMS) {
        const lines = traceCmdOk(['report', ...args, '-t', '-i', file]).split('\n').filter((l) => LINE.test(l));
        expect(lines.length).toBe(dec.records.length);
        for (const cat of Object.values(catalogs)) {
          for (let i = 0; i < lines.length; i++) {
            const g = LINE.exec(lines[i])!.groups!;
            const rec = dec.records[i];
            if (g.event !== rec.event) throw new Error(`order: ${g.event} vs ${rec.event}`);
            const r = parsePayload(cat, undefined, g.event, g.rest.replace(/^\s+/, ''));
            if (!r) throw new Error(`not understood: ${lines[i]}`);
            for (const f of rec.fields) {
              if (f.value instanceof Uint8Array) continue; // no non-string arrays in these events
              const got = r.values.get(f.def.name);
              const key = `${form}|${rec.event}.${f.def.name}`;
              const rule = UNRECOVERABLE[key];
              if (!rule) {
                if (got !== f.value) throw new Error(`${key}: got ${String(got)}, binary ${String(f.value)}\n${lines[i]}`);
                continue;
              }
              used.add(key);
              const ok = rule.kind === 'symbol' ? got === 0n && /^[A-Za-z_][\w.]*$/.test(r.symbols?.get(f.def.name) ?? '')
                : rule.kind === 'zero' ? got === 0n
                  : rule.kind === 'noNewline' ? got === String(f.value).replace(/\n$/, '')
                    : ((got as bigint) & rule.mask) === ((f.value as bigint) & rule.mask);
              if (!ok) throw new Error(`${key} (${rule.kind}): got ${String(got)}, binary ${String(f.value)}\n${lines[i]}`);
            }
          }
        }
      }
      expect(used.size).toBeGreaterThan(0);
    }, 120_000);
  }
});
