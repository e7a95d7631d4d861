import { commitNode } from './commit-node.js';
import { commitStaged } from './commit-staged.js';
import type { HostSession } from './host-session.js';
import { failedOutcome, type TaskOutcome } from './task-outcome.js';
import type { Change } from './types.js';

/**
 * Makes everything staged (and the records of the modules that ran) live in one transaction on
 * the host; `reload`: and reloads nginx (or starts it when stopped), confirmed. What happened comes
 * from the host's records, as data.
 */
export async function activate(session: HostSession, reload: boolean): Promise<TaskOutcome> {
  // An API-M node restarts only through its restart handler (which knows how): here files go live.
  if (session.kind.transaction === 'apim-node') return commitNode(session);
  const { result, outcome, message } = await commitStaged(session, reload);
  if (result.status !== 'committed' && result.status !== 'unchanged') {
    return { ...failedOutcome(message), transaction: outcome };
  }
  const changes: Change[] = [];
  if (result.reloaded || result.started) {
    changes.push({
      kind: 'reload',
      action: result.started ? 'start' : 'reload',
      target: 'nginx',
      summary: message,
    });
  }
  return {
    status: changes.length > 0 ? 'changed' : 'ok',
    changes,
    warnings: [],
    message,
    transaction: outcome,
  };
}
