// Inputs the fuzzer once broke (fixtures/fuzz/regressions, gzip-compressed for storage; see
// docs/robustness.md): each must now end in exactly the report or the one-line error below, in the
// worker under the watchdog like every fuzz case.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FuzzPool } from './pool.js';

const DIR = 'fixtures/fuzz/regressions';
const pool = new FuzzPool(20_000);
afterAll(() => pool.close());

type Expect = { error: RegExp } | { events: number; warnings: string[] };

/** What each once-failing input gives now (what it did before: docs/robustness.md). */
const EXPECTED: Record<string, Expect> = {
  'buffer-cpu-id-huge.dat': { error: /BUFFER "" lists CPU 4294967295, an implausible CPU number/ },
  'buffer-cpu-id-huge-slow.dat': { error: /BUFFER "" lists CPU 2691571880, an implausible CPU number/ },
  // fzstd decompressed this damaged section into garbage the parser then refused; the C decoder refuses it itself.
  'header-event-newline.dat': { error: /zstd data is corrupt or does not decompress to the 451 bytes its header declares/ },
  'version-control-chars.dat': { error: /unsupported trace\.dat version ".*\\x0a.*" \(kvmtrace reads 6 and 7\)/ },
  'no-top-buffer.dat': { error: /no per-CPU data for the top buffer instance \(buffers: none\)/ },
  'no-top-buffer-damaged-names.dat': { error: /no per-CPU data for the top buffer instance \(buffers: .*, guest\)/ },
  'print-fmt-unexpected-bracket.dat': { events: 389, warnings: ['bad-format:2', 'entry-without-exit:2'] },
  'print-fmt-unparsable.dat': { events: 389, warnings: ['entry-without-exit:2'] },
  'print-fmt-unterminated-string.dat': { events: 389, warnings: ['entry-without-exit:2'] },
  'perf-sample-cpu-huge.data': { events: 41, warnings: ['truncated:1', 'bad-samples:1'] },
  'perf-pipe-slow.data': { events: 40, warnings: ['truncated:1', 'bad-samples:1'] },
  // The far-future kvm_exit leaves its vCPU's next entry without an exit and one exit without an entry.
  'text-timestamp-2e19.txt': { events: 153, warnings: ['mixed-timestamps:1', 'unordered:1', 'time-backwards:1', 'exit-without-entry:1', 'entry-without-exit:1', 'exit-entry-backwards:1'] },
  'zstd-window-1gib.dat.zst': { error: /zstd frame asks for a 1270805251-byte window, over zstd's 134217728-byte default limit/ },
  'record-length-wraps-v7.dat': { events: 317, warnings: ['bad-record:1', 'time-backwards:1', 'entry-without-exit:2'] },
  // The wrapper's frame checksum does not match (zstd -d says so too): the inner file ends where the decoder stopped.
  'record-length-wraps.dat.zst': { error: /CPU 2 data starts past the end of the file .*the decompressed file is cut short: zstd data is corrupt after 13948 compressed bytes: zstd: checksum mismatch/ },
  // fzstd 0.1.1 looped for ever on this Huffman table (kvmtrace used a patched copy until it moved to the C decoder).
  'fzstd-huffman-loop.txt.zst': { error: /zstd data is corrupt after 2419 compressed bytes: zstd: corrupt data/ },
  'wrapped-reader-thread.dat.gz': { events: 389, warnings: ['truncated:1', 'entry-without-exit:2'] },
};

describe('inputs that once crashed, hung or printed several lines', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.gz')).sort();
  it('every stored regression has an expectation', () => {
    expect(files.map((f) => f.replace(/\.gz$/, '')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });
  for (const f of files) {
    const name = f.replace(/\.gz$/, '');
    it(name, async () => {
      const { outcome, ms } = await pool.run(new Uint8Array(gunzipSync(readFileSync(join(DIR, f)))));
      const want = EXPECTED[name];
      if ('error' in want) {
        expect(outcome.kind === 'error' ? outcome.message : outcome).toMatch(want.error);
      } else {
        expect(outcome).toMatchObject({ kind: 'report', events: want.events, warnings: want.warnings });
      }
      expect(ms).toBeLessThan(15_000);
    });
  }
});
