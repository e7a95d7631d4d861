/**
 * Python's meaning of truth, equality, ordering and `in` for template values, which Jinja (and so
 * Ansible) uses and JavaScript does not share: `[]`, `{}` and `0.0` are false, `[1] == [1]`,
 * `1 == '1'` is false, `'a' in d` reads d's keys only. nunjucks compiles templates to JavaScript
 * operators; template-compiler.ts routes them here.
 */

import { pyRepr, pyStr } from '../domain/python-repr.js';
import { isPyFloat, isTuple, PyFloat, pyFloat } from '../domain/tagged-values.js';
import { isPlainObject } from './values.js';

/** nunjucks' SafeString (the `safe` filter, macros' output) is a String object. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return value instanceof String ? String(value) : undefined;
}

/** Python's `bool(value)`: empty strings, lists and dicts, 0, None and False are false. */
export function pyTruth(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  const s = text(value);
  if (s !== undefined) return s.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  // NaN is true in Python.
  if (typeof value === 'number') return value !== 0;
  if (value instanceof PyFloat) return value.value !== 0;
  return Boolean(value);
}

/** Python's name of a value's type, for the errors Python raises. */
export function pyTypeName(value: unknown): string {
  if (value === undefined) return 'Undefined';
  if (value === null) return 'NoneType';
  if (text(value) !== undefined) return 'str';
  if (Array.isArray(value)) return 'list';
  if (isPlainObject(value)) return 'dict';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number' || value instanceof PyFloat) return isPyFloat(value) ? 'float' : 'int';
  return typeof value === 'function' ? 'function' : 'object';
}

/** bool is a subtype of int in Python: True == 1, False < 1. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/** Python's `==`: by value through lists and dicts; numbers and booleans compare as numbers. */
export function pyEquals(a: unknown, b: unknown): boolean {
  const [na, nb] = [numeric(a), numeric(b)];
  if (na !== undefined || nb !== undefined) return na === nb;
  const [sa, sb] = [text(a), text(b)];
  if (sa !== undefined || sb !== undefined) return sa === sb;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEquals(x, b[i]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]))
    );
  }
  return a === b;
}

type Ordering = '<' | '>' | '<=' | '>=';

/** -1, 0 or 1 as Python orders two values; Python's TypeError for values it does not order. */
function order(op: Ordering, a: unknown, b: unknown): number {
  const [na, nb] = [numeric(a), numeric(b)];
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  const [sa, sb] = [text(a), text(b)];
  if (sa !== undefined && sb !== undefined) return sa < sb ? -1 : sa > sb ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    // Lexicographic: the first items that differ decide, else the shorter list is smaller.
    for (let i = 0; i < Math.min(a.length, b.length); i++)
      if (!pyEquals(a[i], b[i])) return order(op, a[i], b[i]);
    return Math.sign(a.length - b.length);
  }
  throw new TypeError(`'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function compareOnce(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return pyEquals(a, b);
    case '!=':
      return !pyEquals(a, b);
    case '<':
      return order(op, a, b) < 0;
    case '>':
      return order(op, a, b) > 0;
    case '<=':
      return order(op, a, b) <= 0;
    case '>=':
      return order(op, a, b) >= 0;
    // nunjucks' own identity operators (not Jinja syntax): JavaScript's meaning.
    case '===':
      return a === b;
    case '!==':
      return a !== b;
    default:
      throw new Error(`unknown comparison operator ${op}`);
  }
}

/** A comparison chain, `a < b <= c` meaning `a < b and b <= c` as in Python: operand, op, operand, ... */
export function pyCompare(first: unknown, ...rest: unknown[]): boolean {
  let left = first;
  for (let i = 0; i < rest.length; i += 2) {
    const right = rest[i + 1];
    if (!compareOnce(String(rest[i]), left, right)) return false;
    left = right;
  }
  return true;
}

/** Python's `needle in haystack`: a substring, a list item (by ==), a dict key. */
export function pyIn(needle: unknown, haystack: unknown): boolean {
  const s = text(haystack);
  if (s !== undefined) {
    const sub = text(needle);
    if (sub === undefined)
      throw new TypeError(`'in <string>' requires string as left operand, not ${pyTypeName(needle)}`);
    return s.includes(sub);
  }
  if (Array.isArray(haystack)) return haystack.some((item) => pyEquals(needle, item));
  if (isPlainObject(haystack)) {
    // YAML keys reach templates as strings: an integer key is found by its number too.
    const key = text(needle) ?? (typeof needle === 'number' ? String(needle) : undefined);
    return key !== undefined && Object.hasOwn(haystack, key);
  }
  throw new TypeError(`argument of type '${pyTypeName(haystack)}' is not iterable`);
}

/** What `for x in value` iterates: a dict's keys, a string's characters, a list's items. */
export function pyIterable(value: unknown): unknown {
  if (isPlainObject(value)) return Object.keys(value);
  const s = text(value);
  return s !== undefined ? [...s] : value;
}

/** Python's str() of a value, as Jinja's `~`, `string` and `join` make text: `True`, `[1, 'a']`, `None`. */
export function pyText(value: unknown): string {
  return text(value) ?? pyStr(value);
}

/**
 * Python's `'%.<digits>f' % x`: the exact binary value rounded, a tie (2.675 is below one) to the
 * even neighbour, the sign of -0.0 kept, no exponent for large values. toFixed rounds the exact
 * value too, but a tie up, and it drops -0's sign and writes 1e21 and above with an exponent.
 */
export function pyFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  if (a === Infinity) return `${sign}inf`;
  if (a >= 1e21) return sign + BigInt(a).toString() + (digits > 0 ? `.${'0'.repeat(digits)}` : '');
  const exact = a.toFixed(100);
  const cut = exact.indexOf('.') + digits + (digits > 0 ? 0 : -1) + 1;
  const tie =
    exact[cut + (digits > 0 ? 0 : 1)] === '5' && /^0*$/.test(exact.slice(cut + (digits > 0 ? 1 : 2)));
  const kept = exact.slice(0, cut);
  const evenBelow = Number(kept.replace('.', '').slice(-1)) % 2 === 0;
  return sign + (tie && evenBelow ? kept : a.toFixed(digits));
}

/** One printf conversion: `%(key)s`, flags, width, precision, type. */
const CONVERSION = /%(?:\(([^)]*)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sridf%])/g;

function convert(value: unknown, type: string, precision: string | undefined): string {
  if (type === 's') return pyText(value);
  if (type === 'r') return pyRepr(value);
  const n = numberOf(value, type);
  if (type === 'f') return pyFixed(n, precision === undefined ? 6 : Number(precision));
  return String(Math.trunc(n));
}

function numberOf(value: unknown, type: string): number {
  const n = numeric(value);
  if (n !== undefined) return n;
  throw new TypeError(`%${type} format: a real number is required, not ${pyTypeName(value)}`);
}

/** Python's `format % values` for the conversions templates use: %s %r %d %i %f, flags - and 0, width, precision. */
function printf(format: string, values: unknown): string {
  const args = Array.isArray(values) && isTuple(values) ? values : [values];
  let next = 0;
  const out = format.replace(
    CONVERSION,
    (
      _m,
      key: string | undefined,
      flags: string,
      width: string | undefined,
      precision: string | undefined,
      type: string,
    ) => {
      if (type === '%') return '%';
      let value: unknown;
      if (key !== undefined) {
        if (!isPlainObject(values) || !Object.hasOwn(values, key))
          throw new TypeError(`format requires a mapping with key '${key}'`);
        value = values[key];
      } else {
        if (next >= args.length) throw new TypeError('not enough arguments for format string');
        value = args[next++];
      }
      const body = convert(value, type, precision);
      const size = Number(width ?? 0);
      if (flags.includes('-')) return body.padEnd(size);
      if (flags.includes('0') && type !== 's' && type !== 'r')
        return body.startsWith('-') ? `-${body.slice(1).padStart(size - 1, '0')}` : body.padStart(size, '0');
      return body.padStart(size);
    },
  );
  if (next < args.length && !isPlainObject(values))
    throw new TypeError('not all arguments converted during string formatting');
  return out;
}

/** Python's `%`: printf formatting of a string; for numbers the remainder takes the divisor's sign. */
export function pyMod(left: unknown, right: unknown): unknown {
  const format = text(left);
  if (format !== undefined) return printf(format, right);
  const [a, b] = [numeric(left), numeric(right)];
  if (a === undefined || b === undefined)
    throw new TypeError(
      `unsupported operand type(s) for %: '${pyTypeName(left)}' and '${pyTypeName(right)}'`,
    );
  if (b === 0) throw new TypeError('integer division or modulo by zero');
  const remainder = pyDivmod(a, b)[1];
  return isPyFloat(left) || isPyFloat(right) ? pyFloat(remainder) : remainder + 0;
}

/**
 * Python's divmod() of two numbers (CPython's float_divmod): the remainder from fmod (JavaScript's
 * %) moved to the divisor's sign, the quotient from the exact difference. `0.1 % 2.5` is 0.1 and
 * `3 // 0.0015` is 1999.0; `((a % b) + b) % b` and Math.floor(a / b) round on the way (0.1000...09, 2000).
 */
export function pyDivmod(a: number, b: number): [number, number] {
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0) {
    if (b < 0 !== mod < 0) {
      mod += b;
      div -= 1;
    }
  } else mod = b < 0 ? -0 : 0;
  // A zero quotient takes the sign of a / b, as CPython's copysign(0.0, vx / wx): 0 // -3.0 is -0.0.
  if (div === 0) return [a / b < 0 || Object.is(a / b, -0) ? -0 : 0, mod];
  let floorDiv = Math.floor(div);
  if (div - floorDiv > 0.5) floorDiv += 1;
  return [floorDiv, mod];
}
