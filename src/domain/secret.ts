import { inspect } from 'node:util';

/**
 * A value that must never reach output, logs, diffs or JSON. Its string and JSON forms are a
 * placeholder; the real value is only available through `reveal()`, at the point of use.
 */
export class Secret {
  static readonly PLACEHOLDER = '********';
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return Secret.PLACEHOLDER;
  }

  toJSON(): string {
    return Secret.PLACEHOLDER;
  }

  [inspect.custom](): string {
    return `Secret(${Secret.PLACEHOLDER})`;
  }
}
