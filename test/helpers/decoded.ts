// Test helper: decodes a trace with kvmtrace into plain records (one object per event — fine in
// tests, never in src/) so they can be compared with what trace-cmd prints.
import type { FieldDef } from '../../src/ingest/tracedat/format-parser.js';
import { openInput } from '../../src/ingest/index.js';
import { fieldRange, readBigInt, readString } from '../../src/model/field-access.js';
import type { LostRecord, TraceSource } from '../../src/model/trace-source.js';

export type DecodedValue = bigint | string | Uint8Array;

export interface DecodedRecord {
  ts: bigint;
  cpu: number;
  pid: number;
  system: string;
  event: string;
  fields: Array<{ def: FieldDef; value: DecodedValue }>;
}

export interface Decoded {
  source: TraceSource;
  records: DecodedRecord[];
  lost: LostRecord[];
}

export function decodeAll(path: string, buffer?: string, batchSize?: number): Decoded {
  const source = openInput(path, { buffer, batchSize });
  const records: DecodedRecord[] = [];
  try {
    source.read((b) => {
      for (let i = 0; i < b.length; i++) {
        const fmt = b.fmt[i] >= 0 ? source.formats[b.fmt[i]] : undefined;
        const fields = (fmt?.fields ?? []).filter((f) => !f.common).map((def) => {
          let value: DecodedValue;
          if (def.isString) value = readString(b, i, def);
          else if (def.isArray || def.dynamic !== 'none') {
            const [s, e] = fieldRange(b, i, def);
            value = b.data.slice(s, e);
          } else value = readBigInt(b, i, def);
          return { def, value };
        });
        records.push({
          ts: source.meta.baseNs + BigInt(b.ts[i]),
          cpu: b.cpu[i],
          pid: b.pid[i],
          system: fmt?.system ?? '?',
          event: fmt?.name ?? `#${b.type[i]}`,
          fields,
        });
      }
    });
  } finally {
    source.close();
  }
  return { source, records, lost: source.lost };
}
