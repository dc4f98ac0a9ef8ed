// The short summary printed after each run: what was read, the verdicts, the top exit reasons, data problems and
// where the reports went. Colour only on a TTY without NO_COLOR.
import { escapeTerm } from './escape.js';
import type { Report } from './model.js';
import { filterArgs, fmtCount, fmtDuration, fmtSeconds, pct } from './text.js';
import { verdictsTerminal } from '../verdicts/render.js';

/** Colour on a terminal unless NO_COLOR is set (no-color.org) or TERM=dumb; FORCE_COLOR (≠ 0) forces it. */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY && env.TERM !== 'dumb';
}

export function toTerminal(r: Report, written: string[], color: boolean): string {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const i = r.input;
  const lines: string[] = [];
  lines.push(c('1', `kvmtrace: ${escapeTerm(i.file)}`));
  lines.push(`  ${i.format} v${i.version} (${i.compression}), ${i.cpus} CPUs, ${fmtCount(i.events)} events over ${i.clockIsNs ? fmtDuration(i.durationNs) : `${fmtCount(i.durationNs)} cycles`}, clock ${escapeTerm(i.clock)}`);
  const narrowed = [r.window ? `--window ${r.window.spec}` : '', filterArgs({ vms: [], selection: r.selection }).trim()].filter(Boolean).join(' ');
  if (narrowed) lines.push(`  narrowed to ${escapeTerm(narrowed)}`);
  lines.push(...verdictsTerminal(r.verdicts, color));
  for (const vm of r.vms) {
    lines.push(`  VM ${escapeTerm(vm.name)}: ${vm.vcpus.length} vCPU thread(s) ${vm.vcpus.map((v) => escapeTerm(v.comm || String(v.tid))).join(', ')}`);
  }
  if (r.exits.total > 0) {
    lines.push(`  VM exits: ${fmtCount(r.exits.total)}`);
    for (const e of r.exits.byReason.slice(0, 5)) {
      const p99 = e.p99Ns === null ? '' : `  p99 ${fmtDuration(e.p99Ns)}`;
      lines.push(`    ${escapeTerm(e.reason).padEnd(24)} ${fmtCount(e.count).padStart(10)}  ${pct(e.count, r.exits.total).padStart(6)}${p99}`);
    }
  } else {
    lines.push(`  VM exits: ${r.exits.available ? 'none recorded' : 'kvm_exit not recorded'}`);
  }
  const worst = r.timeline.worstWindows[0];
  if (worst?.window) {
    const what = worst.kind === 'exit-time' ? `${fmtDuration(Math.round(worst.value))} in exits` : `timer ${fmtCount(worst.value)} cycles late`;
    lines.push(`  worst window: ${fmtSeconds(worst.startNs)}–${fmtSeconds(worst.endNs)} s (${what}); zoom in with --window ${worst.window}${escapeTerm(filterArgs(r))}`);
  }
  const top = r.events.byEvent.slice(0, 5).map((e) => `${escapeTerm(e.event)} ${fmtCount(e.count)}`).join(', ');
  if (top) lines.push(`  top events: ${top}`);
  for (const d of r.dataQuality.diagnostics) {
    lines.push(c(d.severity === 'data-loss' ? '31' : '33', `  ${d.severity}: ${escapeTerm(d.message)}${d.count > 1 ? ` (×${fmtCount(d.count)})` : ''}`));
  }
  for (const w of written) lines.push(`  wrote ${w}`);
  return lines.join('\n') + '\n';
}
