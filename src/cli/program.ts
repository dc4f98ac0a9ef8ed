// kvmtrace command line (started by main.ts): thin commands over the library. Exit status: 0 ok; 1 when `--fail-on
// SEVERITY` finds a verdict at or above SEVERITY; 2 bad input or usage (unknown options included).
// Errors are one line naming the file and the offset; KVMTRACE_DEBUG=1 adds the stack.
// With no arguments: the interactive mode on a terminal (interactive.ts), a usage error otherwise.
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../diag/errors.js';
import { addAnalyzeCommands } from './analyze-command.js';
import { dump } from './commands/dump.js';
import { printEvents } from './commands/events.js';
import { info } from './commands/info.js';
import { simulate } from './commands/simulate.js';
import { EXIT_USAGE, fail } from './errors.js';
import { promptChoice, type Prompts } from './interactive.js';
import { progressFor } from './progress.js';
import { VERSION } from './version.js';

const program = new Command();
program
  .name('kvmtrace')
  .description('Trace analyzer for KVM hosts: VM exits, spinning vCPUs, late timers and vCPU migrations from trace-cmd and perf recordings.')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  .addHelpText('after', `
Run with no arguments on a terminal to pick a trace in the current folder interactively.

Examples:
  kvmtrace analyze trace.dat                  reports/trace.{html,json,md} and a summary
  kvmtrace diff before.dat after.dat          what a tuning change did
  kvmtrace events                             what to record, as trace-cmd and perf commands
  kvmtrace info trace.dat                     what a trace file contains

Exit status: 0 ok, 1 a verdict at or above --fail-on, 2 bad input or usage.`);

program.showHelpAfterError('(run with --help for usage and examples)');

const bufferOpt = () => new Option('-B, --buffer <name>', 'buffer instance to read (default: the top buffer)');

addAnalyzeCommands(program);

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
  .addHelpText('after', '\nExamples:\n  kvmtrace info trace.dat\n  kvmtrace info perf.data.zst')
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

/** No arguments: prompts on a terminal, else a usage error (never waits for input). */
async function interactive(): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write('kvmtrace: no command given and no terminal to ask on; run `kvmtrace analyze FILE` (see kvmtrace --help)\n');
    process.exit(EXIT_USAGE);
  }
  const clack = await import('@clack/prompts');
  const choice = await promptChoice(clack as unknown as Prompts, process.cwd());
  if (!choice) process.exit(EXIT_USAGE);
  try {
    const { analyze } = await import('./commands/analyze.js');
    await analyze(choice.file, { outDir: 'reports', formats: choice.formats, select: { vms: choice.vms, vcpus: [] }, window: choice.window, progress: progressFor(process.stderr, false, choice.file) });
  } catch (e) {
    fail(e, choice.file);
  }
}

try {
  if (process.argv.length <= 2) await interactive();
  else await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
  fail(e);
}
