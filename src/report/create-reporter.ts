import type { HostResult, RunSummary, TaskResult } from '../engine/types.js';
import { PlainReporter } from './plain-reporter.js';
import type { Redactor } from './redactor.js';
import type { Reporter, ReporterOptions } from './reporter-options.js';
import { sanitiseText } from './sanitise.js';

/**
 * The TTY reporter's module (listr2 and its dependencies) could not be loaded: said in one line
 * (main.ts prints no stack for it), before any host is contacted.
 */
export class ReporterLoadError extends Error {
  constructor(cause: unknown) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
    super(
      `the terminal progress display (listr2) cannot be loaded: ${reason}. Nothing was contacted; ` +
        'reinstall (npm ci), or run with CI=1 or stdout not a terminal for plain output',
      { cause },
    );
    this.name = 'ReporterLoadError';
  }
}

/**
 * The reporter for a run; the CLI picks `plain` when stdout is not a TTY or `CI` is set. The TTY
 * reporter (listr2 and its dependencies, ~1.5 ms of start-up) is loaded only for a terminal's run.
 */
export async function createReporter(options: ReporterOptions): Promise<Reporter> {
  const inner = options.mode === 'tty' ? new (await ttyReporter())(options) : new PlainReporter(options);
  return new CleanEvents(inner, options.redactor);
}

async function ttyReporter(): Promise<typeof import('./tty-reporter.js').TtyReporter> {
  try {
    return (await import('./tty-reporter.js')).TtyReporter;
  } catch (error) {
    throw new ReporterLoadError(error);
  }
}

/**
 * Every event reaches the reporters with secrets removed and terminal control characters escaped
 * (sanitise.ts), before they add their own colours. Redaction comes first: it knows the secrets
 * as they are, not as escaped text.
 */
class CleanEvents implements Reporter {
  readonly #clean: <T>(value: T) => T;

  constructor(
    private readonly inner: Reporter,
    redactor: Redactor,
  ) {
    this.#clean = (value) => redactor.scrubDeep(value, sanitiseText);
  }

  runStarted(hosts: string[], options: { check: boolean; diff: boolean; plays?: string[] }): void {
    this.inner.runStarted(this.#clean(hosts), this.#clean(options));
  }

  playStarted(play: string, hosts: string[]): void {
    this.inner.playStarted?.(this.#clean(play), this.#clean(hosts));
  }

  hostStarted(host: string): void {
    this.inner.hostStarted(this.#clean(host));
  }

  taskStarted(host: string, task: string): void {
    this.inner.taskStarted(this.#clean(host), this.#clean(task));
  }

  taskFinished(host: string, result: TaskResult): void {
    this.inner.taskFinished(this.#clean(host), this.#clean(result));
  }

  hostFinished(result: HostResult): void {
    this.inner.hostFinished(this.#clean(result));
  }

  warning(message: string, host?: string): void {
    this.inner.warning(this.#clean(message), host === undefined ? undefined : this.#clean(host));
  }

  trace(message: string, host: string): void {
    this.inner.trace(this.#clean(message), this.#clean(host));
  }

  runFinished(summary: RunSummary): Promise<void> | void {
    return this.inner.runFinished(this.#clean(summary));
  }
}
