import { evaluateWhen, renderArgs } from '../playbook/template.js';
import type { Play, Task } from '../playbook/types.js';
import type { HostSession } from './host-session.js';
import { templateVars } from './host-vars.js';
import { MODULES } from './module-registry.js';
import type { ModuleOutcome } from './modules/module.js';
import { activate } from './modules/nginx-reload.js';
import { taskSelected } from './task-filter.js';
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
 * end. A failed task stops this host, and what it had staged never goes live.
 */
export async function runPlayOnHost(
  play: Play,
  session: HostSession,
  observer: RunObserver,
): Promise<PlayOnHostResult> {
  const results: TaskResult[] = [];
  const host = session.host.name;
  const vars = templateVars(session, play);
  const notified = new Set<string>();
  const reloadHandlers = play.handlers.filter((h) => h.module === 'nginx_reload');
  if (session.pendingReload && reloadHandlers[0]) {
    observer.warning('a previous run was interrupted before nginx was reloaded: the reload runs now', host);
    notified.add(reloadHandlers[0].name);
  }

  const record = (task: Task, o: ModuleOutcome, started: number): TaskResult => {
    const result: TaskResult = {
      task: task.name,
      module: task.module,
      status: o.status,
      changes: o.changes,
      durationMs: Date.now() - started,
      warnings: o.warnings,
      ...(o.message !== undefined ? { message: o.message } : {}),
    };
    results.push(result);
    observer.taskFinished(host, result);
    return result;
  };

  const run = async (task: Task): Promise<TaskResult> => {
    const started = Date.now();
    observer.taskStarted(host, task.name);
    try {
      if (task.when && !evaluateWhen(task.when, vars, { ...task.loc, task: task.name })) {
        return record(
          task,
          { status: 'skipped', changes: [], warnings: [], message: `when: ${task.when}` },
          started,
        );
      }
      const def = MODULES[task.module];
      const args = renderArgs(task.args, vars, { ...task.loc, task: task.name });
      return record(task, await def.run({ session, task, args, vars }), started);
    } catch (err) {
      return record(
        task,
        { status: 'failed', changes: [], warnings: [], message: (err as Error).message },
        started,
      );
    }
  };

  /** Commits what is staged; the reload runs now when a staged change notified a reload handler. */
  const flush = async (): Promise<TaskResult | undefined> => {
    if (session.staged.empty) return undefined;
    const handler = reloadHandlers.find((h) => isNotified(h, session.staged.notified));
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

  for (const task of play.tasks) {
    if (session.options.signal.aborted) return { tasks: results, failed: false, interrupted: true };
    if (!taskSelected(play, task, session.options.tags, session.options.skipTags)) continue;
    const def = MODULES[task.module];
    if (!def.staged && !session.check) {
      const flushed = await flush();
      if (flushed?.status === 'failed') return { tasks: results, failed: true, interrupted: false };
    }
    const result = await run(task);
    if (result.status === 'failed') return { tasks: results, failed: true, interrupted: false };
    if (result.status === 'changed') {
      for (const n of task.notify) (def.staged ? session.staged.notified : notified).add(n);
    }
  }
  for (const n of session.staged.notified) notified.add(n);

  if (session.options.signal.aborted && !session.check) {
    // Ctrl-C: what is staged was never live; leave the host exactly as it was.
    return { tasks: results, failed: false, interrupted: true };
  }
  for (const handler of play.handlers) {
    if (!isNotified(handler, notified)) continue;
    if (handler.module !== 'nginx_reload' && !session.check) {
      const flushed = await flush();
      if (flushed?.status === 'failed') return { tasks: results, failed: true, interrupted: false };
    }
    const result = await run(handler);
    if (result.status === 'failed') return { tasks: results, failed: true, interrupted: false };
  }
  if (!session.check) {
    const flushed = await flush();
    if (flushed?.status === 'failed') return { tasks: results, failed: true, interrupted: false };
  }
  return { tasks: results, failed: false, interrupted: false };
}

function handlerNames(h: Task): string[] {
  return [h.name, ...(h.listen ?? [])];
}

function isNotified(h: Task, notified: Set<string>): boolean {
  return handlerNames(h).some((n) => notified.has(n));
}
