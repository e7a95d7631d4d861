import type nunjucks from 'nunjucks';
import { floatBoxed } from '../domain/tagged-values.js';
import { pyIterable, pyText, pyTypeName } from './python-values.js';
import { keywordArgs } from './template-methods.js';
import { attribute, positional } from './truth-filters.js';
import { stringOf } from './values.js';

/**
 * Jinja's filters that make text, with Python's str() of each value in place of nunjucks'
 * JavaScript one: `[1, 'a'] | string` is `[1, 'a']`, `[true, none] | join(',')` is `True,None`.
 */

/** Jinja's `join(value, d='', attribute=None)`: a dict joins its keys, a string its characters. */
function join(value: unknown, ...rest: unknown[]): string {
  const keywords = keywordArgs(rest);
  const [separator = keywords.d ?? '', attr = keywords.attribute] = positional(rest);
  const items = pyIterable(value);
  if (!Array.isArray(items)) throw new TypeError(`'${pyTypeName(value)}' object is not iterable`);
  const path = attr === undefined || attr === null ? undefined : stringOf(attr);
  return (items as unknown[])
    .map((raw, i) => {
      const item = floatBoxed(items, i, raw);
      return pyText(path === undefined ? item : attribute(item, path));
    })
    .join(pyText(separator));
}

export function addTextFilters(env: nunjucks.Environment): void {
  env.addFilter('string', (v: unknown) => pyText(v));
  env.addFilter('join', join);
}
