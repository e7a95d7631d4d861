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
