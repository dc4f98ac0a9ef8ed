// The JSON report validates against docs/kvmtrace-1.schema.json (the contract outside tools read)
// for the real fixtures and every simulator scenario.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/commands/analyze.js';
import { toJson } from '../../src/report/json.js';
import { SCENARIOS, writeScenario } from '../../src/sim/scenarios/index.js';

const schema = JSON.parse(readFileSync('docs/kvmtrace-1.schema.json', 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const dir = mkdtempSync(join(tmpdir(), 'kvmtrace-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(path: string): void {
  const json = JSON.parse(toJson(analyzeFile(path)));
  const ok = validate(json);
  expect(ok ? [] : validate.errors).toEqual([]);
}

describe('JSON reports validate against the kvmtrace/1 schema', () => {
  for (const name of readdirSync('fixtures/tracedat').filter((d) => !d.endsWith('.sh'))) {
    it(`real fixture ${name}`, () => check(join('fixtures/tracedat', name, 'trace.dat')));
  }
  for (const name of SCENARIOS.keys()) {
    it(`scenario ${name}`, () => {
      const p = join(dir, `${name}.dat`);
      writeScenario(name, p, { version: 7 });
      check(p);
    });
  }
  it('rejects a report that breaks the contract', () => {
    expect(validate({ schema: 'kvmtrace/1' })).toBe(false);
    const good = JSON.parse(toJson(analyzeFile('fixtures/tracedat/overrun/trace.dat')));
    delete good.exits.byReason;
    expect(validate(good)).toBe(false);
  });
});
