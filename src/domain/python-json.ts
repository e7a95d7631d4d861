import { pyFloatRepr } from './python-repr.js';
import { Secret } from './secret.js';
import { isFloatAt, PyFloat } from './tagged-values.js';

/**
 * Python's json.dumps, as Ansible writes JSON: `ansible-inventory --list`, the `to_json` and
 * `to_nice_json` filters, `copy: content:` given a list or dict. Floats keep their `.0`; with an
 * indent, items are separated by `,` and a newline, else by `, ` (Python's defaults).
 */
export interface JsonDumpsOptions {
  indent?: number;
  sortKeys?: boolean;
  /** Every character past `~` as `\uXXXX` (Python's default). */
  ensureAscii: boolean;
  /** How a tagged value is shown (Ansible's encoder turns `!unsafe`, `!vault` values into objects). */
  tagged?: (value: unknown) => unknown;
}

function jsonFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return pyFloatRepr(n);
}

function jsonString(text: string, ascii: boolean): string {
  const json = JSON.stringify(text);
  return ascii
    ? json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

function codePointCompare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function scalar(value: unknown, float: boolean, ascii: boolean): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof PyFloat) return jsonFloat(value.value);
  if (typeof value === 'number') return float || !Number.isInteger(value) ? jsonFloat(value) : String(value);
  if (typeof value === 'string' || value instanceof String) return jsonString(String(value), ascii);
  if (value instanceof Secret) return JSON.stringify(Secret.PLACEHOLDER);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function pyJsonDumps(value: unknown, options: JsonDumpsOptions, float = false, level = 0): string {
  const known = scalar(value, float, options.ensureAscii);
  if (known !== undefined) return known;
  const obj = options.tagged?.(value) ?? value;
  const { indent } = options;
  const pad = indent === undefined ? '' : `\n${' '.repeat((level + 1) * indent)}`;
  const end = indent === undefined ? '' : `\n${' '.repeat(level * indent)}`;
  const separator = indent === undefined ? ', ' : ',';
  if (Array.isArray(obj)) {
    if (obj.length === 0) return '[]';
    const items = obj.map((item, i) => pad + pyJsonDumps(item, options, isFloatAt(obj, i), level + 1));
    return `[${items.join(separator)}${end}]`;
  }
  if (!isRecord(obj)) {
    const type = (Object.getPrototypeOf(obj) as { constructor?: { name?: string } } | null)?.constructor
      ?.name;
    throw new TypeError(`Object of type ${type ?? typeof obj} is not JSON serializable`);
  }
  const keys = Object.keys(obj);
  if (options.sortKeys) keys.sort(codePointCompare);
  if (keys.length === 0) return '{}';
  const items = keys.map(
    (k) =>
      `${pad}${jsonString(k, options.ensureAscii)}: ${pyJsonDumps(obj[k], options, isFloatAt(obj, k), level + 1)}`,
  );
  return `{${items.join(separator)}${end}}`;
}
