// How the CLI reports a failure: one line on stderr naming the file (and the byte offset or line
// for bad input), never a stack trace unless KVMTRACE_DEBUG is set. Exit status 2 for bad input
// and usage errors.
import { InputError, UsageError } from '../diag/errors.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** Prints the one-line error for `e` (about `file` when given). */
export function printError(e: unknown, file?: string): void {
  let msg: string;
  if (e instanceof InputError) msg = (file ? e.withFile(file) : e).describe();
  else if (e instanceof UsageError) msg = file && !e.message.startsWith(file) ? `${file}: ${e.message}` : e.message;
  else {
    const err = e as Error;
    msg = `${file ?? 'kvmtrace'}: cannot read input: ${err?.message ?? String(e)}`.replace(/\s*\n[\s\S]*$/, '');
  }
  process.stderr.write(`kvmtrace: ${msg}\n`);
  if (process.env.KVMTRACE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
}

/** Prints the error and exits with status 2. */
export function fail(e: unknown, file?: string): never {
  printError(e, file);
  process.exit(EXIT_USAGE);
}
