import { childNodes, isNode, parseAst, TemplateSyntaxError, type AstNode } from './template-ast.js';

/**
 * The sandbox's rules. nunjucks compiles templates to JavaScript and lets them read any property of
 * any value: `range.constructor("return process")()` is the Function constructor, and runs code
 * on the controller. Templates here read data only: variables, keys of dictionaries, items of lists
 * and strings, and the Python methods Jinja offers (template-methods.ts). These names, the routes
 * from any value to JavaScript's internals, are refused wherever a template could use them: as a
 * variable, an attribute, a dictionary key, a loop or `set` target, a macro or filter name, or an
 * attribute path given to a filter. The same rule holds again at run time for computed names
 * (`x['constr' ~ 'uctor']`), in template-runtime.ts.
 */
const FORBIDDEN = new Set([
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

export function isForbiddenName(name: string): boolean {
  return FORBIDDEN.has(name);
}

/** Whether an attribute path (`a.b.c`, as filters such as groupby take) names a forbidden attribute. */
export function isForbiddenPath(path: string): boolean {
  return path.split('.').some(isForbiddenName);
}

/** Filters that read the attribute named by an argument: (0-based) positions after the piped value. */
export const ATTRIBUTE_ARGUMENTS: Readonly<Record<string, readonly number[]>> = {
  groupby: [0],
  selectattr: [0],
  rejectattr: [0],
  sum: [0],
  join: [1],
  sort: [2],
  // map's first argument is a filter name; its attribute= keyword is checked.
  map: [],
};
/** Keyword spellings of those arguments. */
export const ATTRIBUTE_KEYWORDS: ReadonlySet<string> = new Set(['attribute', 'attr']);

export const REFUSAL_FIX =
  'templates read variables, their keys and items, filters and the Python string/list/dict methods Jinja offers; ' +
  'JavaScript internals (constructor, prototype, __proto__) are never reachable';

/** A template that tries to reach JavaScript internals: refused before it renders. */
export class TemplateRefusedError extends TemplateSyntaxError {
  constructor(message: string, line: number, column: number) {
    super(message, line, column);
    this.name = 'TemplateRefusedError';
  }
}

export function refusalMessage(name: string): string {
  return `'${name}' is not allowed in a template (it leads to JavaScript internals, not to data)`;
}

function refuse(node: AstNode, name: string): never {
  throw new TemplateRefusedError(refusalMessage(name), node.lineno + 1, node.colno + 1);
}

function literalString(node: unknown): string | undefined {
  return isNode(node) && node.typename === 'Literal' && typeof node.value === 'string'
    ? node.value
    : undefined;
}

function checkFilterArguments(node: AstNode): void {
  const name = isNode(node.name) ? String(node.name.value) : '';
  const positions = ATTRIBUTE_ARGUMENTS[name];
  if (!positions) return;
  // args.children[0] is the piped value; keyword arguments come last as one KeywordArgs node.
  const args = (isNode(node.args) ? (node.args.children ?? []) : []).slice(1);
  for (const [i, arg] of args.entries()) {
    if (arg.typename === 'KeywordArgs') {
      for (const pair of arg.children ?? []) {
        const key = isNode(pair.key) ? String(pair.key.value) : '';
        const path = literalString(pair.value);
        if (ATTRIBUTE_KEYWORDS.has(key) && path !== undefined && isForbiddenPath(path)) refuse(pair, path);
      }
    } else if (positions.includes(i)) {
      const path = literalString(arg);
      if (path !== undefined && isForbiddenPath(path)) refuse(arg, path);
    }
  }
}

/** Throws TemplateRefusedError at the first construct that reaches past data. */
export function checkSandbox(node: AstNode): void {
  switch (node.typename) {
    case 'Symbol':
      if (isForbiddenName(String(node.value))) refuse(node, String(node.value));
      break;
    case 'LookupVal': {
      const key = literalString(node.val);
      if (key !== undefined && isForbiddenName(key)) refuse(node.val as AstNode, key);
      break;
    }
    case 'Pair': {
      const key = isNode(node.key) ? node.key.value : undefined;
      if (typeof key === 'string' && isForbiddenName(key)) refuse(node.key as AstNode, key);
      break;
    }
    case 'Filter':
      checkFilterArguments(node);
      break;
    default:
      break;
  }
  for (const child of childNodes(node)) checkSandbox(child);
}

/** Parses template text and applies the sandbox's rules: the one way templates are parsed. */
export function parseTemplate(text: string): AstNode {
  const ast = parseAst(text);
  checkSandbox(ast);
  return ast;
}
