// KVMTRACE_TIMING=1: one stderr line per phase of a run (milliseconds since the process started), to
// see where an end-to-end `kvmtrace analyze` spends its time without a profiler. Off: no cost.
const on = !!process.env.KVMTRACE_TIMING;

export function mark(phase: string): void {
  if (on) process.stderr.write(`[timing] ${performance.now().toFixed(0).padStart(6)} ms  ${phase}\n`);
}
