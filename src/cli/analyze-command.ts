// The `analyze` and `diff` commands: options, help with examples, and exit status (0 ok; 1 a
// verdict at or above --fail-on; 2 bad input or usage — analyze goes on with the other inputs and
// exits 2 at the end when one of them could not be read).
import { Command, Option } from 'commander';
import { UsageError } from '../diag/errors.js';
import { resolveThresholds, severityRank, verdictsAtLeast, type Severity, type Thresholds } from '../verdicts/index.js';
import { EXIT_FINDINGS, EXIT_USAGE, fail, printError } from './errors.js';
import { collect, parseFilters, parseFormats, reportNames, singleFileOut, type Filters, type ReportFormat } from './options.js';
import { progressFor } from './progress.js';

interface CommonOpts {
  out: string;
  format: string;
  name?: string;
  quiet?: boolean;
  buffer?: string;
  threshold?: string[];
  config?: string;
  failOn?: Severity;
  vm?: string[];
  vcpu?: string[];
  window?: string;
  interactive?: boolean;
}

const FILTER_HELP = `
Filters:
  --vm NAME=PID     names the VM whose QEMU process id is PID (the name shows in the reports)
  --vm NAME|PID     (no "=") analyses only this VM: a name from the report ("vm-5128", or one
                    given with NAME=PID) or its QEMU pid; repeatable
  --vcpu N|VM:N     only vCPU N (of every selected VM, or of VM); repeatable, or a comma list
  --window A..B     only events from A to B, inclusive: seconds as trace-cmd report / perf script
                    print them (1890.25..1890.75), or after the first event (+1.2s..+1.5s, +300ms,
                    +50us, +800ns); a side may be left open (+1s..). The analyses start fresh at A,
                    as if the recording had begun there (docs/cli.md).`;

function addCommon(cmd: Command, outDefault: string): Command {
  return cmd
    .option('-o, --out <dir|file>', 'directory for the reports, or one file whose extension (.html, .md, .json) picks the format', outDefault)
    .option('--format <list>', 'report formats: html,json,md', 'html,json,md')
    .option('--name <name>', 'report file name without extension (default: from the input file)')
    .option('-q, --quiet', 'no summary and no progress bar')
    .option('-B, --buffer <name>', 'buffer instance to read (default: the top buffer)')
    .option('--threshold <id.key=value>', 'override a verdict threshold (repeatable; see docs/verdicts.md)', collect)
    .option('--config <file>', 'JSON file with verdict thresholds: {"thresholds": {"<id>": {"<key>": number}}}')
    .option('--vm <name=pid|name|pid>', 'name a VM (name=pid) or select VMs (name or pid; repeatable)', collect)
    .option('--vcpu <N|VM:N>', 'select vCPUs (repeatable)', collect)
    .option('--window <start..end>', 'narrow every analysis to a time window')
    .option('--interactive', 'inline the Vega runtime in the HTML report: tooltips and zoom, still no network (about 0.5 MB more)')
    .addOption(new Option('--fail-on <severity>', 'exit with status 1 when a verdict at or above this severity fires').choices(['info', 'warning', 'critical']))
    .addHelpText('after', FILTER_HELP);
}

function parseCommon(o: CommonOpts): { thresholds: Thresholds; filters: Filters; formats: ReportFormat[] } {
  try {
    return { thresholds: resolveThresholds({ config: o.config, thresholds: o.threshold ?? [] }), filters: parseFilters(o), formats: parseFormats(o.format) };
  } catch (e) {
    fail(e);
  }
}

export function addAnalyzeCommands(program: Command): void {
  addCommon(
    program.command('analyze').description('analyze traces and write HTML, JSON and Markdown reports, one set per input').argument('<files...>', 'trace.dat, perf.data or trace text (also .gz/.zst)'),
    'reports',
  )
    .addHelpText('after', `
Examples:
  kvmtrace analyze trace.dat                         reports/trace.{html,json,md} and a summary
  kvmtrace analyze a.dat b/trace.dat -o out          one report per input: out/a.*, out/trace.*
  kvmtrace analyze trace.dat --format md -q          only the Markdown, no summary
  kvmtrace analyze trace.dat -o ticket.md            only ticket.md
  kvmtrace analyze trace.dat --interactive           HTML charts with tooltips and zoom
  kvmtrace analyze trace.dat --window +1.2s..+1.5s   the 300 ms incident only
  kvmtrace analyze trace.dat --vm web=5128 --vm web --vcpu 0
  kvmtrace analyze perf.data --fail-on warning       exit status 1 when a warning fires (CI)`)
    .action(async (files: string[], o: CommonOpts) => {
      const common = parseCommon(o);
      const { thresholds, filters } = common;
      let formats = common.formats;
      if (o.name && files.length > 1) fail(new UsageError('--name names one report; with several inputs the names come from the files'));
      let names = o.name ? [o.name] : reportNames(files);
      const single = singleFileOut(o.out);
      if (single) {
        if (files.length > 1) fail(new UsageError(`-o ${o.out} names one report file; with several inputs give a directory`));
        [o.out, names, formats] = [single.dir, [single.name], [single.format]];
      }
      // Loaded here: the report renderers (vega) take most of a second to load, --help should not wait.
      const { analyze } = await import('./commands/analyze.js');
      let status = 0;
      for (const [k, file] of files.entries()) {
        try {
          const { report } = await analyze(file, {
            outDir: o.out, formats, name: names[k], quiet: o.quiet, buffer: o.buffer, thresholds, interactive: o.interactive,
            vms: filters.names, select: filters.select, window: filters.window, progress: progressFor(process.stderr, !!o.quiet, file),
          });
          if (o.failOn && verdictsAtLeast(report.verdicts, o.failOn).length > 0) status = Math.max(status, EXIT_FINDINGS);
        } catch (e) {
          printError(e, file);
          status = EXIT_USAGE;
        }
      }
      process.exitCode = status;
    });

  addCommon(
    program.command('diff').description('compare two traces (before/after a change): exits per reason, timers, migrations, verdicts').argument('<before>', 'trace before the change').argument('<after>', 'trace after the change'),
    'reports',
  )
    .addHelpText('after', `
--fail-on SEVERITY exits with status 1 when a verdict at or above SEVERITY appeared or got worse.

Examples:
  kvmtrace diff before.dat after.dat                 reports/diff-before-after.{html,json,md}
  kvmtrace diff before.dat after.dat -o out --format md,json
  kvmtrace diff before.dat after.dat -o change.md    only change.md
  kvmtrace diff before.dat after.dat --window +0s..+2s --vm 5128
  kvmtrace diff base.dat tuned.dat --fail-on warning`)
    .action(async (before: string, after: string, o: CommonOpts) => {
      const { thresholds, filters, formats } = parseCommon(o);
      const single = singleFileOut(o.out);
      let current = before;
      const { diff } = await import('./commands/diff.js');
      try {
        const progress = (file: string) => progressFor(process.stderr, !!o.quiet, file);
        const { diff: d } = await diff(before, after, {
          outDir: single?.dir ?? o.out, formats: single ? [single.format] : formats, name: single?.name ?? o.name, quiet: o.quiet, buffer: o.buffer, thresholds,
          vms: filters.names, select: filters.select, window: filters.window,
          progress: (pass, source) => progress(current)?.(pass, source),
          onInput: (file) => (current = file),
        });
        const min = o.failOn ? severityRank(o.failOn) : Infinity;
        const worse = [...d.verdicts.appeared.map((v) => v.severity), ...d.verdicts.changed.filter((c) => severityRank(c.after) > severityRank(c.before)).map((c) => c.after)];
        if (worse.some((s) => severityRank(s) >= min)) process.exitCode = EXIT_FINDINGS;
      } catch (e) {
        fail(e, current);
      }
    });
}
