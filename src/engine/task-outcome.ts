import type { Change, TaskResult } from './types.js';

/** A task's result before the run adds its name, module and duration. */
export type TaskOutcome = Omit<TaskResult, 'task' | 'module' | 'durationMs'>;

export function outcomeOf(changes: Change[], warnings: string[] = [], message?: string): TaskOutcome {
  return {
    status: changes.length > 0 ? 'changed' : 'ok',
    changes,
    warnings,
    ...(message ? { message } : {}),
  };
}

export function failedOutcome(message: string, warnings: string[] = [], changes: Change[] = []): TaskOutcome {
  return { status: 'failed', changes, message, warnings };
}
