// Parses the text of a tracefs `events/<system>/<event>/format` file (and the `header_page` text,
// which uses the same field syntax) into field layouts.
// Upstream: libtraceevent src/event-parse.c (event_read_name, event_read_id, event_read_fields,
// event_read_format); kernel include/trace/stages/stage7_class_define.h; see
// ../shared/reference/trace-formats.md §4.
//
//   name: kvm_exit
//   ID: 103
//   format:
//   	field:unsigned int exit_reason;	offset:8;	size:4;	signed:0;
//   	field:__data_loc char[] name;	offset:12;	size:4;	signed:1;
//   print fmt: "vcpu %u reason %s ...", REC->vcpu_id, ...
//
// The width of a field always comes from `size:` (never from the C type); the type text only tells
// arrays, strings, pointers and dynamic (__data_loc / __rel_loc) fields apart.

export type DynamicKind = 'none' | 'data_loc' | 'rel_loc';

export interface FieldDef {
  name: string;
  /** C type text as written, without the array suffix (e.g. `unsigned int`, `char`, `__data_loc char[]`). */
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  /** Fixed array (`char comm[16]`) or flexible array (`unsigned long args[]`). */
  isArray: boolean;
  /** Number of elements of a fixed array; 0 for flexible or dynamic arrays and scalars. */
  arrayLen: number;
  /** Element size in bytes for arrays (size / arrayLen, or from the element type). */
  elemSize: number;
  /** char/u8/s8 array or a __data_loc/__rel_loc char[]: printed as text. */
  isString: boolean;
  dynamic: DynamicKind;
  /** Pointer or unsigned long: printed in hex by the tools. */
  isPointer: boolean;
  /** True for the fields of the first block (common_type, common_pid, ...). */
  common: boolean;
}

export interface EventFormat {
  id: number;
  system: string;
  name: string;
  /** Common fields followed by the event's own fields, in file order. */
  fields: FieldDef[];
  /** The whole text after `print fmt: ` (format string and arguments), or '' when absent. */
  printFmt: string;
}

export interface HeaderPage {
  timestampOffset: number;
  timestampSize: number;
  commitOffset: number;
  /** Size of `commit` = the kernel's long size (4 or 8). */
  commitSize: number;
  dataOffset: number;
  /** dataOffset + data size = sub-buffer (page) size. */
  dataSize: number;
}

export class FormatParseError extends Error {}

const FIELD_RE = /^\s*field:(?:\s*special)?\s*(.+?);\s*offset:\s*(-?\d+);\s*size:\s*(-?\d+);(?:\s*signed:\s*(-?\d+);)?/;

function elemSizeOfType(type: string, longSize: number): number {
  const t = type.replace(/\b(const|volatile|unsigned|signed|__attribute__\(\(\w+\)\))\b/g, ' ').trim();
  if (/\*/.test(t)) return longSize;
  if (/^(char|u8|s8|__u8|__s8|bool|_Bool)$/.test(t)) return 1;
  if (/^(short|u16|s16|__u16|__s16|__le16|__be16)$/.test(t)) return 2;
  if (/^(u64|s64|__u64|__s64|long long|__le64|__be64)$/.test(t)) return 8;
  if (/^long$/.test(t) || /^long int$/.test(t)) return longSize;
  return 4;
}

/** Parses one field line; returns null for lines that are not field declarations. */
export function parseFieldLine(line: string, common: boolean, longSize = 8): FieldDef | null {
  const m = FIELD_RE.exec(line);
  if (!m) return null;
  const decl = m[1].trim();
  const offset = Number(m[2]);
  const size = Number(m[3]);
  const signed = m[4] !== undefined && m[4] !== '0';
  let dynamic: DynamicKind = 'none';
  if (/^__data_loc\b/.test(decl)) dynamic = 'data_loc';
  else if (/^__rel_loc\b/.test(decl)) dynamic = 'rel_loc';
  // Split "<type> <name>[<len>]" — the name is the last identifier before an optional bracket.
  const am = /^(.*?)([A-Za-z_.$][\w.$]*)\s*(\[([^\]]*)\])?\s*$/.exec(decl);
  if (!am) return null;
  let type = am[1].trim();
  const name = am[2];
  const bracket = am[3] !== undefined;
  const lenText = am[4] ?? '';
  // For __data_loc the bracket sits in the type (`__data_loc char[] name`).
  const dynArray = /\[\s*\]\s*$/.test(type);
  const isArray = bracket || dynArray;
  let arrayLen = 0;
  if (bracket) {
    const nums = lenText.match(/\d+/g);
    arrayLen = nums ? Number(nums[nums.length - 1]) : 0;
  }
  const baseType = type.replace(/^__(data|rel)_loc\s+/, '').replace(/\[\s*\]\s*$/, '').trim();
  if (dynamic !== 'none') type = type.trim();
  let elemSize = isArray ? elemSizeOfType(baseType, longSize) : size;
  if (bracket && arrayLen > 0 && size > 0) elemSize = size / arrayLen;
  const charLike = /^(const\s+)?(unsigned\s+|signed\s+)?char$|^(u8|s8|__u8|__s8)$/.test(baseType);
  const isString = isArray && charLike;
  const isPointer = /\*/.test(baseType) || (!isArray && /^unsigned long$/.test(baseType));
  return { name, type, offset, size, signed, isArray, arrayLen, elemSize, isString, dynamic, isPointer, common };
}

/** Parses a whole event format text. `system` comes from the file's location, not the text. */
export function parseEventFormat(text: string, system: string, longSize = 8): EventFormat {
  const lines = text.split('\n');
  let name = '';
  let id = -1;
  let printFmt = '';
  const fields: FieldDef[] = [];
  let inFormat = false;
  let common = true;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    if (!inFormat) {
      if (line.startsWith('name:')) name = line.slice(5).trim();
      else if (line.startsWith('ID:')) id = Number(line.slice(3).trim());
      else if (line.startsWith('format:')) inFormat = true;
      continue;
    }
    if (line.startsWith('print fmt:')) {
      // The format string may hold literal newlines (ext4_fc_stats): keep everything to the end.
      printFmt = [line.slice('print fmt:'.length), ...lines.slice(li + 1)].join('\n').trim();
      break;
    }
    if (line.trim() === '') {
      if (fields.length > 0) common = false;
      continue;
    }
    const f = parseFieldLine(line, common, longSize);
    if (f) fields.push(f);
  }
  if (!name) throw new FormatParseError(`event format without a name (system ${system})`);
  if (!Number.isInteger(id) || id < 0) throw new FormatParseError(`event format ${system}/${name} has no valid ID`);
  return { id, system, name, fields, printFmt };
}

/** Parses the `header_page` text; an empty text means the pre-2.6.31 layout (handled by the caller). */
export function parseHeaderPage(text: string): HeaderPage {
  const by = new Map<string, FieldDef>();
  for (const line of text.split('\n')) {
    const f = parseFieldLine(line, false);
    if (f) by.set(f.name, f);
  }
  const ts = by.get('timestamp');
  const commit = by.get('commit');
  const data = by.get('data');
  if (!ts || !commit || !data) throw new FormatParseError('header_page lacks timestamp, commit or data');
  return {
    timestampOffset: ts.offset,
    timestampSize: ts.size,
    commitOffset: commit.offset,
    commitSize: commit.size,
    dataOffset: data.offset,
    dataSize: data.size,
  };
}
