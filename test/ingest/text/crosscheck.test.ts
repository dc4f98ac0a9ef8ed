// Same answers from the text as from the binary: every real trace.dat fixture against its own
// `trace-cmd report` text (default, -t, -R): same events in the same order, timestamps to the
// precision the text carries, CPU, pid, event name, lost-event markers, and the field values the
// payload decoder recovers from the text compared with the binary decoder's values.
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../helpers/decoded.js';
import { hasTraceCmd } from '../../helpers/tracecmd.js';
import { compareDecoded, KNOWN_GAPS, textOf } from './compare.js';

const CASES: Array<{ name: string; buffers: Array<string | undefined> }> = [
  { name: 'kvm-pinned', buffers: [undefined] },
  { name: 'instance', buffers: [undefined, 'foo'] },
  { name: 'overrun', buffers: [undefined] },
  { name: 'tsc-clock', buffers: [undefined] },
  { name: 'subbuf8k', buffers: [undefined] },
];

describe.skipIf(!hasTraceCmd())('trace-cmd report text gives the answers of its trace.dat', () => {
  for (const c of CASES) {
    const dat = `fixtures/tracedat/${c.name}/trace.dat`;
    for (const variant of [[], ['-t'], ['-R'], ['-R', '-t']]) {
      for (const buffer of c.buffers) {
        it(`${c.name} ${variant.join(' ') || 'default'}${buffer ? ` buffer ${buffer}` : ''}`, () => {
          const txtPath = textOf(dat, variant, `${c.name}${variant.join('')}.txt`);
          const bin = decodeAll(dat, buffer);
          const txt = decodeAll(txtPath, buffer);
          const ns = variant.includes('-t') || c.name === 'tsc-clock';
          const res = compareDecoded(bin, txt, ns ? 0n : 500n);
          expect(txt.source.meta.clockIsNs).toBe(bin.source.meta.clockIsNs);
          expect(txt.source.unparsed?.lines).toBe(0);
          expect(txt.lost.map((l) => [l.cpu, l.count])).toEqual(bin.lost.map((l) => [l.cpu, l.count]));
          for (let k = 0; k < bin.lost.length; k++) {
            if (Number.isFinite(bin.lost[k].beforeTs)) expect(Number.isFinite(txt.lost[k].beforeTs)).toBe(true);
          }
          expect(res.fieldsCompared).toBeGreaterThan(0);
          const gaps = KNOWN_GAPS[variant.includes('-R') ? 'raw' : 'default'];
          const unexpected = [...res.fieldMismatches].filter(([k]) => !gaps.includes(k));
          expect(Object.fromEntries(unexpected)).toEqual({});
        }, 120_000);
      }
    }
  }
});
