import type { HostResult, RunSummary, TaskResult } from '../engine/types.js';
import { paint } from './ansi.js';
import { renderRecap } from './recap.js';
import {
  TRACE_VERBOSITY,
  traceLine,
  warningLine,
  type Reporter,
  type ReporterOptions,
} from './reporter-options.js';
import { hostErrorLine, renderTaskResult, rollbackLine } from './task-line.js';

/**
 * Ansible-like lines for pipes and CI: nothing is redrawn, every finished task is one line (plus its
 * changes), so logs stay readable when several hosts run at once.
 */
export class PlainReporter implements Reporter {
  readonly #o: ReporterOptions;
  #mode = '';
  /**
   * Lines for `#stream` not written yet: they go out in one write at the end of the event-loop turn
   * (one write per line cost 1.2 ms per host at 1,000 hosts), or at exit (a second Ctrl-C).
   * Switching streams writes them first, so the order across stdout and stderr is kept.
   */
  #pending = '';
  #stream: NodeJS.WritableStream | undefined;
  #scheduled = false;

  constructor(options: ReporterOptions) {
    this.#o = options;
  }

  #write(stream: NodeJS.WritableStream, text: string): void {
    if (stream !== this.#stream) {
      this.#flush();
      this.#stream = stream;
    }
    if (this.#pending === '') process.once('exit', this.#flush);
    this.#pending += `${this.#o.redactor.scrub(text)}\n`;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#atTurnEnd);
    }
  }

  readonly #atTurnEnd = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  readonly #flush = (): void => {
    if (this.#pending === '') return;
    process.off('exit', this.#flush);
    const text = this.#pending;
    this.#pending = '';
    this.#stream?.write(text);
  };

  runStarted(hosts: string[], options: { check: boolean; diff: boolean; plays?: string[] }): void {
    this.#mode = options.check ? ' (check mode: nothing will be changed)' : '';
    // A rollback has no plays: its header names the hosts.
    if (!options.plays)
      this.#write(this.#o.out, paint('bold', `PLAY [${hosts.join(', ')}]${this.#mode}`, this.#o.color));
  }

  playStarted(play: string): void {
    this.#write(this.#o.out, paint('bold', `PLAY [${play}]${this.#mode}`, this.#o.color));
  }

  hostStarted(host: string): void {
    if (this.#o.verbose >= 1) this.#write(this.#o.out, paint('dim', `start: [${host}]`, this.#o.color));
  }

  taskStarted(host: string, task: string): void {
    if (this.#o.verbose >= 2)
      this.#write(this.#o.out, paint('dim', `task: [${host}] ${task}`, this.#o.color));
  }

  taskFinished(host: string, result: TaskResult): void {
    this.#write(this.#o.out, renderTaskResult(host, result, this.#o));
  }

  hostFinished(result: HostResult): void {
    for (const line of [hostErrorLine(result, this.#o.color), rollbackLine(result, this.#o.color)]) {
      if (line !== undefined) this.#write(this.#o.out, line);
    }
  }

  warning(message: string, host?: string): void {
    this.#write(this.#o.err ?? this.#o.out, paint('magenta', warningLine(message, host), this.#o.color));
  }

  trace(message: string, host: string): void {
    if (this.#o.verbose >= TRACE_VERBOSITY)
      this.#write(this.#o.out, paint('dim', traceLine(message, host), this.#o.color));
  }

  runFinished(summary: RunSummary): void {
    this.#flush();
    this.#o.out.write('\n');
    this.#o.out.write(this.#o.redactor.scrub(renderRecap(summary, this.#o.color)));
  }
}
