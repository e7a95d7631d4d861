import { lazyRequire } from '../domain/lazy-require.js';

/**
 * Jinja2's lexing where nunjucks' differs, patched into nunjucks' tokenizer once for every parse
 * (the parser and the compiler share it):
 * - number literals are Jinja2's (its lexer's float_re and integer_re): `1e3` and `1.5e-3` are
 *   floats, `1_000`, `0x1F`, `0o17` and `0b101` ints; nunjucks read `1e3` as a variable's name;
 *   after a `.` a number is an int (`names.1.0` is names[1][0], template-parser.ts);
 * - `}}` and `%}` end a tag only where brackets are balanced, as Jinja2's balancing stack has it:
 *   `{{ {'a': {'b': 1}} }}` is one expression (nunjucks ended it at the inner `}}`).
 */

interface Token {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}
interface Tokenizer {
  str: string;
  index: number;
  lineno: number;
  colno: number;
  in_code: boolean;
  isFinished(): boolean;
  forwardN(n: number): void;
  nextToken: (this: Tokenizer) => Token | null;
  /** Open brackets of the tag being lexed. */
  apimDepth?: number;
}

/** Jinja2 3.1's float_re: an exponent, or a fraction; `_` between digits. Not after a `.` (its lookbehind). */
const FLOAT = /(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?e[+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/iy;
/** Jinja2 3.1's integer_re. */
const INTEGER = /0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|[1-9](?:_?\d)*|0(?:_?0)*/iy;

const NUMBER_KINDS = [
  [FLOAT, 'float'],
  [INTEGER, 'int'],
] as const;

const OPEN: Record<string, true> = { 'left-paren': true, 'left-bracket': true, 'left-curly': true };
const CLOSE: Record<string, true> = { 'right-paren': true, 'right-bracket': true, 'right-curly': true };
/** What nunjucks' delimiter branch would make of the one character Jinja2 lexes as an operator. */
const SINGLE: Record<string, string> = { '}': 'right-curly', '-': 'operator', '%': 'operator' };

const loadLexer = lazyRequire<{ lex(src: string): Tokenizer }>('nunjucks/src/lexer');
/** On nunjucks' prototype: a second copy of this module (a test runner's) must not patch twice. */
const PATCHED = Symbol.for('apim-provision.nunjucks-lexer-patched');

/** The literal's value as nunjucks' parser reads it (parseInt/parseFloat of decimal text). */
function numberToken(tz: Tokenizer): Token | undefined {
  const at = tz.index;
  if (!/\d/.test(tz.str[at] ?? '')) return undefined;
  // After a `.` only an int (float_re's lookbehind): `names.1.0` is names[1][0].
  const kinds = tz.str[at - 1] === '.' ? ([[INTEGER, 'int']] as const) : NUMBER_KINDS;
  for (const [regex, type] of kinds) {
    regex.lastIndex = at;
    const m = regex.exec(tz.str);
    if (!m) continue;
    const digits = m[0].replace(/_/g, '');
    const token = {
      type,
      value: type === 'float' ? digits : String(Number(digits.toLowerCase())),
      lineno: tz.lineno,
      colno: tz.colno,
    };
    tz.forwardN(m[0].length);
    return token;
  }
  return undefined;
}

/** An end tag (`}}`, `-}}`, `%}`, `-%}`) inside open brackets: its first character alone. */
function bracketedEnd(tz: Tokenizer): Token | undefined {
  if (!tz.apimDepth) return undefined;
  const rest = tz.str.slice(tz.index, tz.index + 3);
  if (!/^-?[}%]\}/.test(rest)) return undefined;
  const ch = rest[0]!;
  const token = { type: SINGLE[ch]!, value: ch, lineno: tz.lineno, colno: tz.colno };
  tz.forwardN(1);
  return token;
}

export function installLexerPatches(): void {
  const proto = Object.getPrototypeOf(loadLexer().lex('')) as Tokenizer & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  proto[PATCHED] = true;
  const original = proto.nextToken;
  proto.nextToken = function (this: Tokenizer) {
    const inCode = this.in_code && !this.isFinished();
    const token = (inCode && (numberToken(this) ?? bracketedEnd(this))) || original.call(this);
    if (token === null) return token;
    if (OPEN[token.type]) this.apimDepth = (this.apimDepth ?? 0) + 1;
    else if (CLOSE[token.type]) this.apimDepth = Math.max(0, (this.apimDepth ?? 0) - 1);
    else if (token.type === 'variable-end' || token.type === 'block-end') this.apimDepth = 0;
    return token;
  };
}

/**
 * The expression of a text that is exactly one `{{ expr }}` (the value Ansible keeps the type of),
 * found by the patched lexer: `{{ {'a': {'b': 1}} }}` and `{{ "}}" }}` are one expression.
 */
export function wholeExpression(text: string): string | undefined {
  if (!text.startsWith('{{') || !text.endsWith('}}')) return undefined;
  const inner = text.slice(2, -2);
  // Nothing inside that could end or start a tag: one expression without lexing (the usual case).
  if (!/\{\{|\}\}|\{%|%\}|\{#|^-|-$/.test(inner)) return inner;
  installLexerPatches();
  const tz = loadLexer().lex(text);
  try {
    const start = tz.nextToken();
    if (start?.type !== 'variable-start') return undefined;
    for (let token = tz.nextToken(); token !== null; token = tz.nextToken()) {
      if (token.type === 'variable-end')
        return tz.isFinished() ? text.slice(start.value.length, -token.value.length) : undefined;
    }
  } catch {
    // Text nunjucks cannot lex is not one expression; rendering it reports the error.
  }
  return undefined;
}
