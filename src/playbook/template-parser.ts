import { createRequire } from 'node:module';

/**
 * Jinja2's parsing where nunjucks' differs, patched into nunjucks' parser once (parseAst,
 * template-ast.ts, and the compiler share it):
 * - subscripts are Jinja's parse_subscript: `x[i]`, slices `x[1:]`, `x[::-1]`, `x[a:b:c]` (each
 *   part optional), an int after a dot (`names.1` is names[1]; template-lexer.ts lexes it);
 * - `x.name` is marked an attribute (pyAttribute), which Jinja's getattr reads before the item of
 *   that name (`d.values` is the dict method, `d['values']` the item; template-runtime.ts);
 * - a float literal written as a whole number (`1.0`) remembers it is a float (pyFloat).
 */

export interface Node {
  typename: string;
  lineno: number;
  colno: number;
  [field: string]: unknown;
}
interface Token {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}
interface ParserState {
  peekToken(): Token | null;
  nextToken(): Token;
  skip(type: string): boolean;
  fail(message: string, lineno?: number, colno?: number): never;
  parseExpression(): Node;
  parseSignature(): Node;
}
type ParsePrimary = (this: ParserState, noPostfix?: boolean) => Node;
type ParsePostfix = (this: ParserState, node: Node) => Node;
type NodeClass = (new (lineno: number, colno: number, children: unknown[]) => Node) & {
  extend(name: string): NodeClass;
};
interface Nodes {
  Group: NodeClass;
  Literal: new (lineno: number, colno: number, value: unknown) => Node;
  FunCall: new (lineno: number, colno: number, name: Node, args: Node) => Node;
  LookupVal: new (lineno: number, colno: number, target: Node, val: Node) => Node;
}

/** The node type of a call of one runtime helper (template-compiler.ts compiles it). */
export const PY_CALL = 'ApimPyCall';

const load = createRequire(import.meta.url);
let pyCall: NodeClass | undefined;

/**
 * A call of the runtime helper `helper` with `args`. A Group subclass: the compiler accepts it
 * wherever an expression may stand, and the walkers (template-references.ts) see its children.
 */
export function helperCall(helper: string, at: Pick<Node, 'lineno' | 'colno'>, ...args: unknown[]): Node {
  pyCall ??= (load('nunjucks/src/nodes') as Nodes).Group.extend(PY_CALL);
  const node = new pyCall(at.lineno, at.colno, args);
  node.helper = helper;
  return node;
}

/** On nunjucks' prototype: a second copy of this module (a test runner's) must not patch twice. */
const PATCHED = Symbol.for('apim-provision.nunjucks-parser-patched');

/** Jinja's parse_subscribed: one expression, or a slice `start:stop:step` (each part optional). */
function subscript(parser: ParserState, nodes: Nodes, target: Node, at: Token): Node {
  const none = () => new nodes.Literal(at.lineno, at.colno, null);
  const part = (): Node => {
    const next = parser.peekToken()?.type;
    return next === 'colon' || next === 'right-bracket' ? none() : parser.parseExpression();
  };
  const start = part();
  if (!parser.skip('colon')) return new nodes.LookupVal(at.lineno, at.colno, target, start);
  const stop = part();
  const step = parser.skip('colon') ? part() : none();
  return helperCall('pySlice', at, target, start, stop, step);
}

export function installParserPatches(): void {
  const nodes = load('nunjucks/src/nodes') as Nodes;
  const { Parser } = load('nunjucks/src/parser') as {
    Parser: { prototype: { parsePrimary: ParsePrimary; parsePostfix: ParsePostfix } };
  };
  const proto = Parser.prototype as {
    parsePrimary: ParsePrimary;
    parsePostfix: ParsePostfix;
    [PATCHED]?: true;
  };
  if (proto[PATCHED]) return;
  proto[PATCHED] = true;
  const originalPrimary = proto.parsePrimary;

  proto.parsePrimary = function (noPostfix) {
    const float = this.peekToken()?.type === 'float';
    const node = originalPrimary.call(this, noPostfix);
    if (float && node instanceof nodes.Literal && Number.isInteger(node.value)) node.pyFloat = true;
    return node;
  };

  proto.parsePostfix = function (target) {
    let node = target;
    for (let tok = this.peekToken(); tok; tok = this.peekToken()) {
      if (tok.type === 'left-paren')
        node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
      else if (tok.type === 'left-bracket') {
        this.nextToken();
        node = subscript(this, nodes, node, tok);
        if (!this.skip('right-bracket')) this.fail('invalid index', tok.lineno, tok.colno);
      } else if (tok.type === 'operator' && tok.value === '.') {
        this.nextToken();
        const val = this.nextToken();
        if (val.type !== 'symbol' && val.type !== 'int')
          this.fail(`expected name or number after '.', got ${val.value}`, val.lineno, val.colno);
        const key = new nodes.Literal(
          val.lineno,
          val.colno,
          val.type === 'int' ? Number(val.value) : val.value,
        );
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, key);
        if (val.type === 'symbol') node.pyAttribute = true;
      } else break;
    }
    return node;
  };
}
