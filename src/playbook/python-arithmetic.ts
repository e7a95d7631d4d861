/**
 * Python's arithmetic for compiled templates (template-compiler.ts routes `+ - * / // **` and
 * unary signs here). nunjucks compiled them to JavaScript's operators, which lose what Python
 * keeps: `4 / 2` is the float `2.0`, `2.0 * 2` is `4.0`, `[1] + [2]` is `[1, 2]`, `'ab' * 2` is
 * `'abab'`, `'a' + 1` and `1 / 0` are errors.
 */

import { isPyFloat, pyFloat } from '../domain/tagged-values.js';
import { numeric, pyDivmod, pyTypeName, text } from './python-values.js';
import { MAX_RANGE, MAX_TEMPLATE_OUTPUT, SandboxViolation } from './template-runtime.js';

function unsupported(op: string, a: unknown, b: unknown): TypeError {
  return new TypeError(`unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** Both operands as numbers (bool is an int), and whether the result is a float; else Python's TypeError. */
function operands(op: string, a: unknown, b: unknown): { x: number; y: number; float: boolean } {
  const [x, y] = [numeric(a), numeric(b)];
  if (x === undefined || y === undefined) throw unsupported(op, a, b);
  return { x, y, float: isPyFloat(a) || isPyFloat(b) };
}

/** An int has no negative zero (`0 * -1` is 0); a float keeps it (`0.0 * -1` is -0.0). */
function result(n: number, float: boolean): unknown {
  return float ? pyFloat(n) : n + 0;
}

export function pyAdd(a: unknown, b: unknown): unknown {
  const [sa, sb] = [text(a), text(b)];
  if (sa !== undefined) {
    if (sb === undefined) throw new TypeError(`can only concatenate str (not "${pyTypeName(b)}") to str`);
    return sa + sb;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) throw new TypeError(`can only concatenate list (not "${pyTypeName(b)}") to list`);
    return [...(a as unknown[]), ...(b as unknown[])];
  }
  const { x, y, float } = operands('+', a, b);
  return result(x + y, float);
}

export function pySub(a: unknown, b: unknown): unknown {
  const { x, y, float } = operands('-', a, b);
  return result(x - y, float);
}

/** A sequence repeated: bounded like every other text or list a template makes. */
function repeat(sequence: string | unknown[], times: unknown, other: unknown): unknown {
  if (typeof times === 'boolean' ? false : !Number.isInteger(times))
    throw new TypeError(`can't multiply sequence by non-int of type '${pyTypeName(other)}'`);
  const count = Math.max(0, Number(times));
  if (typeof sequence === 'string') {
    if (sequence.length * count > MAX_TEMPLATE_OUTPUT)
      throw new SandboxViolation(`a repeated text of more than ${MAX_TEMPLATE_OUTPUT} characters`);
    return sequence.repeat(count);
  }
  if (sequence.length * count > MAX_RANGE)
    throw new SandboxViolation(`a repeated list of more than ${MAX_RANGE} items`);
  return Array.from({ length: count }, () => sequence).flat();
}

export function pyMul(a: unknown, b: unknown): unknown {
  const seqA = text(a) ?? (Array.isArray(a) ? (a as unknown[]) : undefined);
  if (seqA !== undefined) return repeat(seqA, b, b);
  const seqB = text(b) ?? (Array.isArray(b) ? (b as unknown[]) : undefined);
  if (seqB !== undefined) return repeat(seqB, a, a);
  const { x, y, float } = operands('*', a, b);
  return result(x * y, float);
}

/** `/` is true division: always a float. */
export function pyDiv(a: unknown, b: unknown): unknown {
  const { x, y } = operands('/', a, b);
  if (y === 0) throw new TypeError('division by zero');
  return pyFloat(x / y);
}

export function pyFloorDiv(a: unknown, b: unknown): unknown {
  const { x, y, float } = operands('//', a, b);
  if (y === 0)
    throw new TypeError(float ? 'float floor division by zero' : 'integer division or modulo by zero');
  return result(pyDivmod(x, y)[0], float);
}

/** `**`: an int to a non-negative int power stays an int; anything else is a float. */
export function pyPow(a: unknown, b: unknown): unknown {
  const { x, y, float } = operands('**', a, b);
  if (x === 0 && y < 0) throw new TypeError('0.0 cannot be raised to a negative power');
  return result(x ** y, float || y < 0);
}

export function pyNeg(a: unknown): unknown {
  const x = numeric(a);
  if (x === undefined) throw new TypeError(`bad operand type for unary -: '${pyTypeName(a)}'`);
  const float = isPyFloat(a);
  // An int has no negative zero; a float does (-0.0).
  return result(float || x !== 0 ? -x : 0, float);
}

export function pyPos(a: unknown): unknown {
  const x = numeric(a);
  if (x === undefined) throw new TypeError(`bad operand type for unary +: '${pyTypeName(a)}'`);
  return result(x, isPyFloat(a));
}
