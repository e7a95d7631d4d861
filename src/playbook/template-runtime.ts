import { createRequire } from 'node:module';
import type nunjucks from 'nunjucks';
import { floatBoxed, isFloatAt, PyFloat } from '../domain/tagged-values.js';
import { pyIn, pyText } from './python-values.js';
import {
  boundMethod,
  DICT_ATTRIBUTES,
  keywordArgs,
  numberAttribute,
  type Receiver,
} from './template-methods.js';
import {
  ATTRIBUTE_ARGUMENTS,
  ATTRIBUTE_KEYWORDS,
  isForbiddenName,
  isForbiddenPath,
  refusalMessage,
} from './template-sandbox.js';
import { reveal, revealDeep, revealElements, revealVariable } from './template-taint.js';
import { isPlainObject, stringOf } from './values.js';

/**
 * The sandbox at run time. Compiled nunjucks templates reach values only through a handful of
 * runtime functions (variable lookup, attribute lookup, calls, loops, output); these are replaced
 * once, for every template of the process, so that a computed name (`x['constr' ~ 'uctor']`), a
 * template the static check never saw (an `{% include %}`d file) or a filter given an attribute
 * path cannot reach past data either, and so that secrets are revealed (and taint the render)
 * exactly where a template reads them.
 */

interface Frame {
  lookup(name: string): unknown;
}
interface Context {
  ctx: Record<string, unknown>;
  env: { globals: Record<string, unknown> };
}
interface NunjucksRuntime {
  memberLookup: (obj: unknown, key: unknown) => unknown;
  contextOrFrameLookup: (context: Context, frame: Frame, name: string) => unknown;
  callWrap: (obj: unknown, name: string, context: unknown, args: unknown[]) => unknown;
  fromIterator: (arr: unknown) => unknown;
  suppressValue: (val: unknown, autoescape: boolean) => unknown;
  ensureDefined: (val: unknown, lineno: number, colno: number) => unknown;
  inOperator: (key: unknown, val: unknown) => boolean;
  SafeString: new (value: string) => { val: string };
}

/**
 * nunjucks' runtime module object, through which compiled templates call it, and its own functions:
 * set by installRuntimeSandbox, which nunjucks-module.ts runs as it loads nunjucks, before any
 * template can render.
 */
let runtime: NunjucksRuntime;
let original: Originals;

/** A template tried to read something that is not data. */
export class SandboxViolation extends Error {
  override readonly name = 'SandboxViolation';
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor
    ?.name;
  return name ? `a ${name} object` : 'an object';
}

/** A subscript as a Python sequence index: an int (bool is one), else undefined (`xs['1']` is no index). */
function indexOf(key: unknown): number | undefined {
  if (typeof key === 'boolean') return Number(key);
  return typeof key === 'number' && Number.isInteger(key) ? key : undefined;
}

/** Item `i` of a list or string, Python style (`-1` is the last item). */
function item<T>(items: ArrayLike<T>, i: number): T | undefined {
  return items[i < 0 ? items.length + i : i];
}

function method(kind: Receiver, receiver: unknown, name: string) {
  const bound = boundMethod(kind, receiver, name, (args) => args.map(revealDeep));
  return bound && ((...args: unknown[]) => reveal(bound(...args)));
}

/** One of Python's dict methods, which getattr finds before an item of its name (`d.values`). */
function dictMethod(obj: Record<string, unknown>, name: string): unknown {
  const bound = method('dict', obj, name);
  if (bound) return bound;
  throw new TypeError(
    `'${name}' is a Python dict method, which templates here do not offer (d['${name}'] reads the item)`,
  );
}

function dictItem(obj: Record<string, unknown>, name: string): unknown {
  const value = obj[name];
  // Own functions exist only on objects the environment made (a cycler's next()).
  return typeof value === 'function'
    ? (...args: unknown[]) => reveal(value.apply(obj, args))
    : reveal(floatBoxed(obj, name, value));
}

/** The value being read from, or a refusal of what is not data. */
function receiver(target: unknown, name: string): unknown {
  if (isForbiddenName(name)) throw new SandboxViolation(refusalMessage(name));
  const obj = reveal(target);
  if (obj instanceof runtime.SafeString) return obj.val;
  if (
    obj === undefined ||
    obj === null ||
    typeof obj === 'string' ||
    Array.isArray(obj) ||
    isPlainObject(obj) ||
    typeof obj === 'number' ||
    typeof obj === 'boolean' ||
    typeof obj === 'bigint' ||
    obj instanceof PyFloat
  )
    return obj;
  throw new SandboxViolation(
    `cannot read '${name}' of ${describe(obj)}: templates read dictionaries, lists and strings only`,
  );
}

/**
 * `obj[key]` as Jinja's getitem does it, data only, never JavaScript internals: the item, else
 * (for a text key) the attribute of that name (`s['upper']` is the method).
 */
function lookupMember(target: unknown, rawKey: unknown): unknown {
  const key = reveal(rawKey);
  const name = typeof key === 'number' ? String(key) : stringOf(key);
  const obj = receiver(target, name);
  const index = indexOf(key);
  const attribute = typeof key === 'string';
  if (typeof obj === 'string') {
    if (index !== undefined) return item(obj, index);
    return attribute ? method('string', obj, name) : undefined;
  }
  if (Array.isArray(obj)) {
    if (index !== undefined)
      return reveal(floatBoxed(obj, index < 0 ? obj.length + index : index, item(obj, index)));
    return attribute ? method('list', obj, name) : undefined;
  }
  if (isPlainObject(obj)) {
    if (Object.hasOwn(obj, name)) return dictItem(obj, name);
    return attribute && DICT_ATTRIBUTES.has(name) ? dictMethod(obj, name) : undefined;
  }
  return attribute ? numberAttribute(obj, name) : undefined;
}

/**
 * `obj.name` as Jinja's getattr does it: the attribute (a method, a number's real ...), else the
 * item of that name. A dict's methods win over its keys (`d.values` is the method).
 */
function lookupAttribute(target: unknown, rawName: unknown): unknown {
  const name = stringOf(reveal(rawName));
  const obj = receiver(target, name);
  if (typeof obj === 'string') return method('string', obj, name);
  if (Array.isArray(obj)) return method('list', obj, name);
  if (isPlainObject(obj)) {
    if (DICT_ATTRIBUTES.has(name)) return dictMethod(obj, name);
    return Object.hasOwn(obj, name) ? dictItem(obj, name) : undefined;
  }
  return numberAttribute(obj, name);
}

/** A variable: the template's own (loop, set, macro arguments), then the render's, then the globals. */
function lookupVariable(context: Context, frame: Frame, name: string): unknown {
  const own = frame.lookup(name);
  if (own !== undefined) return revealVariable(name, own);
  if (Object.hasOwn(context.ctx, name)) return revealVariable(name, context.ctx[name]);
  const globals = context.env.globals;
  return Object.hasOwn(globals, name) ? globals[name] : undefined;
}

type Originals = Pick<NunjucksRuntime, 'callWrap' | 'fromIterator' | 'suppressValue' | 'ensureDefined'>;
/**
 * nunjucks' own functions, kept on its runtime object: a second copy of this module (a test
 * runner re-importing it) must wrap those, not the first copy's wrappers.
 */
const ORIGINALS = Symbol.for('apim-provision.nunjucks-runtime-originals');

/** Macro calls nested deeper than this are refused (a macro calling itself forever). */
export const MAX_CALL_DEPTH = 64;
let callDepth = 0;
const callWrap: NunjucksRuntime['callWrap'] = (obj, name, context, args) => {
  if (callDepth >= MAX_CALL_DEPTH)
    throw new SandboxViolation(`calls nested more than ${MAX_CALL_DEPTH} deep (a macro calling itself?)`);
  callDepth++;
  try {
    return reveal(
      original.callWrap(
        obj,
        name,
        context,
        args.map((a) => reveal(a)),
      ),
    );
  } finally {
    callDepth--;
  }
};
/** A loop binds a list's YAML whole-number floats as floats (`1.0` stays `1.0`). */
function floatItems(arr: unknown): unknown {
  if (!Array.isArray(arr) || !arr.some((_, i) => isFloatAt(arr, i))) return arr;
  return arr.map((v, i) => floatBoxed(arr, i, v));
}
/**
 * Python writes a method it is given as `<built-in method values of dict object at 0x7f..>` (an
 * address): refused, as everywhere a method is used as a value.
 */
export const NOT_A_VALUE = 'a method is not a value here: call it (d.keys(), s.upper())';
/** Characters the current render has written so far (nunjucks renders synchronously). */
let written = 0;
/**
 * A value written into text is Python's str() of it, as Jinja writes it: `True`, `[1, 'a']`,
 * `{'a': 1}`. None writes nothing (Ansible's finalize), so only an undefined value is an error.
 */
function pythonText(val: unknown): unknown {
  if (typeof val === 'function') throw new TypeError(NOT_A_VALUE);
  if (
    typeof val === 'boolean' ||
    typeof val === 'number' ||
    val instanceof PyFloat ||
    Array.isArray(val) ||
    isPlainObject(val)
  )
    return pyText(val);
  return val;
}
const suppressValue: NunjucksRuntime['suppressValue'] = (val, autoescape) => {
  const out = original.suppressValue(pythonText(revealDeep(val)), autoescape);
  written += typeof out === 'string' ? out.length : 0;
  if (written > MAX_TEMPLATE_OUTPUT)
    throw new SandboxViolation(`a template writing more than ${MAX_TEMPLATE_OUTPUT} characters`);
  return out;
};

/** Replaces the runtime functions compiled templates reach values through: once, before any render. */
export function installRuntimeSandbox(): void {
  runtime = createRequire(import.meta.url)('nunjucks/src/runtime') as NunjucksRuntime;
  const holder = runtime as NunjucksRuntime & { [ORIGINALS]?: Originals };
  original = holder[ORIGINALS] ??= {
    callWrap: runtime.callWrap,
    fromIterator: runtime.fromIterator,
    suppressValue: runtime.suppressValue,
    ensureDefined: runtime.ensureDefined,
  };
  runtime.memberLookup = lookupMember;
  (runtime as unknown as Record<string, unknown>).pyAttribute = lookupAttribute;
  runtime.contextOrFrameLookup = lookupVariable;
  runtime.callWrap = callWrap;
  runtime.fromIterator = (arr) => revealElements(floatItems(original.fromIterator(arr)));
  runtime.ensureDefined = (val, lineno, colno) =>
    val === null ? val : original.ensureDefined(val, lineno, colno);
  runtime.suppressValue = suppressValue;
  // Python's `in`: nunjucks' finds `'toString' in {}` and compares list items by identity.
  runtime.inOperator = (key, val) => pyIn(revealDeep(key), revealDeep(val));
}

/** Tests that look at whether a value is there, not at the value. */
const PRESENCE_TESTS = new Set(['defined', 'undefined', 'none', 'null']);

/**
 * Largest text a template or one filter may produce: conf.d files and inventory values are
 * kilobytes; this stops `'x' | center(1e9)` before it takes the controller's memory.
 */
export const MAX_TEMPLATE_OUTPUT = 8 * 1024 * 1024;

/** Filters whose numeric arguments are widths of the text they produce. */
const WIDTH_FILTERS = new Set(['center', 'indent', 'wordwrap', 'truncate']);

function checkSize(what: string, value: unknown): void {
  if (typeof value === 'string' && value.length > MAX_TEMPLATE_OUTPUT)
    throw new SandboxViolation(`${what} of ${value.length} characters (at most ${MAX_TEMPLATE_OUTPUT})`);
}

/** Jinja's sandbox bound on `range`: a template cannot allocate the controller's memory away. */
export const MAX_RANGE = 100_000;

function boundedRange(start: number, stop?: number, step?: number): number[] {
  const [from, to, by] = stop === undefined ? [0, start, 1] : [start, stop, step || 1];
  const count = Math.max(0, Math.ceil((Number(to) - Number(from)) / Number(by)));
  if (!Number.isFinite(count) || count > MAX_RANGE)
    throw new SandboxViolation(`range() of more than ${MAX_RANGE} items`);
  return Array.from({ length: count }, (_, i) => Number(from) + i * Number(by));
}

type Fn = (this: unknown, ...args: unknown[]) => unknown;
type Registry = Record<string, Fn>;
interface EnvInternals {
  filters: Registry;
  tests: Registry;
  getFilter(name: string): Fn;
  getTest(name: string): Fn;
}

function checkAttributeArguments(filter: string, args: unknown[]): void {
  const positions = ATTRIBUTE_ARGUMENTS[filter];
  if (!positions) return;
  const keywords = keywordArgs(args);
  const paths = [
    ...positions.map((p) => args[p + 1]),
    ...Object.entries(keywords)
      .filter(([k]) => ATTRIBUTE_KEYWORDS.has(k))
      .map(([, v]) => v),
  ];
  for (const path of paths)
    if (typeof path === 'string' && isForbiddenPath(path)) throw new SandboxViolation(refusalMessage(path));
}

/**
 * Filters and tests are looked up as the environment's own (nunjucks' plain `filters[name]` finds
 * `valueOf`, `constructor` ... on Object.prototype), and see revealed values.
 */
export function sandboxEnvironment(env: nunjucks.Environment): void {
  const internals = env as unknown as EnvInternals;
  internals.getFilter = (name) => {
    if (!Object.hasOwn(internals.filters, name)) throw new Error(`filter not found: ${name}`);
    const filter = internals.filters[name]!;
    return function (this: unknown, ...args: unknown[]) {
      const revealed = args.map(revealDeep);
      if (typeof revealed[0] === 'function') throw new TypeError(`${name}: ${NOT_A_VALUE}`);
      checkAttributeArguments(name, revealed);
      if (WIDTH_FILTERS.has(name) && revealed.some((a) => typeof a === 'number' && a > MAX_TEMPLATE_OUTPUT))
        throw new SandboxViolation(`${name}() wider than ${MAX_TEMPLATE_OUTPUT} characters`);
      const result = filter.apply(this, revealed);
      checkSize(`the ${name} filter's result`, result);
      return result;
    };
  };
  internals.getTest = (name) => {
    if (!Object.hasOwn(internals.tests, name)) throw new Error(`test not found: ${name}`);
    const test = internals.tests[name]!;
    if (PRESENCE_TESTS.has(name)) return test;
    return function (this: unknown, ...args: unknown[]) {
      return test.apply(this, args.map(revealDeep));
    };
  };
  env.addGlobal('range', boundedRange);
}

/**
 * Renders with the output bounded like one filter's result: a loop can multiply what each step
 * writes, so what is written is counted as it is written.
 */
export function boundedRender<T>(render: () => T): T {
  const outer = written;
  written = 0;
  try {
    return render();
  } finally {
    written = outer;
  }
}
