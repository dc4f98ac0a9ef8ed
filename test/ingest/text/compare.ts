// Test helper (not a test file): decodes compared event by event, text against binary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Decoded, DecodedValue } from '../../helpers/decoded.js';
import { traceCmdOk } from '../../helpers/tracecmd.js';

const work = join(tmpdir(), `kvmtrace-text-cross-${process.pid}`);

/** Fields the text cannot carry: `%ps` pointers print a symbol name, not the address. */
const NOT_IN_TEXT: Record<string, string[]> = {
  hrtimer_expire_entry: ['function'],
  hrtimer_start: ['function'],
  print: ['ip'],
};

/**
 * Field values that differ today, by text form. Some the printed text does not hold at all
 * (the hrtimer plugin omits `mode` and `was_armed`; kvm_pic_set_irq's format prints only `(masked)` for imr/elcr);
 * the others are payload-decoder gaps (src/ingest/text/payload/) to close: sched_switch prev_state
 * bits above the state letters (TASK_REPORT_MAX 256, preempted), kvm_userspace_exit's errno, and
 * kvm_ioapic_set_irq `e` in raw form. The test fails on any other difference.
 */
export const KNOWN_GAPS: Record<'default' | 'raw', string[]> = {
  default: ['hrtimer_start.mode', 'hrtimer_start.was_armed', 'kvm_pic_set_irq.imr', 'kvm_pic_set_irq.elcr', 'sched_switch.prev_state', 'kvm_userspace_exit.errno'],
  raw: ['kvm_ioapic_set_irq.e'],
};

function eq(a: DecodedValue, b: DecodedValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  // a string's trailing newline ends the text line, so it cannot show in the text
  if (typeof a === 'string' && typeof b === 'string') return a === b || a === b.replace(/\n$/, '');
  return a === b;
}

export function textOf(dat: string, args: string[], name: string): string {
  mkdirSync(work, { recursive: true });
  const p = join(work, name);
  writeFileSync(p, traceCmdOk(['report', ...args, '-i', dat]));
  return p;
}

export interface CompareResult {
  fieldMismatches: Map<string, number>;
  fieldsCompared: number;
}

/** Compares two decodes event by event; `tsTol` is the timestamp tolerance in ns. */
export function compareDecoded(bin: Decoded, txt: Decoded, tsTol: bigint, fieldsToo = true): CompareResult {
  expect(txt.records.length).toBe(bin.records.length);
  const fieldMismatches = new Map<string, number>();
  let fieldsCompared = 0;
  for (let i = 0; i < bin.records.length; i++) {
    const b = bin.records[i];
    const t = txt.records[i];
    const where = `event ${i} (${b.event} at ${b.ts})`;
    expect(`${t.system}:${t.event}`, where).toBe(`${b.system}:${b.event}`);
    expect(t.cpu, where).toBe(b.cpu);
    expect(t.pid, where).toBe(b.pid);
    const d = t.ts - b.ts;
    expect(d <= tsTol && d >= -tsTol, `${where}: ts ${t.ts} vs ${b.ts}`).toBe(true);
    if (!fieldsToo) continue;
    const skip = NOT_IN_TEXT[b.event] ?? [];
    const tf = new Map(t.fields.map((f) => [f.def.name, f.value]));
    for (const f of b.fields) {
      if (skip.includes(f.def.name)) continue;
      fieldsCompared++;
      const tv = tf.get(f.def.name);
      if (tv === undefined || !eq(tv, f.value)) {
        const k = `${b.event}.${f.def.name}`;
        fieldMismatches.set(k, (fieldMismatches.get(k) ?? 0) + 1);
      }
    }
  }
  return { fieldMismatches, fieldsCompared };
}


/** A zstd frame of `blocks` RLE blocks of 128 KiB each (4 bytes per block). */
export function zstdBomb(blocks: number, byte = 0x61): Buffer {
  const parts = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const h = last | (1 << 1) | ((128 << 10) << 3);
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, byte]));
  }
  return Buffer.concat(parts);
}

