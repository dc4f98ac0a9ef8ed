// The table of event tokens the scanner has read (src/ingest/text/event-tokens.ts): ids by content,
// kept when the bytes they were read from are overwritten (the line reader reuses its buffer).
import { describe, expect, it } from 'vitest';
import { addToken, knownToken, tokHash, tokSys } from '../../../src/ingest/text/event-tokens.js';
import { viewOf } from '../../../src/ingest/text/lines.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('event tokens', () => {
  it('are found by content after the buffer they were read from is overwritten', () => {
    const buf = bytes('  sched:sched_wakeup: comm=a');
    const id = addToken(buf, viewOf(buf), 2, 19, 5, 1234);
    expect(id).toBeGreaterThanOrEqual(0);
    expect(tokSys[id]).toBe(5);
    expect(tokHash[id]).toBe(1234);
    buf.write('  sched:sched_waking: comm=a', 'latin1'); // same length, same place, other token
    const again = bytes('xsched:sched_wakeup: pid=1');
    expect(knownToken(again, viewOf(again), 1, 19)).toBe(id);
    expect(knownToken(buf, viewOf(buf), 2, 19)).toBe(-1);
    const other = addToken(buf, viewOf(buf), 2, 19, 5, 99);
    expect(other).not.toBe(id);
    expect(knownToken(again, viewOf(again), 1, 19)).toBe(id);
    expect(knownToken(buf, viewOf(buf), 2, 19)).toBe(other);
  });
  it('are compared in full: same length, same first word, other tail', () => {
    const a = bytes('kvm:kvm_ab: x');
    const b = bytes('kvm:kvm_ac: x');
    const ia = addToken(a, viewOf(a), 0, 11, 3, 1);
    expect(knownToken(b, viewOf(b), 0, 11)).toBe(-1);
    const ib = addToken(b, viewOf(b), 0, 11, 3, 2);
    expect(ib).not.toBe(ia);
    expect(knownToken(a, viewOf(a), 0, 11)).toBe(ia);
    expect(knownToken(b, viewOf(b), 0, 11)).toBe(ib);
  });
});
