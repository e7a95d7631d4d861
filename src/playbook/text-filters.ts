import type nunjucks from 'nunjucks';
import { floatBoxed } from '../domain/tagged-values.js';
import { sandboxedNunjucks } from './nunjucks-module.js';
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

/** markupsafe's escapes (nunjucks' write `"` as &quot; and escape `\\` too). */
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&#39;',
  '"': '&#34;',
};

/**
 * Jinja's Markup, as nunjucks' SafeString: `safe` marks str() of any value (`none | safe` is
 * `None`), `escape`/`e` escape str() of a value not yet marked, `forceescape` always escapes.
 */
function markup(value: unknown, escape: 'never' | 'unmarked' | 'always'): unknown {
  // markSafe exists at run time but is missing from @types/nunjucks.
  const runtime = sandboxedNunjucks().runtime as typeof nunjucks.runtime & {
    markSafe(text: string): nunjucks.runtime.SafeString;
  };
  if (escape !== 'always' && value instanceof runtime.SafeString) return value;
  const text = pyText(value);
  return runtime.markSafe(escape === 'never' ? text : text.replace(/[&<>'"]/g, (ch) => HTML_ESCAPES[ch]!));
}

export function addTextFilters(env: nunjucks.Environment): void {
  env.addFilter('string', (v: unknown) => pyText(v));
  env.addFilter('join', join);
  env.addFilter('safe', (v: unknown) => markup(v, 'never'));
  env.addFilter('escape', (v: unknown) => markup(v, 'unmarked'));
  env.addFilter('e', (v: unknown) => markup(v, 'unmarked'));
  env.addFilter('forceescape', (v: unknown) => markup(v, 'always'));
}
