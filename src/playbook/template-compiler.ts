import { createRequire } from 'node:module';
import { markTuple } from '../domain/tagged-values.js';
import { pyCompare, pyIterable, pyMod, pyText, pyTruth } from './python-values.js';
import { revealDeep } from './template-taint.js';

/**
 * Python's operators in compiled templates. nunjucks compiles `{% if %}`, `x if c else y`, `not`,
 * `and`/`or` and comparisons to JavaScript's own operators, so `{% if [] %}` was true and
 * `[1] == [1]` false. Its compiler is patched once, for every template of the process: each truth
 * test becomes a call of Python's truth (python-values.ts), `and`/`or` return the operand that
 * decided (`[] or 'a'` is `'a'`), comparisons are Python's (chained, by value), `~` joins
 * Python's str() of both sides (`'a' ~ true` is `aTrue`), and a one-name `for` iterates a dict's
 * keys as Jinja does (`in` is Python's in template-runtime.ts). nunjucks-module.ts applies the patch
 * (installCompilerPatches) when it loads nunjucks, before any template can compile.
 */

interface Node {
  typename: string;
  lineno: number;
  colno: number;
  [field: string]: unknown;
}
interface Compiler {
  _emit(code: string): void;
  compile(node: unknown, frame: unknown): void;
}
type CompileFn = (this: Compiler, node: Node, frame: unknown, async?: boolean) => void;
type NodeClass = (new (lineno: number, colno: number, children: unknown[]) => Node) & {
  extend(name: string): NodeClass;
};

/** The helpers compiled code calls, on the runtime object templates are run with. */
const HELPERS = {
  pyTruth: (v: unknown) => pyTruth(revealDeep(v)),
  pyCompare: (first: unknown, ...rest: unknown[]) => pyCompare(revealDeep(first), ...rest.map(revealDeep)),
  pyIterable: (v: unknown) => pyIterable(revealDeep(v)),
  pyMod: (left: unknown, right: unknown) => pyMod(revealDeep(left), revealDeep(right)),
  pyTuple: (...items: unknown[]) => {
    markTuple(items);
    return items;
  },
  pyConcat: (left: unknown, right: unknown) => pyText(revealDeep(left)) + pyText(revealDeep(right)),
  pyOr: (left: unknown, right: () => unknown) => (pyTruth(revealDeep(left)) ? left : right()),
  pyAnd: (left: unknown, right: () => unknown) => (pyTruth(revealDeep(left)) ? right() : left),
} as const;
/**
 * `left op right` as a call of the helper with both operands. `or`/`and` get their right side as
 * a function: it is evaluated only when the left does not decide, as in Python.
 */
function binaryCall(helper: 'pyOr' | 'pyAnd' | 'pyMod' | 'pyConcat'): CompileFn {
  const lazy = helper === 'pyOr' || helper === 'pyAnd';
  return function (node, frame) {
    this._emit(`runtime.${helper}(`);
    this.compile(node.left, frame);
    this._emit(lazy ? ', () => (' : ', ');
    this.compile(node.right, frame);
    this._emit(lazy ? '))' : ')');
  };
}

/** The node type of a helper call. */
const PY_CALL = 'ApimPyCall';

/**
 * nunjucks' own compile functions, kept on its prototype: a second copy of this module (a test
 * runner re-importing it) must wrap those, not the first copy's wrappers.
 */
const ORIGINALS = Symbol.for('apim-provision.nunjucks-compiler-originals');

/** Patches nunjucks' compiler (and puts the helpers on its runtime): once, before any compile. */
export function installCompilerPatches(): void {
  const load = createRequire(import.meta.url);
  const { Compiler } = load('nunjucks/src/compiler') as {
    Compiler: { prototype: Record<string, CompileFn> };
  };
  const nodes = load('nunjucks/src/nodes') as { Group: NodeClass; Array: NodeClass };
  const runtime = load('nunjucks/src/runtime') as Record<string, unknown>;
  Object.assign(runtime, HELPERS);

  /**
   * A call of one helper around an expression. A Group subclass: the compiler accepts it wherever
   * an expression may stand.
   */
  const PyCall = nodes.Group.extend(PY_CALL);
  function helperCall(helper: keyof typeof HELPERS, inner: unknown, at: Node): Node {
    const node = new PyCall(at.lineno, at.colno, [inner]);
    node.helper = helper;
    return node;
  }

  const proto = Compiler.prototype as Record<string, CompileFn> & {
    [ORIGINALS]?: Record<'If' | 'InlineIf' | 'For' | 'Group', CompileFn>;
  };
  const original = (proto[ORIGINALS] ??= {
    If: proto.compileIf!,
    InlineIf: proto.compileInlineIf!,
    For: proto.compileFor!,
    Group: proto.compileGroup!,
  });

  proto[`compile${PY_CALL}`] = function (node, frame) {
    this._emit(`runtime.${String(node.helper)}(`);
    this.compile((node.children as unknown[])[0], frame);
    this._emit(')');
  };

  proto.compileIf = function (node, frame, async) {
    original.If.call(this, { ...node, cond: helperCall('pyTruth', node.cond, node) }, frame, async);
  };
  proto.compileInlineIf = function (node, frame) {
    original.InlineIf.call(this, { ...node, cond: helperCall('pyTruth', node.cond, node) }, frame);
  };
  proto.compileFor = function (node, frame) {
    // `for k, v in d` keeps nunjucks' pairs; one name iterates keys, characters or items.
    const oneName = !(node.name instanceof nodes.Array);
    original.For.call(
      this,
      oneName ? { ...node, arr: helperCall('pyIterable', node.arr, node) } : node,
      frame,
    );
  };
  proto.compileNot = function (node, frame) {
    this._emit('!');
    this.compile(helperCall('pyTruth', node.target, node), frame);
  };
  proto.compileOr = binaryCall('pyOr');
  proto.compileAnd = binaryCall('pyAnd');
  proto.compileMod = binaryCall('pyMod');
  proto.compileConcat = binaryCall('pyConcat');
  /** `(a, b)` is a tuple, as in Python (nunjucks compiled it to JavaScript's comma operator: b). */
  proto.compileGroup = function (node, frame) {
    const items = node.children as unknown[];
    if (items.length === 1) {
      original.Group.call(this, node, frame);
      return;
    }
    this._emit('runtime.pyTuple(');
    items.forEach((item, i) => {
      if (i > 0) this._emit(', ');
      this.compile(item, frame);
    });
    this._emit(')');
  };
  proto.compileCompare = function (node, frame) {
    this._emit('runtime.pyCompare(');
    this.compile(node.expr, frame);
    for (const op of node.ops as Node[]) {
      this._emit(`, ${JSON.stringify(op.type)}, `);
      this.compile(op.expr, frame);
    }
    this._emit(')');
  };
}
