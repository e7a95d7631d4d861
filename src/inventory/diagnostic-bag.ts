import type { Diagnostic } from '../input/diagnostics.js';

/**
 * Collects diagnostics, dropping exact repeats: a variable inherited by many hosts is checked once per
 * host, but its problem lives at one place in one file and is reported once.
 */
export class DiagnosticBag {
  readonly #items: Diagnostic[] = [];
  readonly #seen = new Set<string>();

  push(d: Diagnostic): void {
    const id = [d.file, d.line, d.column, d.key, d.severity, d.message].join('\u0000');
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.#items.push(d);
  }

  get items(): Diagnostic[] {
    return [...this.#items];
  }

  get hasErrors(): boolean {
    return this.#items.some((d) => d.severity === 'error');
  }
}
