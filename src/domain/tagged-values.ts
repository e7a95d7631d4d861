/**
 * Values Ansible's YAML loader tags, kept as what they are instead of as plain strings.
 */

/** `!unsafe` text: never rendered as a template, wherever it is read. */
export class UnsafeText {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

/**
 * An inline `!vault` value: the ciphertext as written. It is decrypted (into a `Secret`) only
 * where its plain text is needed; printed, it shows as Ansible shows it.
 */
export class VaultedText {
  constructor(
    /** The `$ANSIBLE_VAULT;...` envelope, as written. */
    readonly ciphertext: string,
  ) {}

  toString(): string {
    return '********';
  }

  toJSON(): { __ansible_vault: string } {
    return { __ansible_vault: this.ciphertext };
  }
}

/** Floats whose value is a whole number: 1.0 stays a float (Ansible prints `1.0`), per container key. */
const floatKeys = new WeakMap<object, Set<string | number>>();

export function markFloat(container: object, key: string | number): void {
  let keys = floatKeys.get(container);
  if (!keys) floatKeys.set(container, (keys = new Set()));
  keys.add(key);
}

export function isFloatAt(container: object, key: string | number): boolean {
  return floatKeys.get(container)?.has(key) ?? false;
}

/** Python tuples (INI values like `(1, 2)`): lists everywhere, but printed as (1, 2) by str(). */
const tuples = new WeakSet<unknown[]>();

export function markTuple(list: unknown[]): void {
  tuples.add(list);
}

export function isTuple(list: unknown[]): boolean {
  return tuples.has(list);
}

/**
 * A float whose value is a whole number, as templates compute and hold it: Python keeps `4 / 2`
 * a float and prints it `2.0`, where a JavaScript number cannot tell 2.0 from 2. Floats with a
 * fraction stay plain numbers (they cannot be mistaken for integers).
 */
export class PyFloat {
  constructor(readonly value: number) {}

  valueOf(): number {
    return this.value;
  }

  toJSON(): number {
    return this.value;
  }
}

/** A float result: boxed when its value is whole, so it stays a float. */
export function pyFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

/** Whether a value is a Python float: a boxed whole one, or a number with a fraction (or inf, nan). */
export function isPyFloat(value: unknown): boolean {
  return value instanceof PyFloat || (typeof value === 'number' && !Number.isInteger(value));
}

/** The value a container holds at `key`, a YAML whole-number float boxed (see markFloat). */
export function floatBoxed(container: object, key: string | number, value: unknown): unknown {
  return typeof value === 'number' && isFloatAt(container, key) ? new PyFloat(value) : value;
}

/** Copies the float marks of `from`'s keys whose values `to` holds unchanged. */
export function copyFloatMarks(from: object, to: Record<string, unknown>): void {
  const keys = floatKeys.get(from);
  if (!keys) return;
  const source = from as Record<string | number, unknown>;
  for (const key of keys) if (to[key] === source[key]) markFloat(to, key);
}

/**
 * A rendered value for code outside templates: boxed floats become numbers again, marked as
 * floats in their containers (a whole value on its own is only a number).
 */
export function unboxFloats(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) {
    if (!value.some((v) => v instanceof PyFloat || (typeof v === 'object' && v !== null))) return value;
    const out = value.map(unboxFloats);
    value.forEach((v, i) => v instanceof PyFloat && markFloat(out, i));
    return out;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      out[k] = unboxFloats(v);
      if (v instanceof PyFloat) markFloat(out, k);
    }
    return out;
  }
  return value;
}
