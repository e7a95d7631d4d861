import safeRegex from 'safe-regex2';
import { posix } from 'node:path';
import type nunjucks from 'nunjucks';
import { stringify as toYaml } from 'yaml';
import { pyJsonDumps } from '../domain/python-json.js';
import { pyTruth } from './python-values.js';
import { keywordArgs } from './template-methods.js';
import { positional } from './truth-filters.js';

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

/** Ansible's `to_json`: json.dumps with its defaults (`[1, "a"]`, `{"a": 1.0}`, ASCII only); indent and sort_keys as keywords. */
function toJson(value: unknown, ...rest: unknown[]): string {
  const { indent, sort_keys: sortKeys } = keywordArgs(rest);
  return pyJsonDumps(value, {
    ensureAscii: true,
    ...(indent !== undefined && indent !== null ? { indent: Number(indent) } : {}),
    sortKeys: pyTruth(sortKeys),
  });
}

/** Ansible's `to_nice_json(indent=4, sort_keys=True)`. */
function toNiceJson(value: unknown, ...rest: unknown[]): string {
  const keywords = keywordArgs(rest);
  const [indent = keywords.indent ?? 4, sortKeys = keywords.sort_keys ?? true] = positional(rest);
  return pyJsonDumps(value, { ensureAscii: true, indent: Number(indent), sortKeys: pyTruth(sortKeys) });
}

/** Adds the Ansible filters playbook authors reach for most. */
export function addAnsibleFilters(env: nunjucks.Environment): void {
  env.addFilter('to_json', toJson);
  env.addFilter('to_nice_json', toNiceJson);
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
