import { markFloat, markTuple } from '../domain/tagged-values.js';
import { setKey } from './set-key.js';
/**
 * Python's `ast.literal_eval`, as Ansible's INI inventory applies it to every value: numbers,
 * strings, True/False/None, lists, tuples and dicts become values; anything else stays the text as
 * written (Ansible catches the ValueError/SyntaxError). `010` is not a Python literal, so it stays
 * the string "010"; `yes` stays "yes"; `"quoted"` loses its quotes.
 */

/** A literal's value, with floats told apart from integers (Ansible prints 1.0, not 1). */
export type PyValue =
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'list'; v: PyValue[]; tuple?: true }
  | { t: 'dict'; v: [PyValue, PyValue][] };

class NotLiteral extends Error {}

/** The literal's value, or undefined when Python would refuse it (the caller keeps the text). */
export function literalEval(text: string): PyValue | undefined {
  try {
    const p = new Parser(text.replace(/^[ \t]+/, ''));
    const value = p.expression();
    p.skipSpace();
    if (!p.done()) return undefined;
    return value;
  } catch (err) {
    if (err instanceof NotLiteral) return undefined;
    throw err;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

class Parser {
  #i = 0;
  constructor(readonly s: string) {}

  done(): boolean {
    return this.#i >= this.s.length;
  }

  skipSpace(): void {
    // Inside brackets newlines are allowed; a comment runs to the end of the line.
    while (this.#i < this.s.length) {
      const c = this.s[this.#i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.#i++;
      else if (c === '#') while (this.#i < this.s.length && this.s[this.#i] !== '\n') this.#i++;
      else break;
    }
  }

  #peek(): string {
    return this.s[this.#i] ?? '';
  }

  #eat(c: string): boolean {
    this.skipSpace();
    if (this.s.startsWith(c, this.#i)) {
      this.#i += c.length;
      return true;
    }
    return false;
  }

  expression(): PyValue {
    this.skipSpace();
    const c = this.#peek();
    if (c === '[') return this.#sequence('[', ']', 'list');
    if (c === '(') return this.#paren();
    if (c === '{') return this.#dict();
    if (c === '-' || c === '+') {
      this.#i++;
      this.skipSpace();
      const n = this.#number();
      return c === '-' && (n.t === 'int' || n.t === 'float') ? { t: n.t, v: -n.v } : n;
    }
    if (/[0-9.]/.test(c) && /[0-9]/.test(this.s[this.#i + (c === '.' ? 1 : 0)] ?? '')) return this.#number();
    const str = this.#strings();
    if (str) return str;
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.#i))?.[0];
    if (name === 'True' || name === 'False' || name === 'None') {
      this.#i += name.length;
      return name === 'None' ? { t: 'none' } : { t: 'bool', v: name === 'True' };
    }
    throw new NotLiteral();
  }

  #sequence(open: string, close: string, t: 'list'): PyValue {
    this.#i += open.length;
    const items: PyValue[] = [];
    for (;;) {
      if (this.#eat(close)) return { t, v: items };
      items.push(this.expression());
      if (this.#eat(close)) return { t, v: items };
      if (!this.#eat(',')) throw new NotLiteral();
    }
  }

  /** `(x)` is x; `(x,)`, `(x, y)` and `()` are tuples (lists here). */
  #paren(): PyValue {
    this.#i++;
    if (this.#eat(')')) return { t: 'list', v: [], tuple: true };
    const first = this.expression();
    if (this.#eat(')')) return first;
    const items = [first];
    while (this.#eat(',')) {
      if (this.#eat(')')) return { t: 'list', v: items, tuple: true };
      items.push(this.expression());
    }
    if (!this.#eat(')')) throw new NotLiteral();
    return { t: 'list', v: items, tuple: true };
  }

  #dict(): PyValue {
    this.#i++;
    const pairs: [PyValue, PyValue][] = [];
    for (;;) {
      if (this.#eat('}')) return { t: 'dict', v: pairs };
      const key = this.expression();
      // A set literal ({1, 2}) is a literal Python builds, but no JSON value: keep the text.
      if (!this.#eat(':')) throw new NotLiteral();
      if (key.t === 'list' || key.t === 'dict') throw new NotLiteral(); // unhashable
      pairs.push([key, this.expression()]);
      if (this.#eat('}')) return { t: 'dict', v: pairs };
      if (!this.#eat(',')) throw new NotLiteral();
    }
  }

  #number(): { t: 'int' | 'float'; v: number } {
    const rest = this.s.slice(this.#i);
    const radix = /^0([xXoObB])((?:_?[0-9a-fA-F])+)/.exec(rest);
    if (radix) {
      const base = { x: 16, o: 8, b: 2 }[radix[1]!.toLowerCase() as 'x' | 'o' | 'b'];
      const digits = radix[2]!.replace(/_/g, '');
      const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : /^[01]+$/;
      if (!valid.test(digits)) throw new NotLiteral();
      this.#i += radix[0].length;
      this.#noIdentifierAfter();
      return { t: 'int', v: parseInt(digits, base) };
    }
    const digits = '[0-9](?:_?[0-9])*';
    const float = new RegExp(
      `^(?:(?:${digits})?\\.${digits}(?:[eE][-+]?${digits})?|${digits}\\.(?:[eE][-+]?${digits})?|${digits}[eE][-+]?${digits})`,
    ).exec(rest);
    if (float) {
      this.#i += float[0].length;
      if (/^[jJ]/.test(this.s.slice(this.#i))) throw new NotLiteral(); // complex: no JSON value
      this.#noIdentifierAfter();
      return { t: 'float', v: Number(float[0].replace(/_/g, '')) };
    }
    const int = new RegExp(`^${digits}`).exec(rest);
    if (!int) throw new NotLiteral();
    const text = int[0].replace(/_/g, '');
    // Python 3: leading zeros are only allowed in 0, 00, ...
    if (text.length > 1 && text.startsWith('0') && !/^0+$/.test(text)) throw new NotLiteral();
    this.#i += int[0].length;
    if (/^[jJ]/.test(this.s.slice(this.#i))) throw new NotLiteral();
    this.#noIdentifierAfter();
    return { t: 'int', v: Number(text) };
  }

  #noIdentifierAfter(): void {
    if (/^[A-Za-z0-9_]/.test(this.s.slice(this.#i))) throw new NotLiteral();
  }

  /** One or more adjacent string literals, concatenated (bytes become text, as Ansible's to_text). */
  #strings(): PyValue | undefined {
    let out: string | undefined;
    let kind: 'str' | 'bytes' | undefined;
    for (;;) {
      this.skipSpace();
      const m = /^([rRuUbB]{0,2})(['"])/.exec(this.s.slice(this.#i));
      if (!m || !/^(?:|r|u|b|br|rb)$/i.test(m[1]!) || /^(?:ur|ru)$/i.test(m[1]!)) break;
      const prefix = m[1]!.toLowerCase();
      const thisKind = prefix.includes('b') ? 'bytes' : 'str';
      if (kind !== undefined && kind !== thisKind) throw new NotLiteral(); // Python: SyntaxError
      kind = thisKind;
      this.#i += prefix.length;
      out = (out ?? '') + this.#stringBody(prefix.includes('r'), thisKind === 'bytes');
    }
    return out === undefined ? undefined : { t: 'str', v: out };
  }

  #stringBody(raw: boolean, bytes: boolean): string {
    const q = this.s[this.#i]!;
    const triple = this.s.startsWith(q.repeat(3), this.#i);
    const end = triple ? q.repeat(3) : q;
    this.#i += end.length;
    let out = '';
    for (;;) {
      if (this.#i >= this.s.length) throw new NotLiteral();
      if (this.s.startsWith(end, this.#i)) {
        this.#i += end.length;
        return out;
      }
      const c = this.s[this.#i]!;
      if (c === '\n' && !triple) throw new NotLiteral();
      if (c !== '\\') {
        if (bytes && c.charCodeAt(0) > 127) throw new NotLiteral();
        out += c;
        this.#i++;
        continue;
      }
      const next = this.s[this.#i + 1];
      if (next === undefined) throw new NotLiteral();
      if (raw) {
        out += c + next;
        this.#i += 2;
        continue;
      }
      this.#i += 2;
      if (next === '\n') continue;
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) out += simple;
      else if (/[0-7]/.test(next)) {
        const oct = /^[0-7]{1,3}/.exec(this.s.slice(this.#i - 1))![0];
        out += String.fromCharCode(parseInt(oct, 8));
        this.#i += oct.length - 1;
      } else if (next === 'x') out += this.#hexEscape(2);
      else if (!bytes && next === 'u') out += this.#hexEscape(4);
      else if (!bytes && next === 'U') out += this.#hexEscape(8);
      else if (!bytes && next === 'N')
        throw new NotLiteral(); // \N{name}: not supported here
      else out += c + next; // unknown escapes stay as written
    }
  }

  #hexEscape(n: number): string {
    const hex = this.s.slice(this.#i, this.#i + n);
    if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) throw new NotLiteral();
    this.#i += n;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw new NotLiteral();
    return String.fromCodePoint(code);
  }
}

/** A literal as a value: floats marked in their containers, tuples marked (a whole float is a number). */
export function pyLiteralValue(p: PyValue): unknown {
  switch (p.t) {
    case 'int':
    case 'float':
    case 'str':
    case 'bool':
      return p.v;
    case 'none':
      return null;
    case 'list': {
      const list = p.v.map(pyLiteralValue);
      p.v.forEach((item, i) => item.t === 'float' && markFloat(list, i));
      if (p.tuple) markTuple(list);
      return list;
    }
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of p.v) {
        const key = k.t === 'none' ? 'null' : k.t === 'bool' ? String(k.v) : String(pyLiteralValue(k));
        setKey(out, key, pyLiteralValue(v));
        if (v.t === 'float') markFloat(out, key);
      }
      return out;
    }
  }
}
