import { lazyRequire } from '../domain/lazy-require.js';
import { installLexerPatches } from './template-lexer.js';
import { installParserPatches } from './template-parser.js';

/** A template that does not parse: position is 1-based inside the template text. */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

/** nunjucks' AST nodes are untyped; these are the fields the walkers read. */
export interface AstNode {
  typename: string;
  /** 0-based. */
  lineno: number;
  colno: number;
  fields: string[];
  children?: AstNode[];
  value?: unknown;
  [field: string]: unknown;
}

export function isNode(v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && typeof (v as AstNode).typename === 'string';
}

/** Every node directly below `node`, in source order. */
export function childNodes(node: AstNode): AstNode[] {
  if (Array.isArray(node.children)) return node.children.filter(isNode);
  const out: AstNode[] = [];
  for (const f of node.fields) {
    const v = node[f];
    if (isNode(v)) out.push(v);
    else if (Array.isArray(v)) out.push(...v.filter(isNode));
  }
  return out;
}

/**
 * nunjucks' parser alone, on first use (a quarter of nunjucks' load): parsing compiles and runs
 * nothing, so it needs none of the sandbox's patches (nunjucks-module.ts), which rendering does,
 * only the lexer's (Jinja2's number literals and bracket balancing) and the parser's (Jinja's
 * subscripts and attributes, template-parser.ts).
 */
const loadParser = lazyRequire<{ parse(src: string): AstNode }>('nunjucks/src/parser');
function parser(): { parse(src: string): AstNode } {
  installLexerPatches();
  installParserPatches();
  return loadParser();
}

/** Parses template text with nunjucks' own parser; syntax errors carry 1-based positions. */
export function parseAst(text: string): AstNode {
  try {
    return parser().parse(text);
  } catch (err) {
    const e = err as { message?: string; lineno?: number; colno?: number };
    // nunjucks' parser crashes with a TypeError when the text ends inside an unclosed tag.
    const message =
      err instanceof TypeError
        ? "unexpected end of template: a '{{', '{%', '(' or '[' is not closed"
        : String(e.message ?? err).replace(/^\(unknown path\)\s*(\[[^\]]*\])?\s*/, '');
    if (e.lineno === undefined || err instanceof TypeError) {
      // No position means the parser ran out of text: point at the end.
      const lines = text.split('\n');
      throw new TemplateSyntaxError(message.trim(), lines.length, lines[lines.length - 1]!.length + 1);
    }
    throw new TemplateSyntaxError(message.trim(), Math.max(1, e.lineno), Math.max(1, e.colno ?? 1));
  }
}
