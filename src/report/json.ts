// JSON rendering of the report model. BigInt values (absolute timestamps can pass 2^53) are written
// as exact integer literals, which JSON allows. Placeholders carry a per-call random tag so no
// string from a trace can be mistaken for one.
import { randomBytes } from 'node:crypto';

export function toJson(value: unknown): string {
  const tag = randomBytes(8).toString('hex');
  const marks: string[] = [];
  const text = JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === 'bigint') {
        marks.push(v.toString());
        return `@big:${tag}:${marks.length - 1}`;
      }
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      return v;
    },
    2,
  );
  return text.replace(new RegExp(`"@big:${tag}:(\\d+)"`, 'g'), (_m, i: string) => marks[Number(i)]) + '\n';
}
