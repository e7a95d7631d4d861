import { Secret } from '../domain/secret.js';
import { isPlainObject, stringOf } from './values.js';

/**
 * Secrets inside templates. A template sees a `Secret`'s real value (a config file needs the real
 * password), and every render that revealed one is tainted: its result is a `Secret` again, whatever
 * filters, concatenations or conditions came in between. Taint is tracked by what a render actually
 * read, not by matching text, so `{{ pw | upper }}` or `{{ pw | reverse }}` stay secret.
 *
 * Renders are synchronous and may nest (a lazily templated variable renders while it is read), so
 * the state is a stack with one entry per render in progress.
 */
interface RenderPass {
  tainted: boolean;
  /** Variables the template only tests for being defined: their value never flows anywhere. */
  definednessOnly: ReadonlySet<string>;
}

const passes: RenderPass[] = [];

/** A render failed after it had revealed a secret: its own message could quote a value computed from it. */
export class SecretRenderError extends Error {
  override readonly name = 'SecretRenderError';
}

/**
 * Runs `render` while recording whether it revealed a secret. A render that fails after
 * revealing one fails with its position only, never with its message.
 */
export function trackSecrets<T>(
  render: () => T,
  definednessOnly: ReadonlySet<string> = new Set(),
): { value: T; tainted: boolean } {
  const pass: RenderPass = { tainted: false, definednessOnly };
  passes.push(pass);
  try {
    const value = render();
    return { value, tainted: pass.tainted };
  } catch (err) {
    if (!pass.tainted) throw err;
    const at = /\[Line \d+, Column \d+\]/.exec(err instanceof Error ? err.message : '');
    throw new SecretRenderError(
      `failed${at ? ` at ${at[0]}` : ''} after reading a secret; the error is not shown, as it may quote a value computed from the secret`,
    );
  } finally {
    passes.pop();
  }
}

/**
 * The value a template works with: a Secret's real value, marking the render tainted. Outside a
 * tracked render nothing is revealed (the placeholder is what an untracked use gets).
 */
export function reveal(value: unknown): unknown {
  if (!(value instanceof Secret)) return value;
  const pass = passes[passes.length - 1];
  if (!pass) return value.toString();
  pass.tainted = true;
  return value.reveal();
}

/** A variable read by name: one only tested with `is defined` stays unrevealed (no taint). */
export function revealVariable(name: string, value: unknown): unknown {
  const pass = passes[passes.length - 1];
  if (value instanceof Secret && pass?.definednessOnly.has(name)) return value;
  return reveal(value);
}

/** `reveal` through lists and dictionaries, for values handed whole to filters and output. */
export function revealDeep(value: unknown): unknown {
  if (value instanceof Secret) return reveal(value);
  if (Array.isArray(value)) return value.some(holdsSecret) ? value.map(revealDeep) : value;
  if (isPlainObject(value) && Object.values(value).some(holdsSecret)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealDeep(v)]));
  }
  return value;
}

/**
 * The elements a loop binds: revealed one level down (two for `k, v` pairs), since loop variables
 * are read without a lookup the sandbox sees. Deeper values are revealed when they are read.
 */
export function revealElements(collection: unknown): unknown {
  const one = (v: unknown): unknown =>
    Array.isArray(v) && v.some((x) => x instanceof Secret) ? v.map(reveal) : reveal(v);
  if (Array.isArray(collection)) return collection.some(holdsSecret) ? collection.map(one) : collection;
  if (isPlainObject(collection) && Object.values(collection).some((v) => v instanceof Secret)) {
    return Object.fromEntries(Object.entries(collection).map(([k, v]) => [k, reveal(v)]));
  }
  return collection;
}

/** Whether a Secret is anywhere inside `value`. */
export function holdsSecret(value: unknown): boolean {
  if (value instanceof Secret) return true;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (isPlainObject(value)) return Object.values(value).some(holdsSecret);
  return false;
}

/**
 * The result of a tainted render as a secret: a string (or number, boolean) becomes a `Secret`;
 * lists and dictionaries keep their shape with every scalar inside made secret.
 */
export function asSecret(value: unknown): unknown {
  if (value instanceof Secret || value === null || value === undefined) return value;
  if (typeof value === 'string') return new Secret(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return new Secret(stringOf(value));
  if (Array.isArray(value)) return value.map(asSecret);
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asSecret(v)]));
  return new Secret(stringOf(value));
}
