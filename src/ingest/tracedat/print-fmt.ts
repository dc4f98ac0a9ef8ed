// Tokenizer and precedence-climbing parser for the `print fmt:` text of an event format:
//   "vcpu %u reason %s", REC->vcpu_id, (REC->isa == 1) ? __print_symbolic(REC->exit_reason & 0xffff, { 0, "X" }) : ""
// Upstream: libtraceevent src/event-parse.c (__read_token, process_arg, process_op, process_paren,
// process_fields, process_flags, process_symbols, process_sizeof, event_read_print); kernel
// include/trace/stages/stage7_class_define.h (REC, __get_str, __print_flags, ... as they appear in the
// text); ../shared/reference/trace-formats.md §4.5.
//
// Differences from libtraceevent, on purpose: C escapes in string literals are decoded here (the
// library keeps them raw and decodes only \n \t \r \\ in the format string); `(words [*...])` is a
// cast when it names a type (u8, unsigned long, pid_t, void *, ...) or an operand follows it; binary
// operators get real C precedence and left associativity (libtraceevent's process_op associates equal
// priorities to the right and re-rotates a parenthesised right operand, see evaluate.ts). Nesting is
// capped at MAX_DEPTH so hostile text cannot exhaust the stack.

export type BinaryOp =
  | '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '<' | '<=' | '>' | '>=' | '==' | '!='
  | '&' | '^' | '|' | '&&' | '||';

export interface TableEntry { value: Expr; name: string }

export type Expr =
  | { kind: 'num'; value: bigint; text: string }
  | { kind: 'str'; value: string }
  | { kind: 'field'; name: string } // REC->name or (REC)->name
  | { kind: 'ident'; name: string } // enum constant or unknown name
  | { kind: 'unary'; op: '-' | '+' | '!' | '~' | '*' | '&'; arg: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'ternary'; cond: Expr; then: Expr; else: Expr }
  | { kind: 'cast'; type: string; arg: Expr }
  | { kind: 'sizeof'; type?: string; arg?: Expr }
  | { kind: 'index'; target: Expr; index: Expr }
  | { kind: 'member'; target: Expr; name: string }
  | { kind: 'list'; items: Expr[] } // `{ a, b }` outside a table
  | { kind: 'symbolic'; u64: boolean; value: Expr; entries: TableEntry[] }
  | { kind: 'flags'; u64: boolean; value: Expr; delim: string; entries: TableEntry[] }
  | { kind: 'call'; name: string; args: Expr[] } // every other helper, and unknown calls
  | { kind: 'opaque'; text: string }; // GNU statement expression `({ ... })`: not evaluable

export interface ParsedPrintFmt { format: string; args: Expr[] }

export class PrintFmtError extends Error {}

export const MAX_DEPTH = 256;

type Tok = { t: 'num' | 'str' | 'char' | 'id' | 'op'; v: string; n?: bigint };

const PUNCT = ['->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '...'];
const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' };

/** Decodes C escapes of a literal body (without the quotes). */
export function unescapeC(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/gs, (_m, e: string) => {
    if (e[0] === 'x' && e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    return ESC[e] ?? e;
  });
}

/** Parses a C integer literal (dec/hex/octal/binary, with u/l suffixes). */
export function parseIntLiteral(text: string): bigint {
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$/.exec(text);
  if (!m) throw new PrintFmtError(`bad number '${text}'`);
  const d = m[1];
  if (/^0[0-7]+$/.test(d)) return BigInt('0o' + d.slice(1));
  return BigInt(d);
}

export function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new PrintFmtError(`unterminated ${c === '"' ? 'string' : 'char'} literal at ${i}`);
      const body = unescapeC(text.slice(i + 1, j));
      const prev = out[out.length - 1];
      if (c === '"' && prev?.t === 'str') prev.v += body; // "KVM_EXIT_" "HLT" → one literal
      else if (c === '"') out.push({ t: 'str', v: body });
      else out.push({ t: 'char', v: body, n: BigInt(body.charCodeAt(0) || 0) });
      i = j + 1;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*/.exec(text.slice(i, i + 40));
    if (num) { out.push({ t: 'num', v: num[0], n: parseIntLiteral(num[0]) }); i += num[0].length; continue; }
    const id = /^[A-Za-z_$][\w$]*/.exec(text.slice(i, i + 256));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    const p = PUNCT.find((q) => text.startsWith(q, i));
    if (p) { out.push({ t: 'op', v: p }); i += p.length; continue; }
    out.push({ t: 'op', v: c }); // any other character (`;`, `#`, `=` in statement expressions)
    i++;
  }
  return out;
}

const BIN_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '<=': 7, '>': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};
const TYPE_WORD = /^(unsigned|signed|char|short|int|long|bool|_Bool|void|float|double|const|volatile|struct|union|enum|[us](8|16|32|64)|__[us](8|16|32|64)|__(le|be)(16|32|64)|u?(int|long|short|char)|\w+_t)$/;

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  peek(k = 0): Tok | undefined { return this.toks[this.pos + k]; }
  isOp(v: string, k = 0): boolean { const t = this.peek(k); return t?.t === 'op' && t.v === v; }
  next(): Tok {
    const t = this.toks[this.pos++];
    if (!t) throw new PrintFmtError('unexpected end of print fmt');
    return t;
  }
  expect(v: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new PrintFmtError(`expected '${v}' but found '${t.v}'`);
  }
  atEnd(): boolean { return this.pos >= this.toks.length; }

  private enter(): void { if (++this.depth > MAX_DEPTH) throw new PrintFmtError(`nesting deeper than ${MAX_DEPTH}`); }

  /** assignment-free C expression: ternary over binary operators. */
  expr(): Expr {
    this.enter();
    try {
      const cond = this.binary(1);
      if (!this.isOp('?')) return cond;
      this.next();
      const then = this.expr();
      this.expect(':');
      return { kind: 'ternary', cond, then, else: this.expr() };
    } finally { this.depth--; }
  }

  private binary(minPrec: number): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t?.t === 'op' ? BIN_PREC[t.v] : undefined;
      if (prec === undefined || prec < minPrec) return left;
      this.next();
      const right = this.binary(prec + 1);
      left = { kind: 'binary', op: t!.v as BinaryOp, left, right };
    }
  }

  /** Length of a `( type words [*...] )` cast at the cursor, or 0. */
  private castLen(): number {
    if (!this.isOp('(')) return 0;
    const words: string[] = [];
    let k = 1;
    for (; this.peek(k)?.t === 'id'; k++) words.push(this.peek(k)!.v);
    let stars = 0;
    for (; this.isOp('*', k); k++) stars++;
    if (!words.length || !this.isOp(')', k) || words[0] === 'REC') return 0;
    // A lone unknown word is a cast only when an operand follows, as libtraceevent's process_paren decides.
    const after = this.peek(k + 1);
    const operandNext = after !== undefined && (after.t !== 'op' || after.v === '(');
    if (words.length === 1 && !stars && !TYPE_WORD.test(words[0]) && !operandNext) return 0;
    return k + 1;
  }

  private unary(): Expr {
    this.enter();
    try {
      const t = this.peek();
      if (t?.t === 'op' && ['-', '+', '!', '~', '*', '&'].includes(t.v)) {
        this.next();
        return { kind: 'unary', op: t.v as '-', arg: this.unary() };
      }
      const cl = this.castLen();
      if (cl) {
        const type = this.toks.slice(this.pos + 1, this.pos + cl - 1).map((x) => x.v).join(' ').replace(/ \*/g, '*').replace(/(\w)\*/, '$1 *');
        this.pos += cl;
        return { kind: 'cast', type, arg: this.unary() };
      }
      return this.postfix(this.primary());
    } finally { this.depth--; }
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.isOp('[')) { this.next(); const index = this.expr(); this.expect(']'); e = { kind: 'index', target: e, index }; }
      else if (this.isOp('->') || this.isOp('.')) {
        this.next();
        const name = this.next();
        if (name.t !== 'id') throw new PrintFmtError(`expected a member name after '->' but found '${name.v}'`);
        e = e.kind === 'ident' && e.name === 'REC' ? { kind: 'field', name: name.v } : { kind: 'member', target: e, name: name.v };
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.next();
    if (t.t === 'num' || t.t === 'char') return { kind: 'num', value: t.n!, text: t.t === 'num' ? t.v : `'${t.v}'` };
    if (t.t === 'str') return { kind: 'str', value: t.v };
    if (t.t === 'op' && t.v === '(' && this.isOp('{')) return this.statementExpr();
    if (t.t === 'op' && t.v === '(') { const e = this.expr(); this.expect(')'); return e; }
    if (t.t === 'op' && t.v === '{') return { kind: 'list', items: this.list('}') };
    if (t.t !== 'id') throw new PrintFmtError(`unexpected '${t.v}'`);
    if (t.v === 'sizeof') return this.sizeofExpr();
    if (!this.isOp('(')) return { kind: 'ident', name: t.v };
    this.next();
    return this.call(t.v, this.list(')'));
  }

  /** Skips a balanced `({ ... })` (the opening paren is consumed) and keeps its text. */
  private statementExpr(): Expr {
    const start = this.pos;
    let level = 1;
    while (level > 0) {
      const t = this.next();
      if (t.t === 'op' && '({['.includes(t.v)) level++;
      else if (t.t === 'op' && ')}]'.includes(t.v)) level--;
    }
    const text = this.toks.slice(start, this.pos - 1).map((x) => (x.t === 'str' ? JSON.stringify(x.v) : x.v)).join(' ');
    return { kind: 'opaque', text: `(${text})` };
  }

  private sizeofExpr(): Expr {
    const cl = this.castLen();
    if (cl) {
      const type = this.toks.slice(this.pos + 1, this.pos + cl - 1).map((x) => x.v).join(' ');
      this.pos += cl;
      return { kind: 'sizeof', type };
    }
    return { kind: 'sizeof', arg: this.unary() };
  }

  /** Comma-separated expressions up to the closing `close` (consumed). */
  private list(close: string): Expr[] {
    const items: Expr[] = [];
    if (this.isOp(close)) { this.next(); return items; }
    for (;;) {
      items.push(this.expr());
      const t = this.next();
      if (t.t === 'op' && t.v === close) return items;
      if (t.t !== 'op' || t.v !== ',') throw new PrintFmtError(`expected ',' or '${close}' but found '${t.v}'`);
    }
  }

  private call(name: string, args: Expr[]): Expr {
    const table = /^__print_(symbolic|flags)(_u64)?$/.exec(name);
    if (!table) return { kind: 'call', name, args };
    const u64 = table[2] !== undefined;
    const [value, ...rest] = args;
    if (!value) throw new PrintFmtError(`${name} without arguments`);
    let delim = '';
    if (table[1] === 'flags') {
      const d = rest.shift();
      delim = d?.kind === 'str' ? d.value : '';
    }
    const entries = rest.filter((it) => it.kind !== 'list' || it.items.length > 0).map((it): TableEntry => {
      if (it.kind !== 'list' || it.items.length !== 2) throw new PrintFmtError(`${name}: entry is not '{ value, "name" }'`);
      const n = it.items[1];
      return { value: it.items[0], name: n.kind === 'str' ? n.value : exprToString(n) };
    });
    return table[1] === 'flags' ? { kind: 'flags', u64, value, delim, entries } : { kind: 'symbolic', u64, value, entries };
  }
}

/** Parses the text after `print fmt: ` into the format string and its argument expressions. */
export function parsePrintFmt(text: string): ParsedPrintFmt {
  const p = new Parser(tokenize(text));
  if (p.atEnd()) return { format: '', args: [] };
  const first = p.next();
  if (first.t !== 'str') throw new PrintFmtError('print fmt does not start with a string literal');
  const args: Expr[] = [];
  while (!p.atEnd()) {
    p.expect(',');
    args.push(p.expr());
  }
  return { format: first.v, args };
}

/** C-like text of an expression (for messages and for documenting masks/guards). */
export function exprToString(e: Expr): string {
  switch (e.kind) {
    case 'num': return e.text;
    case 'str': return JSON.stringify(e.value);
    case 'field': return `REC->${e.name}`;
    case 'ident': return e.name;
    case 'unary': return `${e.op}${exprToString(e.arg)}`;
    case 'binary': return `(${exprToString(e.left)} ${e.op} ${exprToString(e.right)})`;
    case 'ternary': return `(${exprToString(e.cond)} ? ${exprToString(e.then)} : ${exprToString(e.else)})`;
    case 'cast': return `(${e.type})${exprToString(e.arg)}`;
    case 'sizeof': return `sizeof(${e.type ?? exprToString(e.arg!)})`;
    case 'index': return `${exprToString(e.target)}[${exprToString(e.index)}]`;
    case 'member': return `${exprToString(e.target)}->${e.name}`;
    case 'list': return `{ ${e.items.map(exprToString).join(', ')} }`;
    case 'symbolic': return `__print_symbolic${e.u64 ? '_u64' : ''}(${exprToString(e.value)}, ...)`;
    case 'flags': return `__print_flags${e.u64 ? '_u64' : ''}(${exprToString(e.value)}, ${JSON.stringify(e.delim)}, ...)`;
    case 'call': return `${e.name}(${e.args.map(exprToString).join(', ')})`;
    case 'opaque': return e.text;
  }
}
