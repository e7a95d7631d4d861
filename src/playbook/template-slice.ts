/**
 * Python's slices for compiled templates (`xs[1:]`, `xs[::-1]`, `s[1:3]`): template-parser.ts
 * parses them as Jinja does, the compiled code calls pySlice. Lists give lists, tuples tuples, strings strings
 * (by code point, as Python indexes them); YAML whole-number floats stay floats.
 */

import { floatBoxed, isTuple, markTuple } from '../domain/tagged-values.js';
import { pyTypeName, text } from './python-values.js';
import { isPlainObject } from './values.js';

/** One bound of a slice as an int (bool is one), or undefined for None (an omitted bound). */
function bound(value: unknown): number | undefined {
  if (value === null) return undefined;
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new TypeError('slice indices must be integers or None or have an __index__ method');
}

/** CPython's PySlice_AdjustIndices: the positions a slice of `length` items visits. */
export function sliceIndices(length: number, start: unknown, stop: unknown, step: unknown): number[] {
  const by = bound(step) ?? 1;
  if (by === 0) throw new TypeError('slice step cannot be zero');
  const [lower, upper] = by > 0 ? [0, length] : [-1, length - 1];
  const clamp = (value: unknown, fallback: number) => {
    const i = bound(value);
    if (i === undefined) return fallback;
    const at = i < 0 ? i + length : i;
    return Math.min(Math.max(at, lower), upper);
  };
  const from = clamp(start, by > 0 ? lower : upper);
  const to = clamp(stop, by > 0 ? upper : lower);
  const out: number[] = [];
  for (let i = from; by > 0 ? i < to : i > to; i += by) out.push(i);
  return out;
}

/** `target[start:stop:step]`: Python's TypeError for what cannot be sliced, or for bad bounds. */
export function pySlice(target: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  const s = text(target);
  if (s !== undefined) {
    const chars = Array.from(s);
    return sliceIndices(chars.length, start, stop, step)
      .map((i) => chars[i])
      .join('');
  }
  if (Array.isArray(target)) {
    const items = sliceIndices(target.length, start, stop, step).map((i) =>
      floatBoxed(target, i, target[i] as unknown),
    );
    if (isTuple(target)) markTuple(items);
    return items;
  }
  // A dict looks the slice up as a key, which it cannot hash.
  if (isPlainObject(target)) throw new TypeError("unhashable type: 'slice'");
  throw new TypeError(`'${pyTypeName(target)}' object is not subscriptable`);
}
