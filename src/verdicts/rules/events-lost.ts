// events-lost: the recorder's own loss counts (page headers, perf LOST records). Always evaluable;
// it costs no vCPU time (impact 0) but lowers the confidence of every other verdict.
import { EVIDENCE, REMEDIATION } from '../messages.js';
import { derived, ref, share } from '../context.js';
import type { Rule } from '../types.js';

export const eventsLost: Rule = {
  id: 'events-lost',
  evaluate({ report: r, t }) {
    const i = r.input;
    const lostShare = share(i.lostEvents, i.events + i.lostEvents);
    const values = [
      ref('lostEvents', i.lostEvents, 'count', 'input.lostEvents'), ref('lostUnknown', i.lostUnknown, 'count', 'input.lostUnknown'),
      ref('events', i.events, 'count', 'input.events'), derived('lostShare', lostShare, 'ratio', 'input.lostEvents / (input.events + input.lostEvents)'),
    ];
    if (i.lostEvents === 0 && i.lostUnknown === 0) return { severity: 'ok', impact: 0, impactFormula: 'none', summary: EVIDENCE.lostOk(), values, remediation: [] };
    const byCpu = new Map<number, number>();
    for (const l of r.dataQuality.lost) if (l.count > 0) byCpu.set(l.cpu, (byCpu.get(l.cpu) ?? 0) + l.count);
    const cpus = [...byCpu].sort((a, b) => a[0] - b[0]).map(([cpu, count]) => ({ cpu, count }));
    for (const c of cpus) values.push(derived(`lost[cpu ${c.cpu}]`, c.count, 'count', `Σ dataQuality.lost[cpu = ${c.cpu}].count`));
    const windows = r.dataQuality.lost.map((l, k) => ({ l, k })).filter(({ l }) => l.atNs !== null).slice(0, 10)
      .map(({ l, k }) => ({ startNs: l.atNs!, endNs: l.atNs!, cpu: l.cpu, vm: null, vcpu: null, tid: null, ref: `dataQuality.lost[${k}]` }));
    return {
      severity: lostShare >= t.warningShare ? 'warning' : 'info', impact: 0, impactFormula: 'lost events cost no vCPU time: 0',
      summary: EVIDENCE.lost({ lost: i.lostEvents, unknown: i.lostUnknown, events: i.events, share: lostShare, cpus }),
      values, windows, remediation: REMEDIATION.lost(),
    };
  },
};
