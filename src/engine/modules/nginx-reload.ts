import { commitStaged } from '../commit-staged.js';
import type { HostSession } from '../host-session.js';
import type { Change } from '../types.js';
import type { ModuleOutcome } from './module.js';
import type { ModuleDefinition } from './module.js';

const RELOAD_CHANGE: Change = {
  kind: 'reload',
  action: 'reload',
  target: 'nginx',
  summary: 'nginx -t on the candidate, swap, reload, confirm the new configuration is live',
};

/**
 * Makes everything staged live in one transaction and reloads nginx (or starts it when stopped).
 * Check mode reports what would happen and touches nothing.
 */
export async function activate(session: HostSession, reload: boolean): Promise<ModuleOutcome> {
  if (session.check) {
    return {
      status: 'changed',
      changes: reload ? [RELOAD_CHANGE] : [],
      warnings: [],
      message: 'check mode: not activated',
    };
  }
  const hadFiles = !session.staged.empty;
  const { result, message } = await commitStaged(session, reload);
  const ok = result.status === 'committed' || result.status === 'unchanged';
  if (!ok) return { status: 'failed', changes: [], warnings: [], message };
  const changes: Change[] = [];
  if (result.reloaded || result.started) {
    changes.push({ ...RELOAD_CHANGE, action: result.started ? 'start' : 'reload', summary: message });
  }
  if (hadFiles && changes.length === 0 && result.status === 'committed') {
    changes.push({ kind: 'file', action: 'update', target: session.confPrefix, summary: message });
  }
  return { status: changes.length > 0 ? 'changed' : 'ok', changes, warnings: [], message };
}

/** `nginx_reload`, the WSO2 procedure's handler: validate, activate, reload, confirm. */
export const nginxReload: ModuleDefinition = {
  staged: true,
  run({ session }) {
    return activate(session, true);
  },
};
