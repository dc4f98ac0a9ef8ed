// Event tokens the line scanner has already read (`sched:sched_switch:`, `kvm_exit:`), for lines
// whose bytes lines.ts has: scan.ts eventAt compares the token ending at the first `: ` with the
// known ones instead of reading it character by character. A known token followed by a blank is
// exactly what eventAt's full reading accepts, with the same ranges; anything else takes the full
// reading. Ids are never reused, so an id (LineRecord.evTok) always names the same text and a text
// source may keep its event entry by id. The table is bounded (TOK_MAX tokens, then no new ids).

const TOK_MAX = 1024;
const TOK_MASK = 2047;
const tokCodes: Uint8Array[] = [];
/** Each token's first 4·⌊n/4⌋ bytes as little-endian 32-bit words (compared four at a time). */
const tokWords: Int32Array[] = [];
export const tokSys = new Int32Array(TOK_MAX);
export const tokHash = new Int32Array(TOK_MAX);
const tokTable = new Int16Array(TOK_MASK + 1).fill(-1);

function tokSlot(u: Uint8Array, q: number, n: number): number {
  return (n * 131 + u[q + n - 2] * 31 + u[q + n - 3] * 7 + u[q]) & TOK_MASK;
}

/** The known token at u[q, q + n) (n counts the closing colon; dv: a DataView of u), or -1. */
export function knownToken(u: Uint8Array, dv: DataView<ArrayBufferLike>, q: number, n: number): number {
  if (n < 3) return -1;
  for (let slot = tokSlot(u, q, n); ; slot = (slot + 1) & TOK_MASK) {
    const id = tokTable[slot];
    if (id < 0) return -1;
    const c = tokCodes[id];
    if (c.length !== n) continue;
    const w = tokWords[id];
    let j = 0;
    let k = 0;
    while (k < w.length && dv.getInt32(q + j, true) === w[k]) {
      k++;
      j += 4;
    }
    if (k < w.length) continue;
    while (j < n && u[q + j] === c[j]) j++;
    if (j === n) return id;
  }
}

/** Registers the token u[q, q + n) read by eventAt (sysLen: its system part, -1 none); its id or -1. */
export function addToken(u: Uint8Array, dv: DataView<ArrayBufferLike>, q: number, n: number, sysLen: number, h: number): number {
  if (n < 3) return -1;
  const known = knownToken(u, dv, q, n);
  if (known >= 0 || tokCodes.length >= TOK_MAX) return known;
  const id = tokCodes.length;
  // a copy: u may be a Buffer, whose slice() is a view into memory the line reader reuses
  const codes = new Uint8Array(n);
  codes.set(u.subarray(q, q + n));
  tokCodes.push(codes);
  const w = new Int32Array(n >> 2);
  for (let k = 0; k < w.length; k++) w[k] = codes[4 * k] | (codes[4 * k + 1] << 8) | (codes[4 * k + 2] << 16) | (codes[4 * k + 3] << 24);
  tokWords.push(w);
  tokSys[id] = sysLen;
  tokHash[id] = h;
  let slot = tokSlot(u, q, n);
  while (tokTable[slot] >= 0) slot = (slot + 1) & TOK_MASK;
  tokTable[slot] = id;
  return id;
}
