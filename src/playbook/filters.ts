import safeRegex from 'safe-regex2';
import { posix } from 'node:path';
import type nunjucks from 'nunjucks';
import { stringify as toYaml } from 'yaml';
import { pyFloatRepr } from '../domain/python-repr.js';
import { isFloatAt } from '../domain/tagged-values.js';
import { isPlainObject } from './values.js';

/** Name of the error `mandatory` throws; the renderer turns it into a TemplateError. */
export const MANDATORY_ERROR_NAME = 'MandatoryVariableError';

class MandatoryError extends Error {
  override name = MANDATORY_ERROR_NAME;
}

/** Python `re.sub` replacement syntax (`\1`, `\g<name>`) to JavaScript's (`$1`, `$<name>`). */
function pythonReplacement(replacement: string): string {
  return replacement
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\w+)>/g, (_, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`))
    .replace(/\\(\d+)/g, '$$$1');
}

/** Python named groups `(?P<name>...)` to JavaScript's `(?<name>...)`. */
function pythonPattern(pattern: string): string {
  return pattern.replace(/\(\?P<(\w+)>/g, '(?<$1>');
}

/** POSIX shell single-quoting, for values put on a command line. */
function shellQuote(value: unknown): string {
  const s = String(value);
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** A JSON string as Python writes it by default (ensure_ascii): every character past ~ as \\uXXXX. */
function asciiJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Ansible's `to_json`: Python's json.dumps with its defaults (`[1, "a"]`, `{"a": 1.0}`, ASCII only). */
function toJson(value: unknown, float = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return float || !Number.isInteger(value) ? pyFloatRepr(value) : String(value);
  }
  if (typeof value === 'string' || value instanceof String) return asciiJsonString(String(value));
  if (Array.isArray(value)) return `[${value.map((v, i) => toJson(v, isFloatAt(value, i))).join(', ')}]`;
  if (isPlainObject(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${asciiJsonString(k)}: ${toJson(v, isFloatAt(value, k))}`)
      .join(', ')}}`;
  throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

/** Adds the Ansible filters playbook authors reach for most. */
export function addAnsibleFilters(env: nunjucks.Environment): void {
  env.addFilter('to_json', (v: unknown) => toJson(v));
  env.addFilter('to_nice_json', (v: unknown, indent = 4) => JSON.stringify(v, null, Number(indent)));
  env.addFilter('to_yaml', (v: unknown) => toYaml(v));
  env.addFilter('to_nice_yaml', (v: unknown) => toYaml(v));
  env.addFilter('b64encode', (v: unknown) => Buffer.from(String(v), 'utf8').toString('base64'));
  env.addFilter('b64decode', (v: unknown) => Buffer.from(String(v), 'base64').toString('utf8'));
  env.addFilter('basename', (v: unknown) => posix.basename(String(v)));
  env.addFilter('dirname', (v: unknown) => posix.dirname(String(v)));
  env.addFilter('quote', shellQuote);
  env.addFilter(
    'regex_replace',
    (v: unknown, pattern: string, replacement: string = '', ignorecase = false, multiline = false) => {
      const flags = `g${ignorecase ? 'i' : ''}${multiline ? 'm' : ''}`;
      const text = String(v);
      return text.replace(boundedRegex(pythonPattern(pattern), flags, text), pythonReplacement(replacement));
    },
  );
  env.addFilter('mandatory', (v: unknown, msg?: string) => {
    if (v === undefined) throw new MandatoryError(msg ?? 'mandatory variable not defined');
    return v;
  });
}

/** Text a regular expression filter runs over: larger inputs are not configuration values. */
export const MAX_REGEX_INPUT = 1024 * 1024;

/**
 * JavaScript regular expressions cannot be interrupted: a pattern with nested repetition
 * (`(a+)+$`) backtracks for minutes on a short input. Such patterns are refused before they run
 * (safe-regex2's star-height check, the widely used one), and the input is bounded.
 */
function boundedRegex(pattern: string, flags: string, input: string): RegExp {
  if (input.length > MAX_REGEX_INPUT)
    throw new Error(`regex_replace over ${input.length} characters (at most ${MAX_REGEX_INPUT})`);
  const regex = new RegExp(pattern, flags);
  if (!safeRegex(regex))
    throw new Error(
      `regex_replace pattern ${JSON.stringify(pattern)} has nested repetition (such as (a+)+) and can run for minutes: rewrite it without a repeated group of repeated items`,
    );
  return regex;
}
