// Option payloads common to trace.dat v6 and v7 (ids and layouts: trace-formats.md §1.10;
// trace-cmd lib/trace-cmd/trace-input.c handle_options). The BUFFER layout differs between the
// versions and is decoded by the layout modules; everything else is decoded here.
import { InputError } from '../../diag/errors.js';
import { BufferSource } from '../io/byte-source.js';
import { Cursor } from '../io/cursor.js';
import { activeClock, type TraceDatOptions } from './file-info.js';

const decoder = new TextDecoder();

export function emptyOptions(): TraceDatOptions {
  return { offsetNs: 0n, dateOffsetNs: 0n, cpustat: [], unknown: [], seen: [] };
}

function cstr(payload: Uint8Array): string {
  const z = payload.indexOf(0);
  return decoder.decode(z >= 0 ? payload.subarray(0, z) : payload);
}

/** Parses a decimal/hex/octal integer as strtoll(…, 0) would; undefined when malformed. */
function parseCInt(text: string): bigint | undefined {
  const t = text.trim();
  const m = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)/i.exec(t);
  if (!m) return undefined;
  const body = m[2];
  let v: bigint;
  if (/^0x/i.test(body)) v = BigInt(body);
  else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

/**
 * Applies one option (other than BUFFER/DONE and the v7 section pointers, which the caller handles)
 * to `opts`. `payloadOffset` is used in error messages.
 */
export function applyOption(opts: TraceDatOptions, id: number, payload: Uint8Array, little: boolean, payloadOffset: number): void {
  const c = new Cursor(new BufferSource(payload));
  c.little = little;
  switch (id) {
    case 1: { // DATE: µs offset as text (hex with 0x), ×1000
      const v = parseCInt(cstr(payload));
      if (v !== undefined) opts.dateOffsetNs = v * 1000n;
      break;
    }
    case 2:
      opts.cpustat.push(cstr(payload));
      break;
    case 4: {
      const clock = activeClock(cstr(payload));
      if (clock) opts.clock = clock;
      break;
    }
    case 5:
      opts.uname = cstr(payload);
      break;
    case 7: {
      const v = parseCInt(cstr(payload));
      if (v !== undefined) opts.offsetNs = v;
      break;
    }
    case 8:
      if (payload.length < 4) throw new InputError('CPUCOUNT option shorter than 4 bytes', payloadOffset);
      opts.cpuCount = c.u32('CPUCOUNT');
      // Linux allows at most 8192 CPUs; a count far past that is damage, and would size per-CPU tables.
      if (opts.cpuCount > 1 << 16) throw new InputError(`CPUCOUNT ${opts.cpuCount} is implausible`, payloadOffset);
      break;
    case 9:
      opts.traceCmdVersion = cstr(payload);
      break;
    case 11:
      if (payload.length >= 8) opts.traceId = c.u64big('TRACEID');
      break;
    case 14: {
      if (payload.length < 16) throw new InputError('TSC2NSEC option shorter than 16 bytes', payloadOffset);
      const mult = c.u32('TSC2NSEC mult');
      const shift = c.u32('TSC2NSEC shift');
      const offset = c.u64big('TSC2NSEC offset');
      if (shift > 63) throw new InputError(`TSC2NSEC shift ${shift} is out of range`, payloadOffset);
      opts.tsc2nsec = { mult, shift, offset };
      break;
    }
    case 6: case 10: case 12: case 13: case 24:
      break; // known, informational for now
    default:
      opts.unknown.push(id);
  }
}
