import type { RollbackResult } from '../remote/index.js';

/** What a rollback did, for the task line (the status itself is data: `result.status`). */
export function describeRollback(result: RollbackResult): string {
  const nginx = result.nginxOutput ? `\n${result.nginxOutput.trim()}` : '';
  switch (result.status) {
    case 'rolled_back':
      return `restored ${result.restoredSnapshots.join(', ')}; nginx ${result.reloaded ? 'reloaded and confirmed' : 'not running'}`;
    case 'no_snapshot':
      return 'no snapshot to roll back to on this host (no apply has changed it yet)';
    case 'locked':
      return 'an apply holds the lock on this host: try again when it has finished';
    case 'validate_failed':
    case 'reload_failed':
      return `the snapshot was refused by nginx (${result.status}); ${result.keptCurrent ? 'the current configuration was kept' : 'CHECK THE HOST'}${nginx}`;
    case 'error':
      return `rollback failed: ${result.messages.join('; ')}${nginx}`;
  }
}
