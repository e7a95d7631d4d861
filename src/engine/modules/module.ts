import type { Task } from '../../playbook/types.js';
import type { HostSession } from '../host-session.js';
import type { Change } from '../types.js';

export interface ModuleOutcome {
  status: 'ok' | 'changed' | 'skipped' | 'failed';
  changes: Change[];
  message?: string;
  warnings: string[];
}

export interface ModuleCall {
  session: HostSession;
  task: Task;
  /** Arguments with every `{{ }}` rendered for this host. */
  args: Record<string, unknown>;
  vars: Record<string, unknown>;
}

export interface ModuleDefinition {
  /**
   * Staged modules only plan file changes; the changes go live in the next transaction (flush).
   * Immediate modules act at once, so staged changes are flushed before they run.
   */
  staged: boolean;
  run(call: ModuleCall): Promise<ModuleOutcome>;
}

export function outcome(changes: Change[], warnings: string[] = [], message?: string): ModuleOutcome {
  return {
    status: changes.length > 0 ? 'changed' : 'ok',
    changes,
    warnings,
    ...(message ? { message } : {}),
  };
}

export function failed(message: string, warnings: string[] = []): ModuleOutcome {
  return { status: 'failed', changes: [], message, warnings };
}
