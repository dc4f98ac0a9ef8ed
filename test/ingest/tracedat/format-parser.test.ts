import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventFormat, parseFieldLine, parseHeaderPage } from '../../../src/ingest/tracedat/format-parser.js';

const FORMATS = 'fixtures/formats/linux-6.18';

describe('parseEventFormat on real 6.18 format files', () => {
  it('reads kvm_exit with its fields, offsets and sizes', () => {
    const f = parseEventFormat(readFileSync(join(FORMATS, 'events/kvm/kvm_exit/format'), 'utf8'), 'kvm');
    expect(f.name).toBe('kvm_exit');
    expect(f.id).toBe(103);
    const by = Object.fromEntries(f.fields.map((x) => [x.name, x]));
    expect(by.common_pid).toMatchObject({ offset: 4, size: 4, signed: true, common: true });
    expect(by.exit_reason).toMatchObject({ offset: 8, size: 4, signed: false, common: false, isArray: false });
    expect(by.guest_rip).toMatchObject({ offset: 16, size: 8, isPointer: true });
    expect(by.vcpu_id).toMatchObject({ offset: 56, size: 4 });
    expect(f.printFmt.startsWith('"vcpu %u reason %s%s%s rip')).toBe(true);
  });

  it('reads char arrays as strings and flexible arrays', () => {
    const sw = parseEventFormat(readFileSync(join(FORMATS, 'events/sched/sched_switch/format'), 'utf8'), 'sched');
    const comm = sw.fields.find((x) => x.name === 'prev_comm')!;
    expect(comm).toMatchObject({ isArray: true, arrayLen: 16, elemSize: 1, isString: true, size: 16, offset: 8 });
    const fn = parseEventFormat(readFileSync(join(FORMATS, 'events/ftrace/function/format'), 'utf8'), 'ftrace');
    expect(fn.fields.find((x) => x.name === 'args')).toMatchObject({ isArray: true, arrayLen: 0, size: 0, elemSize: 8 });
  });

  it('parses every format file of the fixture set', () => {
    let n = 0;
    for (const sys of readdirSync(join(FORMATS, 'events'))) {
      for (const ev of readdirSync(join(FORMATS, 'events', sys))) {
        const f = parseEventFormat(readFileSync(join(FORMATS, 'events', sys, ev, 'format'), 'utf8'), sys);
        expect(f.name).toBe(ev);
        expect(f.fields.filter((x) => x.common).map((x) => x.name)).toEqual(['common_type', 'common_flags', 'common_preempt_count', 'common_pid']);
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });
});

describe('field lines', () => {
  it('understands __data_loc and __rel_loc strings', () => {
    const d = parseFieldLine('\tfield:__data_loc char[] name;\toffset:12;\tsize:4;\tsigned:1;', false)!;
    expect(d).toMatchObject({ name: 'name', dynamic: 'data_loc', isString: true, isArray: true, offset: 12, size: 4 });
    const r = parseFieldLine('\tfield:__rel_loc u8[] buf;\toffset:16;\tsize:4;\tsigned:0;', false)!;
    expect(r).toMatchObject({ name: 'buf', dynamic: 'rel_loc', isString: true, elemSize: 1 });
  });

  it('treats a missing signed: as unsigned and takes the last number of an array bound', () => {
    const f = parseFieldLine('\tfield:char comm[TASK_COMM_LEN 16];\toffset:8;\tsize:16;', false)!;
    expect(f).toMatchObject({ name: 'comm', arrayLen: 16, signed: false });
  });

  it('rejects non-field lines', () => {
    expect(parseFieldLine('print fmt: "x"', false)).toBeNull();
  });
});

describe('header_page', () => {
  it('gives the kernel long size and the data offset', () => {
    const hp = parseHeaderPage(readFileSync(join(FORMATS, 'header_page'), 'utf8'));
    expect(hp).toEqual({ timestampOffset: 0, timestampSize: 8, commitOffset: 8, commitSize: 8, dataOffset: 16, dataSize: 4080 });
  });
});

describe('print fmt text', () => {
  it('keeps literal newlines inside the format string', () => {
    const text = 'name: x\nID: 5\nformat:\n\tfield:int a;\toffset:8;\tsize:4;\tsigned:1;\n\nprint fmt: "a=%d\nb", REC->a\n';
    expect(parseEventFormat(text, 's').printFmt).toBe('"a=%d\nb", REC->a');
  });
  it('sizes pointer arrays with the kernel long size', () => {
    const text = 'name: y\nID: 6\nformat:\n\tfield:unsigned long args[];\toffset:8;\tsize:0;\tsigned:0;\n\nprint fmt: ""\n';
    expect(parseEventFormat(text, 's', 4).fields[0].elemSize).toBe(4);
    expect(parseEventFormat(text, 's', 8).fields[0].elemSize).toBe(8);
  });
});
