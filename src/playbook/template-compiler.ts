import { createRequire } from 'node:module';
import { markTuple, PyFloat } from '../domain/tagged-values.js';
import { pyAdd, pyDiv, pyFloorDiv, pyMul, pyNeg, pyPos, pyPow, pySub } from './python-arithmetic.js';
import { pyCompare, pyIterable, pyMod, pyText, pyTruth } from './python-values.js';
import { helperCall, installParserPatches, PY_CALL, type Node } from './template-parser.js';
import { pySlice } from './template-slice.js';
import { revealDeep } from './template-taint.js';

/**
 * Python's operators in compiled templates. nunjucks compiles `{% if %}`, `x if c else y`, `not`,
 * `and`/`or` and comparisons to JavaScript's own operators, so `{% if [] %}` was true and
 * `[1] == [1]` false. Its compiler is patched once, for every template of the process: each truth
 * test becomes a call of Python's truth (python-values.ts), `and`/`or` return the operand that
 * decided (`[] or 'a'` is `'a'`), comparisons are Python's (chained, by value), `~` joins
 * Python's str() of both sides (`'a' ~ true` is `aTrue`), arithmetic is Python's
 * (python-arithmetic.ts: `4 / 2` is the float 2.0, a literal `1.0` stays a float), and a one-name
 * `for` iterates a dict's keys as Jinja does (`in` is Python's in template-runtime.ts).
 * nunjucks-module.ts applies the patch (installCompilerPatches) when it loads nunjucks, before any
 * template can compile.
 */

interface Compiler {
  _emit(code: string): void;
  compile(node: unknown, frame: unknown): void;
}
type CompileFn = (this: Compiler, node: Node, frame: unknown, async?: boolean) => void;

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
  pyAdd: (a: unknown, b: unknown) => pyAdd(revealDeep(a), revealDeep(b)),
  pySub: (a: unknown, b: unknown) => pySub(revealDeep(a), revealDeep(b)),
  pyMul: (a: unknown, b: unknown) => pyMul(revealDeep(a), revealDeep(b)),
  pyDiv: (a: unknown, b: unknown) => pyDiv(revealDeep(a), revealDeep(b)),
  pyFloorDiv: (a: unknown, b: unknown) => pyFloorDiv(revealDeep(a), revealDeep(b)),
  pyPow: (a: unknown, b: unknown) => pyPow(revealDeep(a), revealDeep(b)),
  pyNeg: (a: unknown) => pyNeg(revealDeep(a)),
  pyPos: (a: unknown) => pyPos(revealDeep(a)),
  pyFloatLiteral: (n: number) => new PyFloat(n),
  pySlice: (target: unknown, start: unknown, stop: unknown, step: unknown) =>
    pySlice(revealDeep(target), revealDeep(start), revealDeep(stop), revealDeep(step)),
} as const;
/**
 * `left op right` as a call of the helper with both operands. `or`/`and` get their right side as
 * a function: it is evaluated only when the left does not decide, as in Python.
 */
function binaryCall(helper: keyof typeof HELPERS): CompileFn {
  const lazy = helper === 'pyOr' || helper === 'pyAnd';
  return function (node, frame) {
    this._emit(`runtime.${helper}(`);
    this.compile(node.left, frame);
    this._emit(lazy ? ', () => (' : ', ');
    this.compile(node.right, frame);
    this._emit(lazy ? '))' : ')');
  };
}

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
  const nodes = load('nunjucks/src/nodes') as { Array: new () => Node };
  installParserPatches();
  const runtime = load('nunjucks/src/runtime') as Record<string, unknown>;
  Object.assign(runtime, HELPERS);

  const proto = Compiler.prototype as Record<string, CompileFn> & {
    [ORIGINALS]?: Record<'If' | 'InlineIf' | 'For' | 'Group' | 'Literal', CompileFn>;
  };
  const original = (proto[ORIGINALS] ??= {
    If: proto.compileIf!,
    InlineIf: proto.compileInlineIf!,
    For: proto.compileFor!,
    Group: proto.compileGroup!,
    Literal: proto.compileLiteral!,
  });

  proto.compileLiteral = function (node, frame) {
    if (node.pyFloat === true) this._emit(`runtime.pyFloatLiteral(${String(node.value)})`);
    else original.Literal.call(this, node, frame);
  };

  proto[`compile${PY_CALL}`] = function (node, frame) {
    this._emit(`runtime.${String(node.helper)}(`);
    (node.children as unknown[]).forEach((child, i) => {
      if (i > 0) this._emit(', ');
      this.compile(child, frame);
    });
    this._emit(')');
  };
  /** `x.name` is Jinja's getattr (the attribute first), `x[key]` its getitem (the item first). */
  proto.compileLookupVal = function (node, frame) {
    this._emit(node.pyAttribute === true ? 'runtime.pyAttribute((' : 'runtime.memberLookup((');
    this.compile(node.target, frame);
    this._emit('),');
    this.compile(node.val, frame);
    this._emit(')');
  };

  proto.compileIf = function (node, frame, async) {
    original.If.call(this, { ...node, cond: helperCall('pyTruth', node, node.cond) }, frame, async);
  };
  proto.compileInlineIf = function (node, frame) {
    original.InlineIf.call(this, { ...node, cond: helperCall('pyTruth', node, node.cond) }, frame);
  };
  proto.compileFor = function (node, frame) {
    // `for k, v in d` keeps nunjucks' pairs; one name iterates keys, characters or items.
    const oneName = !(node.name instanceof nodes.Array);
    original.For.call(
      this,
      oneName ? { ...node, arr: helperCall('pyIterable', node, node.arr) } : node,
      frame,
    );
  };
  proto.compileNot = function (node, frame) {
    this._emit('!');
    this.compile(helperCall('pyTruth', node, node.target), frame);
  };
  proto.compileOr = binaryCall('pyOr');
  proto.compileAnd = binaryCall('pyAnd');
  proto.compileMod = binaryCall('pyMod');
  proto.compileConcat = binaryCall('pyConcat');
  proto.compileAdd = binaryCall('pyAdd');
  proto.compileSub = binaryCall('pySub');
  proto.compileMul = binaryCall('pyMul');
  proto.compileDiv = binaryCall('pyDiv');
  proto.compileFloorDiv = binaryCall('pyFloorDiv');
  proto.compilePow = binaryCall('pyPow');
  proto.compileNeg = function (node, frame) {
    this.compile(helperCall('pyNeg', node, node.target), frame);
  };
  proto.compilePos = function (node, frame) {
    this.compile(helperCall('pyPos', node, node.target), frame);
  };
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
