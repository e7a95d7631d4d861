import type nunjucks from 'nunjucks';
import { numeric, pyCompare, pyEquals, pyIn, pyIterable, pyTruth, pyTypeName } from './python-values.js';
import { keywordArgs } from './template-methods.js';
import { isPlainObject, stringOf } from './values.js';

/**
 * The filters and tests that decide by a value's truth or equality, with Jinja's and Ansible's
 * meaning (Python's truth, python-values.ts) in place of nunjucks' JavaScript one: `[] |
 * default('x', true)` is `'x'`, `select` without a test drops `[]` and `{}`, `selectattr` takes a
 * test and its arguments, `equalto` compares lists by value.
 */

type Fn = (this: unknown, ...args: unknown[]) => unknown;
interface Registry {
  getFilter(name: string): Fn;
  getTest(name: string): Fn;
  addTest(name: string, fn: Fn): void;
}

/** ansible-core 2.14's `bool`: None stays None; only yes/on/1/true (any case, not trimmed) and 1 are true. */
function toBool(value: unknown): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return ['yes', 'on', '1', 'true'].includes(value.toLowerCase());
  return numeric(value) === 1;
}

const BOOLEAN_TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const BOOLEAN_FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/**
 * Ansible's `truthy(convert_bool=True)`: its boolean words read as such, anything else by Python's
 * truth (its numeric words 1 and 0 mean what their truth means anyway).
 */
function truthy(value: unknown, convertBool: unknown = false): boolean {
  if (pyTruth(convertBool) && typeof value === 'string') {
    const word = value.toLowerCase().trim();
    if (BOOLEAN_TRUE.has(word)) return true;
    if (BOOLEAN_FALSE.has(word)) return false;
  }
  return pyTruth(value);
}

/** Tests that look at whether a value is there: the only ones Jinja lets see a missing attribute. */
const PRESENCE_TESTS = new Set(['defined', 'undefined', 'none']);

/**
 * An item's attribute as Jinja's `selectattr('a.b')` reads it: dict keys, list indexes. A missing
 * one is Ansible's strict undefined: only a presence test may look at it, anything else fails.
 */
export function attribute(item: unknown, path: string, test?: string): unknown {
  let cur = item;
  for (const part of path.split('.')) {
    if (Array.isArray(cur) && /^-?\d+$/.test(part) && cur.at(Number(part)) !== undefined)
      cur = cur.at(Number(part));
    else if (isPlainObject(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else if (test !== undefined && PRESENCE_TESTS.has(test)) return undefined;
    else throw new Error(`'${pyTypeName(cur)} object' has no attribute '${part}'`);
  }
  return cur;
}

/** Jinja's select/reject and selectattr/rejectattr: a test by name and its arguments, or Python's truth. */
function selecting(env: Registry, keep: boolean, byAttribute: boolean): Fn {
  return function (this: unknown, seq: unknown, ...rest: unknown[]) {
    const args = positional(rest);
    const attr = byAttribute ? stringOf(args.shift()) : undefined;
    const [testName, ...testArgs] = args;
    const name = testName === undefined ? undefined : stringOf(testName);
    const test =
      name === undefined ? pyTruth : (v: unknown) => env.getTest(name).call(this, v, ...testArgs) === true;
    const items: unknown = pyIterable(seq);
    if (!Array.isArray(items)) throw new TypeError(`'${pyTypeName(seq)}' object is not iterable`);
    return (items as unknown[]).filter(
      (item) => test(attr === undefined ? item : attribute(item, attr, name)) === keep,
    );
  };
}

/**
 * Jinja's `map`: each item through a filter by name (`map('int')`, `map('regex_replace', 'a', 'b')`),
 * or an attribute of each (`map(attribute='name', default='')`), a missing one failing without a
 * default. A list, where Jinja gives a generator (written through `| list` either way).
 */
function mapping(env: Registry): Fn {
  return function (this: unknown, seq: unknown, ...rest: unknown[]) {
    const items: unknown = pyIterable(seq);
    if (!Array.isArray(items)) throw new TypeError(`'${pyTypeName(seq)}' object is not iterable`);
    const keywords = keywordArgs(rest);
    const args = positional(rest);
    if (args.length === 0 && keywords.attribute !== undefined) {
      const path = stringOf(keywords.attribute);
      const hasDefault = Object.hasOwn(keywords, 'default');
      return (items as unknown[]).map((item) => {
        const value = attribute(item, path, hasDefault ? 'defined' : undefined);
        return value === undefined ? keywords.default : value;
      });
    }
    if (args.length === 0) throw new TypeError('map() needs a filter name or attribute=');
    const filter = env.getFilter(stringOf(args[0]));
    return (items as unknown[]).map((item) => filter.call(this, item, ...rest.slice(1)));
  };
}

/** Positional arguments without nunjucks' trailing keyword-arguments object. */
export function positional(args: unknown[]): unknown[] {
  const keywords = keywordArgs(args);
  return args.filter((a) => a !== keywords);
}

/** Jinja's `default(value, default_value='', boolean=False)`. */
function defaultFilter(value: unknown, ...rest: unknown[]): unknown {
  const keywords = keywordArgs(rest);
  const [fallback = keywords.default_value ?? '', boolean = keywords.boolean ?? false] = positional(rest);
  return value === undefined || (pyTruth(boolean) && !pyTruth(value)) ? fallback : value;
}

/** Ansible's `ternary(true_val, false_val, none_val=None)`. */
function ternary(value: unknown, whenTrue: unknown, whenFalse: unknown, whenNone: unknown = null): unknown {
  if (value === null && whenNone !== null) return whenNone;
  return pyTruth(value) ? whenTrue : whenFalse;
}

export function addTruthFilters(env: nunjucks.Environment): void {
  const registry = env as unknown as Registry;
  env.addFilter('default', defaultFilter);
  env.addFilter('d', defaultFilter);
  env.addFilter('bool', toBool);
  env.addFilter('ternary', ternary);
  env.addFilter('map', mapping(registry));
  env.addFilter('select', selecting(registry, true, false));
  env.addFilter('reject', selecting(registry, false, false));
  env.addFilter('selectattr', selecting(registry, true, true));
  env.addFilter('rejectattr', selecting(registry, false, true));
  // `is truthy(convert_bool=true)` passes the keyword as nunjucks' keyword-arguments object.
  const convertBool = (args: unknown[]) => positional(args)[0] ?? keywordArgs(args).convert_bool;
  registry.addTest('truthy', (v, ...args) => truthy(v, convertBool(args)));
  registry.addTest('falsy', (v, ...args) => !truthy(v, convertBool(args)));
  const compare = (op: string) => (a: unknown, b: unknown) => pyCompare(a, op, b);
  for (const name of ['eq', 'equalto', '==']) registry.addTest(name, (a, b) => pyEquals(a, b));
  for (const name of ['ne', '!=']) registry.addTest(name, (a, b) => !pyEquals(a, b));
  for (const [names, op] of [
    [['lt', 'lessthan', '<'], '<'],
    [['le', '<='], '<='],
    [['gt', 'greaterthan', '>'], '>'],
    [['ge', '>='], '>='],
  ] as const)
    for (const name of names) registry.addTest(name, compare(op));
  registry.addTest('in', (a, b) => pyIn(a, b));
}
