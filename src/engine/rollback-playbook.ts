import type { Playbook } from '../playbook/index.js';

export const ROLLBACK_TASK = 'Restore the last good configuration';

/**
 * `apim-provision rollback` as a playbook of one task (nginx_rollback) on the load balancers, so it
 * runs through the same per-host runner as `apply`: become and -K, forks, --limit, known hosts,
 * the recap and JSON.
 */
export function rollbackPlaybook(inventoryFile: string, snapshotId?: string): Playbook {
  const loc = { file: inventoryFile, line: 1, column: 1 };
  return {
    file: inventoryFile,
    plays: [
      {
        name: 'rollback',
        hosts: 'loadbalancers',
        vars: {},
        tasks: [
          {
            name: ROLLBACK_TASK,
            module: 'nginx_rollback',
            args: snapshotId ? { snapshot: snapshotId } : {},
            notify: [],
            tags: [],
            loc,
          },
        ],
        handlers: [],
        anyErrorsFatal: false,
        tags: [],
        loc,
      },
    ],
  };
}
