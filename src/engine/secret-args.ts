import { Secret } from '../domain/secret.js';
import { floatBoxed, PyFloat } from '../domain/tagged-values.js';
import type { Action, Change } from '../modules/index.js';
import type { TaskOutcome } from './task-outcome.js';

/** What a task prints instead of output that a secret went into. */
export const HIDDEN_OUTPUT = 'output hidden: the command line holds a secret';
const MASK = '********';

/**
 * Module arguments whose rendered value came from a secret (templating taints them, see
 * playbook/template-taint.ts). The module gets the real values: the schema checks them, the host
 * gets them. Everything the run reports is cleaned of them: a change names the argument as written
 * in the playbook, messages and command output are hidden, and staged files are shown as secrets
 * (no diff, no content).
 */
export class SecretArgs {
  /** Revealed text -> what is shown for it (the playbook's own text, or the mask). */
  readonly #shown = new Map<string, string>();

  private constructor(readonly args: Record<string, unknown>) {}

  /** The arguments with every Secret revealed, and what to hide. `source`: the task's unrendered arguments. */
  static reveal(rendered: Record<string, unknown>, source: Record<string, unknown>): SecretArgs {
    const found: Array<[string, unknown]> = [];
    const walk = (value: unknown, from: unknown): unknown => {
      if (value instanceof Secret) {
        found.push([value.reveal(), from]);
        return value.reveal();
      }
      // The copies keep YAML's whole-number floats floats (boxed, as rendering makes them).
      if (Array.isArray(value))
        return value.map((v, i) => walk(floatBoxed(value, i, v), Array.isArray(from) ? from[i] : undefined));
      if (isRecord(value)) {
        const src = isRecord(from) ? from : {};
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, walk(floatBoxed(value, k, v), src[k])]),
        );
      }
      return value;
    };
    const result = new SecretArgs(walk(rendered, source) as Record<string, unknown>);
    for (const [text, from] of found) {
      if (text !== '') result.#shown.set(text, typeof from === 'string' ? from : MASK);
    }
    return result;
  }

  get tainted(): boolean {
    return this.#shown.size > 0;
  }

  /** Text with every secret value replaced by what is shown for it. */
  clean(text: string): string {
    let out = text;
    // Longest first, so a value containing another is replaced whole.
    for (const [secret, shown] of [...this.#shown].sort((a, b) => b[0].length - a[0].length))
      out = out.split(secret).join(shown);
    return out;
  }

  /** A message (debug text, what a module said) that holds a secret is not shown at all. */
  message(text: string | undefined): string | undefined {
    if (text === undefined || !this.tainted) return text;
    return this.clean(text) === text ? text : MASK;
  }

  /** Staged files of a task with secret arguments are secret: their content may come from them. */
  actions(actions: Action[]): Action[] {
    if (!this.tainted) return actions;
    return actions.map((a) => (a.kind === 'stage-file' ? { ...a, file: { ...a.file, secret: true } } : a));
  }

  /** The outcome as reported: changes, message and failure text cleaned. */
  outcome(o: TaskOutcome): TaskOutcome {
    if (!this.tainted) return o;
    const changes = o.changes.map((c): Change => ({
      ...c,
      target: this.clean(c.target),
      summary: this.clean(c.summary),
    }));
    const message = o.message === undefined ? undefined : this.clean(o.message);
    return { ...o, changes, ...(message !== undefined ? { message } : {}) };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Buffer) &&
    !(v instanceof PyFloat)
  );
}
