#!/usr/bin/env node
// kvmtrace command line: thin commands over the library. Exit status: 0 ok, 2 bad input or usage,
// 1 when `analyze --fail-on SEVERITY` finds a verdict at or above SEVERITY.
// Errors are one line naming the file and the offset; KVMTRACE_DEBUG=1 adds the stack.
import { Command, CommanderError, Option } from 'commander';
import { InputError, UsageError } from '../diag/errors.js';
import { analyze, parseFormats, parseVm } from './commands/analyze.js';
import { dump } from './commands/dump.js';
import { printEvents } from './commands/events.js';
import { info } from './commands/info.js';
import { simulate } from './commands/simulate.js';
import { VERSION } from './version.js';
import { resolveThresholds, verdictsAtLeast, type Severity } from '../verdicts/index.js';

function fail(e: unknown, file?: string): never {
  let msg: string;
  if (e instanceof InputError) msg = (file ? e.withFile(file) : e).describe();
  else if (e instanceof UsageError) msg = e.message;
  else {
    const err = e as Error;
    msg = `${file ?? 'kvmtrace'}: cannot read input: ${err?.message ?? String(e)}`.replace(/\s*\n[\s\S]*$/, '');
  }
  process.stderr.write(`kvmtrace: ${msg}\n`);
  if (process.env.KVMTRACE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(2);
}

const program = new Command();
program
  .name('kvmtrace')
  .description('Trace analyzer for KVM hosts: VM exits, spinning vCPUs, late timers and vCPU migrations from trace-cmd and perf recordings.')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const bufferOpt = () => new Option('-B, --buffer <name>', 'buffer instance to read (default: the top buffer)');

program
  .command('analyze')
  .description('analyze a trace and write HTML, JSON and Markdown reports')
  .argument('<file>', 'trace.dat (v6/v7, none/zlib/zstd)')
  .option('-o, --out <dir>', 'directory for the reports', 'reports')
  .option('--format <list>', 'report formats: html,json,md', 'html,json,md')
  .option('--name <name>', 'report file name without extension (default: from the input file)')
  .option('-q, --quiet', 'do not print the summary')
  .addOption(bufferOpt())
  .option('--threshold <id.key=value>', 'override a verdict threshold (repeatable; see docs/verdicts.md)', (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option('--config <file>', 'JSON file with verdict thresholds: {"thresholds": {"<id>": {"<key>": number}}}')
  .option('--vm <name=pid>', "name a VM by its QEMU process id (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
  .addOption(new Option('--fail-on <severity>', 'exit with status 1 when a verdict at or above this severity fires').choices(['info', 'warning', 'critical']))
  .addHelpText('after', '\nExamples:\n  kvmtrace analyze trace.dat\n  kvmtrace analyze trace.dat -o /tmp/out --format html,json\n  kvmtrace analyze trace.dat --buffer guest1\n  kvmtrace analyze trace.dat --threshold long-exits.warningNs=500000 --fail-on warning')
  .action(async (file: string, o: { out: string; format: string; name?: string; quiet?: boolean; buffer?: string; threshold: string[]; config?: string; failOn?: Severity; vm: string[] }) => {
    let failed = false;
    try {
      const thresholds = resolveThresholds({ config: o.config, thresholds: o.threshold });
      const vms = o.vm.map(parseVm);
      const { report } = await analyze(file, { outDir: o.out, formats: parseFormats(o.format), name: o.name, quiet: o.quiet, buffer: o.buffer, thresholds, vms });
      failed = !!o.failOn && verdictsAtLeast(report.verdicts, o.failOn).length > 0;
    } catch (e) {
      fail(e, file);
    }
    if (failed) process.exitCode = 1;
  });

program
  .command('events')
  .description('print what to record for each analysis, as ready-to-run trace-cmd and perf commands')
  .addHelpText('after', '\nExample:\n  kvmtrace events')
  .action(() => printEvents(process.stdout));

program
  .command('dump')
  .description('print every event with all its fields, one line each')
  .argument('<file>', 'trace file')
  .option('-n, --limit <count>', 'stop after this many events', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--limit needs a non-negative integer, got "${v}"`);
    return n;
  })
  .option('-p, --pretty', "render each event's print format (like trace-cmd report -N) instead of raw fields")
  .addOption(bufferOpt())
  .addHelpText('after', '\nExamples:\n  kvmtrace dump trace.dat | head\n  kvmtrace dump trace.dat --limit 100 --buffer foo\n  kvmtrace dump trace.dat --pretty')
  .action((file: string, o: { limit?: number; buffer?: string; pretty?: boolean }) => {
    try {
      dump(file, process.stdout, { limit: o.limit, buffer: o.buffer, pretty: o.pretty });
    } catch (e) {
      fail(e, file);
    }
  });

program
  .command('info')
  .description('show what a trace file contains: version, compression, clock, CPUs, buffers, formats, counts')
  .argument('<file>', 'trace file')
  .addOption(bufferOpt())
  .addHelpText('after', '\nExample:\n  kvmtrace info trace.dat')
  .action((file: string, o: { buffer?: string }) => {
    try {
      info(file, process.stdout, o.buffer);
    } catch (e) {
      fail(e, file);
    }
  });

program
  .command('simulate')
  .description('write a simulated KVM-host trace.dat whose right answers are known (and its truth as JSON)')
  .argument('[scenario]', 'scenario name (see --list)')
  .option('-o, --out <file>', 'trace.dat to write')
  .option('--file-version <n>', 'trace.dat file version: 6 or 7 (--version is the program\'s own option)', '7')
  .option('--seed <n>', 'PRNG seed (default 1)')
  .option('--truth <file>', 'also write the scenario truth as JSON')
  .option('--list', 'list the scenarios')
  .addHelpText('after', '\nExamples:\n  kvmtrace simulate --list\n  kvmtrace simulate one-long-exit -o /tmp/one.dat --truth /tmp/one.json\n  kvmtrace simulate stacked-spinning -o s.dat --file-version 6')
  .action((name: string | undefined, o: { out?: string; fileVersion?: string; seed?: string; truth?: string; list?: boolean }) => {
    try {
      simulate(name, { ...o, version: o.fileVersion }, process.stdout);
    } catch (e) {
      fail(e, o.out);
    }
  });

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  fail(e);
}
