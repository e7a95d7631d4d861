import type nunjucks from 'nunjucks';
import { floatBoxed, isPyFloat, PyFloat, pyFloat } from '../domain/tagged-values.js';
import { pyAdd } from './python-arithmetic.js';
import { numeric, pyCompare, pyFixed, pyIterable, pyTruth, pyTypeName } from './python-values.js';
import { keywordArgs } from './template-methods.js';
import { attribute, positional } from './truth-filters.js';
import { stringOf } from './values.js';

/**
 * Jinja's number filters with Python's meaning, in place of nunjucks' JavaScript ones: `float`
 * gives a float (`2 | float` is `2.0`), `int` reads text as Python's int() then float() does and
 * falls back to its default (`'x' | int` is 0), `round` rounds half to even and keeps an int an
 * int, `abs` and `sum` keep floats floats, `min` and `max` are Python's.
 */

/** Python's float() of text: surrounding whitespace, `_` between digits, inf and nan. */
function parseFloatText(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  const digits = '\\d(?:_?\\d)*';
  const pattern = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:e[+-]?${digits})?$`);
  return pattern.test(t) ? Number(t.replace(/_/g, '')) : undefined;
}

const DIGITS: Record<number, RegExp> = { 2: /^[01]/, 8: /^[0-7]/, 10: /^\d/, 16: /^[\da-f]/ };
const PREFIX: Record<number, string> = { 2: '0b', 8: '0o', 16: '0x' };

/** Python's int() of text in a base (2, 8, 10 or 16): sign, the base's prefix, `_` between digits. */
function parseIntText(text: string, base: number): number | undefined {
  let t = text.trim().toLowerCase();
  const sign = t.startsWith('-') ? -1 : 1;
  if (/^[+-]/.test(t)) t = t.slice(1);
  const prefix = PREFIX[base];
  if (prefix !== undefined && t.startsWith(prefix)) t = t.slice(2).replace(/^_/, '');
  const digit = DIGITS[base];
  if (
    digit === undefined ||
    t === '' ||
    !t.split('_').every((run) => run !== '' && [...run].every((c) => digit.test(c)))
  )
    return undefined;
  return sign * parseInt(t.replace(/_/g, ''), base);
}

/** Jinja's `int(value, default=0, base=10)`: int(), else int(float()), else the default. */
function toInt(value: unknown, ...rest: unknown[]): unknown {
  const keywords = keywordArgs(rest);
  const [fallback = keywords.default ?? 0, base = keywords.base ?? 10] = positional(rest);
  if (typeof value === 'string' || value instanceof String) {
    const parsed = parseIntText(String(value), Number(base)) ?? parseFloatText(String(value));
    return parsed === undefined || !Number.isFinite(parsed) ? fallback : Math.trunc(parsed) || 0;
  }
  const n = numeric(value);
  return n === undefined || !Number.isFinite(n) ? fallback : Math.trunc(n) || 0;
}

/** Jinja's `float(value, default=0.0)`. */
function toFloat(value: unknown, ...rest: unknown[]): unknown {
  const keywords = keywordArgs(rest);
  const [fallback = keywords.default ?? new PyFloat(0)] = positional(rest);
  const n =
    typeof value === 'string' || value instanceof String ? parseFloatText(String(value)) : numeric(value);
  return n === undefined ? fallback : pyFloat(n);
}

/** Python's round(x, digits) of a float: `'%.*f' % (digits, x)` read back (a zero keeps its sign). */
function roundHalfEven(x: number, digits: number): number {
  if (!Number.isFinite(x) || digits < 0 || digits > 99) {
    const factor = 10 ** digits;
    return Math.round(x * factor) / factor;
  }
  return Number(pyFixed(x, digits));
}

/** Jinja's `round(value, precision=0, method='common')`. */
function round(value: unknown, ...rest: unknown[]): unknown {
  const keywords = keywordArgs(rest);
  const [precision = keywords.precision ?? 0, method = keywords.method ?? 'common'] = positional(rest);
  const x = numeric(value);
  if (x === undefined) throw new TypeError(`type ${pyTypeName(value)} doesn't define __round__ method`);
  const digits = Number(precision);
  if (method === 'common') {
    // round() of an int is an int.
    if (!isPyFloat(value)) return x;
    return pyFloat(roundHalfEven(x, digits));
  }
  if (method !== 'ceil' && method !== 'floor') throw new Error('method must be common, ceil or floor');
  const factor = 10 ** digits;
  // Python's math.ceil/floor return ints, which have no -0: `-0.5 | round(0, 'ceil')` is 0.0.
  return pyFloat((Math[method](x * factor) + 0) / factor);
}

function abs(value: unknown): unknown {
  const x = numeric(value);
  if (x === undefined) throw new TypeError(`bad operand type for abs(): '${pyTypeName(value)}'`);
  return isPyFloat(value) ? pyFloat(Math.abs(x)) : Math.abs(x);
}

/** Jinja's `sum(iterable, attribute=None, start=0)`, with Python's `+`. */
function sum(value: unknown, ...rest: unknown[]): unknown {
  const keywords = keywordArgs(rest);
  const [attr = keywords.attribute, start = keywords.start ?? 0] = positional(rest);
  if (!Array.isArray(value)) throw new TypeError(`'${pyTypeName(value)}' object is not iterable`);
  const path = attr === undefined || attr === null ? undefined : stringOf(attr);
  return (value as unknown[]).reduce((total, item, i) => {
    const v = floatBoxed(value, i, item);
    return pyAdd(total, path === undefined ? v : attribute(v, path));
  }, start);
}

/**
 * Jinja's `min`/`max(value, case_sensitive=False, attribute=None)`, which Ansible's take keywords
 * only: Python's min()/max() of the items, so the first of equal items wins (`[2.0, 2] | max` is
 * 2.0), ints and floats compare by value and strings compare without case unless asked.
 */
function extreme(op: '<' | '>'): (value: unknown, ...rest: unknown[]) => unknown {
  return (value, ...rest) => {
    const keywords = keywordArgs(rest);
    if (positional(rest).length > 0)
      throw new TypeError(
        `${op === '<' ? 'min' : 'max'}() takes the keyword arguments case_sensitive and attribute only`,
      );
    const items: unknown = pyIterable(value);
    if (!Array.isArray(items)) throw new TypeError(`'${pyTypeName(value)}' object is not iterable`);
    if (items.length === 0) throw new Error('No aggregated item, sequence was empty.');
    const path =
      keywords.attribute === undefined || keywords.attribute === null
        ? undefined
        : stringOf(keywords.attribute);
    const caseSensitive = pyTruth(keywords.case_sensitive ?? false);
    const key = (item: unknown): unknown => {
      const v = path === undefined ? item : attribute(item, path);
      return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
    };
    let best = floatBoxed(items, 0, items[0]);
    let bestKey = key(best);
    for (let i = 1; i < items.length; i++) {
      const item = floatBoxed(items, i, items[i]);
      const itemKey = key(item);
      if (pyCompare(itemKey, op, bestKey)) [best, bestKey] = [item, itemKey];
    }
    return best;
  };
}

export function addNumberFilters(env: nunjucks.Environment): void {
  env.addFilter('min', extreme('<'));
  env.addFilter('max', extreme('>'));
  env.addFilter('int', toInt);
  env.addFilter('float', toFloat);
  env.addFilter('round', round);
  env.addFilter('abs', abs);
  env.addFilter('sum', sum);
}
