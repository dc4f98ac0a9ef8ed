// TidIndex (src/analyze/tid-index.ts): dense numbers for thread ids, paged below 2^22 and kept in a
// Map for any other value an untrusted trace carries.
import { expect, it } from 'vitest';
import { TidIndex } from '../../src/analyze/tid-index.js';

it('numbers thread ids densely in order of first sight, whatever their value', () => {
  const t = new TidIndex();
  const ids = [5128, 0, 5128, 4095, 4096, -1, 2 ** 22 - 1, 2 ** 22, 2 ** 31 - 1, -(2 ** 31), 1, 4095, 2 ** 22];
  const got = ids.map((id) => t.of(id));
  expect(got).toEqual([0, 1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 2, 6]);
  expect(t.size).toBe(10);
  expect(t.tids).toEqual([5128, 0, 4095, 4096, -1, 2 ** 22 - 1, 2 ** 22, 2 ** 31 - 1, -(2 ** 31), 1]);
});
