// The event formats kvmtrace ships for text input (trace-cmd report / perf script / tracefs `trace`),
// where the recording's own formats are not available: the real Linux 6.18 files (linux-6.18.ts,
// generated from fixtures/formats/linux-6.18) followed by hand-written older layouts (older.ts).
// Everything is bundled as TypeScript, so dist/ never reads fixtures/ at run time. See README.md.
import { parseEventFormat, type EventFormat } from '../../tracedat/format-parser.js';
import { LINUX_6_18_FORMATS } from './linux-6.18.js';
import { OLDER_FORMATS } from './older.js';

export interface ShippedFormat {
  format: EventFormat;
  /** Kernel versions this layout stands for. */
  kernels: string;
  provenance: string;
}

let cache: ShippedFormat[] | undefined;

/** Every shipped layout; for one event the newest layout comes first. */
export function shippedFormats(): ShippedFormat[] {
  if (cache) return cache;
  const out: ShippedFormat[] = [];
  for (const [system, text] of LINUX_6_18_FORMATS) {
    out.push({ format: parseEventFormat(text, system), kernels: '6.18 (real file)', provenance: `fixtures/formats/linux-6.18/events/${system}` });
  }
  for (const v of OLDER_FORMATS) out.push({ format: parseEventFormat(v.text, v.system), kernels: v.kernels, provenance: v.provenance });
  cache = out;
  return out;
}
