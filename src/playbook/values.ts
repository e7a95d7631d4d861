/** Coercions of playbook values shared by play and task validation. */

import { pyFloatRepr } from '../domain/python-repr.js';
import { PyFloat } from '../domain/tagged-values.js';

const BOOLEAN_WORDS: Record<string, boolean> = {
  yes: true,
  true: true,
  on: true,
  no: false,
  false: false,
  off: false,
};

/** A boolean, accepting the yes/no words YAML 1.2 leaves as strings. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return BOOLEAN_WORDS[value.trim().toLowerCase()];
  return undefined;
}

/** A string, or a list of strings (a comma-separated string is split when `splitCommas`). */
export function asStringList(value: unknown, splitCommas = false): string[] | undefined {
  if (typeof value === 'string') {
    const parts = splitCommas ? value.split(',') : [value];
    return parts.map((s) => s.trim()).filter((s) => s !== '');
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.map((v) => String(v).trim());
  }
  return undefined;
}

/** A dictionary as YAML and templates make them (not an array, not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Python's `str()` of a template value, near enough: text as is, null as '', containers as JSON. */
export function stringOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return value.toString();
    case 'object':
      if (value instanceof PyFloat) return pyFloatRepr(value.value);
      return value === null ? '' : JSON.stringify(value);
    case 'undefined':
      return '';
    case 'function':
    case 'symbol':
      return `<${typeof value}>`;
  }
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
