/**
 * The methods a template may call on data, with Python's meaning, as Jinja (and so Ansible) offers
 * them: `host.startswith('10.')`, `list.split(',')`, `d.items()`. Templates never reach JavaScript's
 * own methods (their names and semantics differ, and they lead to `constructor`): these are the
 * only callable attributes of strings, lists and dictionaries. None of them mutates its receiver.
 */

import { isPyFloat, PyFloat } from '../domain/tagged-values.js';
import { isPlainObject, stringOf } from './values.js';

type Method = (receiver: never, ...args: unknown[]) => unknown;

/** nunjucks passes keyword arguments as a trailing object marked `__keywords`: those, or {}. */
export function keywordArgs(args: unknown[]): Record<string, unknown> {
  const last = args[args.length - 1];
  return isPlainObject(last) && last.__keywords === true ? last : {};
}

function positional(args: unknown[]): unknown[] {
  return args.length > 0 && args[args.length - 1] === keywordArgs(args) ? args.slice(0, -1) : args;
}

const text = stringOf;

function escapeRegExp(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

/** Python's strip family: whitespace by default, else any of the given characters. */
function stripper(where: 'both' | 'left' | 'right') {
  return (s: string, chars?: unknown): string => {
    const set = chars === undefined || chars === null ? '\\s' : escapeRegExp(text(chars));
    if (set === '') return s;
    const left = where === 'right' ? '' : `^[${set}]+`;
    const right = where === 'left' ? '' : `[${set}]+$`;
    return s.replace(new RegExp([left, right].filter(Boolean).join('|'), 'g'), '');
  };
}

/** Python's `str.split`: on runs of whitespace without a separator, at most `maxsplit` times. */
function split(s: string, sep?: unknown, maxsplit?: unknown): string[] {
  const limit = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (sep === undefined || sep === null) {
    const words: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest !== '') {
      if (limit >= 0 && words.length === limit) {
        words.push(rest.replace(/\s+$/, ''));
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        words.push(rest);
        break;
      }
      words.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return words;
  }
  const separator = text(sep);
  if (separator === '') throw new Error('split: empty separator');
  const parts = s.split(separator);
  if (limit < 0 || parts.length <= limit + 1) return parts;
  return [...parts.slice(0, limit), parts.slice(limit).join(separator)];
}

/** Python's `startswith`/`endswith` also take a tuple (a list here) of candidates. */
function affix(test: (s: string, a: string) => boolean) {
  return (s: string, candidates: unknown): boolean =>
    (Array.isArray(candidates) ? candidates : [candidates]).some((c) => test(s, text(c)));
}

function count(s: string, sub: unknown): number {
  const needle = text(sub);
  if (needle === '') return s.length + 1;
  return s.split(needle).length - 1;
}

function title(s: string): string {
  return s
    .toLowerCase()
    .replace(/(^|[^A-Za-z])([a-z])/g, (_, before: string, c: string) => before + c.toUpperCase());
}

const STRING_METHODS: Record<string, Method> = {
  lower: (s: string) => s.toLowerCase(),
  upper: (s: string) => s.toUpperCase(),
  title,
  capitalize: (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  strip: stripper('both'),
  lstrip: stripper('left'),
  rstrip: stripper('right'),
  split,
  splitlines: (s: string) => s.split(/\r\n|\r|\n/).filter((l, i, all) => i < all.length - 1 || l !== ''),
  startswith: affix((s, a) => s.startsWith(a)),
  endswith: affix((s, a) => s.endsWith(a)),
  replace: (s: string, old: unknown, replacement: unknown, max?: unknown) => {
    const parts = s.split(text(old));
    const limit = max === undefined || max === null || Number(max) < 0 ? parts.length : Number(max) + 1;
    return [parts.slice(0, limit).join(text(replacement)), ...parts.slice(limit)].join(text(old));
  },
  find: (s: string, sub: unknown) => s.indexOf(text(sub)),
  rfind: (s: string, sub: unknown) => s.lastIndexOf(text(sub)),
  count,
  join: (s: string, items: unknown) => (Array.isArray(items) ? items.map(text).join(s) : text(items)),
  isdigit: (s: string) => /^\d+$/.test(s),
  isalpha: (s: string) => /^[A-Za-z]+$/.test(s),
  isalnum: (s: string) => /^[A-Za-z0-9]+$/.test(s),
  isspace: (s: string) => /^\s+$/.test(s),
  islower: (s: string) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s: string) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  zfill: (s: string, width: unknown) => {
    const sign = /^[+-]/.test(s) ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(Number(width) - sign.length, '0');
  },
};

const LIST_METHODS: Record<string, Method> = {
  index: (list: unknown[], item: unknown) => {
    const i = list.indexOf(item);
    if (i < 0) throw new Error('index(): the item is not in the list');
    return i;
  },
  count: (list: unknown[], item: unknown) => list.filter((x) => x === item).length,
};

const DICT_METHODS: Record<string, Method> = {
  items: (d: Record<string, unknown>) => Object.keys(d).map((k) => [k, d[k]]),
  keys: (d: Record<string, unknown>) => Object.keys(d),
  values: (d: Record<string, unknown>) => Object.keys(d).map((k) => d[k]),
  get: (d: Record<string, unknown>, key: unknown, fallback: unknown = null) => {
    const k = text(key);
    return Object.hasOwn(d, k) ? d[k] : fallback;
  },
};

export type Receiver = 'string' | 'list' | 'dict';

const TABLES: Record<Receiver, Record<string, Method>> = {
  string: STRING_METHODS,
  list: LIST_METHODS,
  dict: DICT_METHODS,
};

/** The method `name` of a string, list or dictionary, bound to it; undefined when there is none. */
export function boundMethod(
  kind: Receiver,
  receiver: unknown,
  name: string,
  prepareArgs: (args: unknown[]) => unknown[],
): ((...args: unknown[]) => unknown) | undefined {
  const table = TABLES[kind];
  if (!Object.hasOwn(table, name)) return undefined;
  const method = table[name]!;
  return (...args: unknown[]) => method(receiver as never, ...prepareArgs(positional(args)));
}

/** Method names per receiver, for documentation and error messages. */
export function methodNames(kind: Receiver): string[] {
  return Object.keys(TABLES[kind]);
}

/**
 * Every attribute of a Python dict (its methods): Jinja's getattr finds these before an item of
 * the same name, so `d.values` is the method even where d has a key 'values'.
 */
export const DICT_ATTRIBUTES: ReadonlySet<string> = new Set([
  'clear',
  'copy',
  'fromkeys',
  'get',
  'items',
  'keys',
  'pop',
  'popitem',
  'setdefault',
  'update',
  'values',
]);

/** A number as Python has it: bool and int are ints, a boxed whole float or a fraction a float. */
function isNumber(value: unknown): value is number | boolean | PyFloat {
  return typeof value === 'number' || typeof value === 'boolean' || value instanceof PyFloat;
}

/**
 * The data attributes of a Python number (`5.real`, `x.imag`, an int's numerator and
 * denominator), or undefined when it has none of that name. Floats stay floats.
 */
export function numberAttribute(value: unknown, name: string): unknown {
  if (!isNumber(value)) return undefined;
  const n = Number(value);
  if (isPyFloat(value)) {
    if (name === 'real') return value;
    return name === 'imag' ? new PyFloat(0) : undefined;
  }
  switch (name) {
    case 'real':
    case 'numerator':
      return n;
    case 'imag':
      return 0;
    case 'denominator':
      return 1;
    default:
      return undefined;
  }
}

/** Whether Python's getattr finds `name` on a string, list, dict or number (a method or data). */
export function hasPythonAttribute(value: unknown, name: string): boolean {
  if (typeof value === 'string' || value instanceof String) return Object.hasOwn(STRING_METHODS, name);
  if (Array.isArray(value)) return Object.hasOwn(LIST_METHODS, name);
  if (isPlainObject(value)) return DICT_ATTRIBUTES.has(name);
  return numberAttribute(value, name) !== undefined;
}
