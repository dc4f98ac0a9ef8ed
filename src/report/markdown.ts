// Markdown summary for a ticket comment (`--format md`): the verdicts first, then the key tables
// (exit reasons, vCPUs, longest exits, worst windows with the command that zooms in), one line per
// other analysis, data quality with the commands that record what is missing, and the command that
// reproduces the report. GitHub-flavoured tables, sized to stay well under a comment's 65,536
// characters; every trace string escaped (escapeMd), commands in code spans no backtick can close.
import { escapeMd } from './escape.js';
import type { Report } from './model.js';
import { fmtCount, fmtDuration, fmtSeconds, pct, reproduceCommand } from './text.js';
import { verdictsMarkdown } from '../verdicts/render.js';

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Inline code that no backtick inside can close; `inTable` also escapes the pipes GFM splits cells on. */
export function codeSpan(s: string, inTable = false): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const tick = '`'.repeat(longest + 1);
  const body = inTable ? s.replace(/\|/g, '\\|') : s;
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${tick}${pad}${body.replace(/[\r\n]+/g, ' ')}${pad}${tick}`;
}

/** A fenced block no backtick run inside can close. */
function fenced(code: string, lang = ''): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(Math.max(3, longest + 1));
  return `${f}${lang}\n${code}\n${f}`;
}

const ns = (v: number | null) => (v === null ? '–' : fmtDuration(v));

export function toMarkdown(r: Report): string {
  const i = r.input;
  const out: string[] = [];
  const vmName = (id: number | null) => (id === null ? '–' : escapeMd(r.vms[id]?.name ?? String(id)));
  const vc = (vm: number | null, vcpu: number | null, tid: number | null) => (vcpu === null ? (tid === null ? '–' : `tid ${tid}`) : `${vmName(vm)} vCPU ${vcpu}`);
  out.push(`## kvmtrace report: ${escapeMd(i.file)}`, '');
  const span = i.clockIsNs ? fmtDuration(i.durationNs) : `${fmtCount(i.durationNs)} clock units`;
  const vms = r.vms.length ? r.vms.map((v) => `${escapeMd(v.name)} (${v.vcpus.length} vCPU${v.vcpus.length === 1 ? '' : 's'})`).join(', ') : 'no VM found';
  out.push(`Host **${escapeMd(i.host ?? 'unknown')}**, ${i.cpus} CPUs, ${span} traced (${fmtSeconds(i.firstNs)} – ${fmtSeconds(i.lastNs)} s), ${fmtCount(i.events)} events from ${escapeMd(i.format)}${i.version ? ` v${escapeMd(i.version)}` : ''}; VMs: ${vms}.`, '');
  if (r.window) out.push(`Narrowed to ${codeSpan(`--window ${r.window.spec}`)}.`, '');
  out.push(verdictsMarkdown(r.verdicts));
  out.push('### VMs', '');
  if (r.vms.length === 0) out.push('No vCPU thread found.');
  for (const vm of r.vms.slice(0, 16)) {
    const more = vm.vcpus.length > 16 ? `, …and ${vm.vcpus.length - 16} more` : '';
    out.push(`- ${escapeMd(vm.name)} (pid ${vm.pid ?? 'unknown'}, grouped by ${vm.grouping}): ${vm.vcpus.slice(0, 16).map((v) => `vCPU ${v.vcpu < 0 ? '?' : v.vcpu} = ${escapeMd(v.comm || '?')} (${v.tid})`).join(', ')}${more}`);
  }
  if (r.vms.length > 16) out.push(`- …and ${r.vms.length - 16} more VMs (see the HTML or JSON report).`);
  out.push('');

  out.push('### VM exits', '');
  const e = r.exits;
  if (!e.available) out.push('The trace has no kvm_exit format: record `-e kvm:kvm_exit -e kvm:kvm_entry` to see exits.', '');
  else if (e.total === 0) out.push('kvm_exit is in the trace but no exit was recorded.', '');
  else {
    out.push(table(['reason', 'isa', 'count', 'share', 'total time', 'p50', 'p99', 'max'], e.byReason.slice(0, 12).map((x) => [
      escapeMd(x.reason), escapeMd(x.isa), fmtCount(x.count), pct(x.count, e.total), ns(x.totalNs), ns(x.p50Ns), ns(x.p99Ns), ns(x.maxNs),
    ])), '');
    if (e.byReason.length > 12) out.push(`…and ${e.byReason.length - 12} more reasons (see the HTML or JSON report).`, '');
    const rows = [...e.byVcpu].sort((a, b) => b.totalNs - b.haltedNs - (a.totalNs - a.haltedNs)).slice(0, 16);
    out.push(`**Exit time per vCPU** (${rows.length < e.byVcpu.length ? `the ${rows.length} with the most time not halted, of ${e.byVcpu.length}` : 'most time not halted first'})`, '');
    out.push(table(['VM', 'vCPU', 'thread', 'tid', 'exits', 'total', 'handling', 'scheduled out', 'user space', 'halted'], rows.map((v) => [
      vmName(v.vm), v.vcpu === null ? '–' : String(v.vcpu), escapeMd(v.comm || '?'), String(v.tid), fmtCount(v.count), ns(v.totalNs), ns(v.handlingNs), ns(v.scheduledOutNs), ns(v.userspaceNs), ns(v.haltedNs),
    ])), '');
    if (e.longest.length) {
      out.push('**Longest exits** (by time not halted)', '');
      out.push(table(['time (s)', 'CPU', 'vCPU', 'reason', 'duration', 'scheduled out', 'user space', 'ran instead'], e.longest.slice(0, 5).map((l) => [
        fmtSeconds(l.tsNs), String(l.cpu), vc(l.vm, l.vcpu, l.tid), escapeMd(l.reason), ns(l.durationNs), ns(l.scheduledOutNs), ns(l.userspaceNs), escapeMd(l.ranInstead.join(', ')) || '–',
      ])), '');
    }
  }

  const w = r.timeline.worstWindows;
  if (w.length) {
    out.push('### Worst windows', '');
    out.push(table(['what', 'from (s)', 'to (s)', 'amount', 'worst vCPU', 'zoom in'], w.map((x) => [
      x.kind === 'exit-time' ? 'exit time (not halted)' : 'late guest timer', fmtSeconds(x.startNs), fmtSeconds(x.endNs),
      x.unit === 'ns' ? fmtDuration(Math.round(x.value)) : `${fmtCount(x.value)} TSC cycles`, vc(x.vm, x.vcpu, x.tid),
      x.window ? codeSpan(`--window ${x.window}`, true) : '–',
    ])), '');
  }

  out.push('### Other analyses', '');
  out.push(...otherLines(r).map((l) => `- ${l}`), '');

  out.push('### Data quality', '');
  out.push(`- Lost events: ${i.lostEvents || i.lostUnknown ? `**${fmtCount(i.lostEvents)}**${i.lostUnknown ? ` (+ ${fmtCount(i.lostUnknown)} losses of unknown size)` : ''} — counts near the losses are lower bounds` : 'none'}.`);
  if (i.unparsedLines) out.push(`- ${fmtCount(i.unparsedLines)} input lines could not be read as events.`);
  for (const d of r.dataQuality.diagnostics.slice(0, 10)) out.push(`- ${d.severity}: ${escapeMd(d.message)}${d.count > 1 ? ` (×${fmtCount(d.count)})` : ''}`);
  if (r.dataQuality.diagnostics.length > 10) out.push(`- …and ${r.dataQuality.diagnostics.length - 10} more problems (see the HTML or JSON report).`);
  for (const m of r.missing) out.push(`- Not measured: **${escapeMd(m.analysis)}** needs ${m.events.map((x) => codeSpan(x)).join(', ')}. Record with ${codeSpan(m.traceCmd)}`);
  out.push('', '### Reproduce', '', fenced(reproduceCommand(i.file, r.window?.spec, r), 'sh'), '');
  out.push(`<sub>kvmtrace ${escapeMd(r.generator.version)}, report schema ${r.schema}</sub>`, '');
  return out.join('\n');
}

/** One line per analysis beyond exits: spinning, timers, halt polling, scheduling, IPIs. */
function otherLines(r: Report): string[] {
  const lines: string[] = [];
  const s = r.spin;
  lines.push(s.available ? `Spinning: ${fmtCount(s.onSpinEvents)} kvm_vcpu_on_spin calls, ${fmtCount(s.pauseExits)} PAUSE exits; ${fmtCount(s.lockHolderPreempted)} while a sibling vCPU waited runnable.` : 'Spinning: not measured.');
  const le = r.timers.lapicExpire;
  const cyc = (v: number | null) => (v === null ? '–' : `${fmtCount(v)} cycles`);
  lines.push(le.available ? `Guest timers (kvm_wait_lapic_expire, guest TSC cycles): ${fmtCount(le.count)} expirations, ${fmtCount(le.late)} late, ${fmtCount(le.early)} early; p50 ${cyc(le.p50Ns)}, p99 ${cyc(le.p99Ns)}, worst late ${cyc(le.maxLateNs)}.` : 'Guest timers: kvm_wait_lapic_expire not recorded.');
  const inj = r.timers.injection;
  if (inj.available && inj.count) lines.push(`Timer injection (apic_timer_fn → kvm_entry): ${fmtCount(inj.count)} timers, p50 ${ns(inj.p50Ns)}, p99 ${ns(inj.p99Ns)}, max ${ns(inj.maxNs)}.`);
  const hp = r.haltPoll;
  lines.push(hp.available ? `Halt polling: ${fmtCount(hp.wakeups)} wakeups, ${pct(hp.polled, hp.wakeups)} caught by polling, ${fmtCount(hp.waited)} waited (${fmtCount(hp.waitedJustAfterWindow)} just after the window), ${ns(hp.pollNs)} spent polling.` : 'Halt polling: kvm_vcpu_wakeup not recorded.');
  const sc = r.scheduling;
  if (sc.available) {
    const sum = (f: (x: (typeof sc.byVcpu)[number]) => number) => sc.byVcpu.reduce((a, x) => a + f(x), 0);
    const worst = sc.byVcpu.reduce<(typeof sc.byVcpu)[number] | null>((a, x) => (a === null || x.stackedNs > a.stackedNs ? x : a), null);
    lines.push(`Scheduling: ${fmtCount(sum((x) => x.migrations))} vCPU migrations, ${fmtCount(sum((x) => x.affineWakeups))} affine wakeups of ${fmtCount(sum((x) => x.wakeups))}; most time stacked with a sibling: ${worst && worst.stackedNs > 0 ? `${worst.vm === null ? '–' : escapeMd(r.vms[worst.vm]?.name ?? '')} vCPU ${worst.vcpu ?? '?'} ${ns(worst.stackedNs)}` : 'none'}.`);
  } else lines.push('Scheduling: not measured (see data quality).');
  lines.push(r.ipis.available ? `IPIs: ${fmtCount(r.ipis.total)} sent (kvm_apic_ipi), ${fmtCount(r.ipis.icrMsrWrites)} x2APIC ICR writes.` : 'IPIs: kvm_apic_ipi not recorded.');
  return lines;
}
