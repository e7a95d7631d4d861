import { moduleNamed } from '../modules/index.js';
import type { Play, Task } from '../playbook/index.js';
import { activate } from './activate.js';
import type { HostSession } from './host-session.js';
import { templateVars } from './host-vars.js';
import { runTask } from './run-task.js';
import { taskSelected } from './task-filter.js';
import type { TaskOutcome } from './task-outcome.js';
import type { RunObserver, TaskResult } from './types.js';

export interface PlayOnHostResult {
  tasks: TaskResult[];
  failed: boolean;
  /** Interrupted before every task ran (Ctrl-C): nothing new was started after the signal. */
  interrupted: boolean;
}

const ACTIVATE_TASK = 'Activate staged files (nginx -t, swap)';

/**
 * Runs one play's tasks and notified handlers on one host. File changes are staged and go live
 * in one transaction: before a task that acts on the host at once, and for the handlers at the
 * end. A failed task stops this host, and what it had staged never goes live. Check mode is
 * decided here and in runTask only: modules never see it.
 */
export async function runPlayOnHost(
  play: Play,
  session: HostSession,
  observer: RunObserver,
): Promise<PlayOnHostResult> {
  const results: TaskResult[] = [];
  const host = session.host.name;
  const check = session.options.check;
  const vars = templateVars(session, play);
  const notified = new Set<string>();
  const activating = play.handlers.filter((h) => moduleNamed(h.module).activates === true);
  if (session.pendingReload && activating[0]) {
    observer.warning('a previous run was interrupted before nginx was reloaded: the reload runs now', host);
    notified.add(activating[0].name);
  }

  const record = (task: Task, o: TaskOutcome, started: number): TaskResult => {
    const result: TaskResult = {
      task: task.name,
      module: task.module,
      durationMs: Date.now() - started,
      ...o,
    };
    results.push(result);
    observer.taskFinished(host, result);
    return result;
  };

  const run = async (task: Task): Promise<TaskResult> => {
    const started = Date.now();
    observer.taskStarted(host, task.name);
    try {
      return record(task, await runTask(session, task, vars), started);
    } catch (err) {
      return record(
        task,
        { status: 'failed', changes: [], warnings: [], message: (err as Error).message },
        started,
      );
    }
  };

  /**
   * Commits what is staged (and records that changed); the reload runs now when a staged change
   * notified an activating handler.
   */
  const flush = async (): Promise<TaskResult | undefined> => {
    if (check || (session.staged.empty && !session.recordsChanged)) return undefined;
    const handler = activating.find((h) => isNotified(h, session.staged.notified));
    const task: Task = handler ?? {
      name: ACTIVATE_TASK,
      module: 'nginx_reload',
      args: {},
      notify: [],
      tags: [],
      loc: play.loc,
    };
    const started = Date.now();
    observer.taskStarted(host, task.name);
    if (handler) for (const n of handlerNames(handler)) notified.delete(n);
    return record(task, await activate(session, handler !== undefined), started);
  };
  const failedAt = () => ({ tasks: results, failed: true, interrupted: false });

  for (const task of play.tasks) {
    if (session.options.signal.aborted) return { tasks: results, failed: false, interrupted: true };
    if (!taskSelected(play, task, session.options.tags, session.options.skipTags)) continue;
    const def = moduleNamed(task.module);
    if (def.runs === 'immediate' && (await flush())?.status === 'failed') return failedAt();
    const result = await run(task);
    if (result.status === 'failed') return failedAt();
    if (result.status === 'changed') {
      for (const n of task.notify) (def.runs === 'staged' ? session.staged.notified : notified).add(n);
    }
  }
  for (const n of session.staged.notified) notified.add(n);

  if (session.options.signal.aborted && !check) {
    // Ctrl-C: what is staged was never live; leave the host exactly as it was.
    return { tasks: results, failed: false, interrupted: true };
  }
  for (const handler of play.handlers) {
    if (!isNotified(handler, notified)) continue;
    if (!moduleNamed(handler.module).activates && (await flush())?.status === 'failed') return failedAt();
    if ((await run(handler)).status === 'failed') return failedAt();
  }
  if ((await flush())?.status === 'failed') return failedAt();
  return { tasks: results, failed: false, interrupted: false };
}

function handlerNames(h: Task): string[] {
  return [h.name, ...(h.listen ?? [])];
}

function isNotified(h: Task, notified: Set<string>): boolean {
  return handlerNames(h).some((n) => notified.has(n));
}
