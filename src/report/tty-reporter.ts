import { DefaultRenderer, Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { HostResult, RunSummary, TaskResult } from '../engine/types.js';
import { renderChange } from './render-change.js';
import { renderRecap } from './recap.js';
import {
  TRACE_VERBOSITY,
  traceLine,
  warningLine,
  type Reporter,
  type ReporterOptions,
} from './reporter-options.js';
import { renderTaskResult, rollbackLine } from './task-line.js';
import { countsFor, STATUS_ORDER } from './host-counts.js';

/** How a host's progress line ends. Never a rejected promise: see `HostProgress`. */
type HostOutcome = { kind: 'finished'; result: HostResult } | { kind: 'not-started' };

/** What the listr2 task of one host needs to show it; the task may attach after events arrived. */
interface HostTaskHandle {
  title: string;
  output: string;
}

/**
 * The live state of one host. Engine events can arrive before listr2 has started the host's task, so
 * state is kept here and replayed when the task attaches. The outcome promise always resolves: a
 * rejection created before listr2 awaits it would be an unhandled rejection.
 */
class HostProgress {
  readonly lines: string[] = [];
  title: string;
  #task: HostTaskHandle | undefined;
  #settle!: (outcome: HostOutcome) => void;
  #settled = false;
  readonly outcome: Promise<HostOutcome>;

  constructor(readonly host: string) {
    this.title = `${host}: waiting`;
    this.outcome = new Promise((resolve) => (this.#settle = resolve));
  }

  get settled(): boolean {
    return this.#settled;
  }

  attach(task: HostTaskHandle): void {
    this.#task = task;
    task.title = this.title;
    for (const line of this.lines) task.output = line;
  }

  setTitle(title: string): void {
    this.title = title;
    if (this.#task) this.#task.title = title;
  }

  addLine(line: string): void {
    this.lines.push(line);
    if (this.#task) this.#task.output = line;
  }

  settle(outcome: HostOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle(outcome);
  }
}

/**
 * listr2 only uses its default (redrawing) renderer when `process.stdout` is a TTY; we decide from the
 * stream we were given instead, so output to another terminal stream (or a test's fake TTY) works.
 */
class StreamDefaultRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

function countsTitle(result: HostResult): string {
  const counts = countsFor(result);
  return `${result.host}: ${result.status}  ${STATUS_ORDER.map((k) => `${k}=${counts[k]}`).join(' ')}`;
}

/**
 * Live progress with listr2: one concurrent top-level task per host whose title shows the task in
 * progress and whose output lists finished tasks. listr2 picks its `simple` renderer when the stream
 * is not a TTY. Diffs are printed after the progress display ends, then the recap.
 */
export class TtyReporter implements Reporter {
  readonly #o: ReporterOptions;
  readonly #hosts = new Map<string, HostProgress>();
  readonly #finishedTasks: { host: string; result: TaskResult }[] = [];
  #running: Promise<void> | undefined;
  #listrError: unknown;

  constructor(options: ReporterOptions) {
    this.#o = options;
  }

  #scrub(text: string): string {
    return this.#o.redactor.scrub(text);
  }

  runStarted(hosts: string[], options: { check: boolean; diff: boolean; plays?: string[] }): void {
    for (const h of hosts) this.#hosts.set(h, new HostProgress(h));
    for (const play of options.plays ?? []) this.#o.out.write(`${this.#scrub(`PLAY [${play}]`)}\n`);
    if (options.check) this.#o.out.write('Check mode: nothing will be changed\n');
    const processOutput = new ProcessOutput(
      this.#o.out as NodeJS.WriteStream,
      (this.#o.err ?? this.#o.out) as NodeJS.WriteStream,
    );
    const tasks: ListrTask[] = [...this.#hosts.values()].map((view) => ({
      title: view.title,
      rendererOptions: { outputBar: Infinity, persistentOutput: true },
      task: async (_ctx, task) => {
        view.attach(task);
        const outcome = await view.outcome;
        if (outcome.kind === 'not-started') {
          task.skip(`${view.host}: not started`);
          return;
        }
        const { result } = outcome;
        if (result.status === 'failed' || result.status === 'unreachable') {
          throw new Error(this.#scrub(result.error ?? result.status));
        }
      },
    }));
    const listr = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      // The engine owns Ctrl-C: it rolls back and reports; listr2 must not exit the process.
      registerSignalListeners: false,
      renderer: StreamDefaultRenderer,
      rendererOptions: {
        logger: new ListrLogger({ useIcons: false, processOutput }),
        collapseSubtasks: false,
        collapseErrors: false,
      },
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { logger: new ListrLogger({ useIcons: true, toStderr: [], processOutput }) },
      fallbackRendererCondition: (this.#o.out as Partial<NodeJS.WriteStream>).isTTY !== true,
    });
    this.#running = listr.run().then(
      () => undefined,
      (err: unknown) => {
        this.#listrError = err;
      },
    );
  }

  hostStarted(host: string): void {
    this.#hosts.get(host)?.setTitle(`${host}: starting`);
  }

  taskStarted(host: string, task: string): void {
    this.#hosts.get(host)?.setTitle(this.#scrub(`${host} › ${task}`));
  }

  taskFinished(host: string, result: TaskResult): void {
    this.#finishedTasks.push({ host, result });
    const block = renderTaskResult(host, result, { ...this.#o, diff: false });
    this.#hosts.get(host)?.addLine(this.#scrub(block));
  }

  hostFinished(result: HostResult): void {
    const view = this.#hosts.get(result.host);
    if (!view) return;
    // The host's error becomes the listr2 task's failure message; only the rollback outcome is added.
    const rollback = rollbackLine(result, this.#o.color);
    if (rollback !== undefined) view.addLine(this.#scrub(rollback));
    view.setTitle(countsTitle(result));
    view.settle({ kind: 'finished', result });
  }

  warning(message: string, host?: string): void {
    this.#hostLine(this.#scrub(warningLine(message, host)), host);
  }

  trace(message: string, host: string): void {
    if (this.#o.verbose >= TRACE_VERBOSITY) this.#hostLine(this.#scrub(traceLine(message, host)), host);
  }

  /** Under the host's progress line while it runs, else on the warnings stream. */
  #hostLine(line: string, host?: string): void {
    const view = host ? this.#hosts.get(host) : undefined;
    if (view && !view.settled) view.addLine(line);
    else (this.#o.err ?? this.#o.out).write(`${line}\n`);
  }

  async runFinished(summary: RunSummary): Promise<void> {
    for (const view of this.#hosts.values()) view.settle({ kind: 'not-started' });
    await this.#running;
    const out = this.#o.out;
    if (this.#listrError !== undefined) {
      const message =
        this.#listrError instanceof Error ? this.#listrError.message : JSON.stringify(this.#listrError);
      (this.#o.err ?? out).write(`${this.#scrub(warningLine(`progress display failed: ${message}`))}\n`);
    }
    if (this.#o.diff) out.write(this.#scrub(this.#diffSection()));
    out.write('\n');
    out.write(this.#scrub(renderRecap(summary, this.#o.color)));
  }

  /** Diffs are too long for a live display: they follow it, grouped per host and task. */
  #diffSection(): string {
    const blocks: string[] = [];
    for (const { host, result } of this.#finishedTasks) {
      if (result.changes.length === 0) continue;
      const changes = result.changes.map((c) => renderChange(c, { diff: true, color: this.#o.color }));
      blocks.push([`--- [${host}] ${result.task}`, ...changes].join('\n'));
    }
    return blocks.length > 0 ? `\n${blocks.join('\n\n')}\n` : '';
  }
}
