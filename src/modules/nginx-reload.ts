import { z } from 'zod';
import { defineModule } from './contract.js';

/**
 * `nginx_reload`, the WSO2 procedure's handler: everything staged goes live in one transaction on
 * the host (candidate validated with nginx -t, snapshot, swap, reload or start, confirmed; rolled
 * back on any failure).
 */
export const nginxReload = defineModule({
  name: 'nginx_reload',
  summary: 'Makes the staged files live in one transaction and reloads nginx, confirmed.',
  runs: 'staged',
  transaction: 'nginx',
  activates: true,
  args: () => z.strictObject({}),
  plan() {
    return {
      changes: [
        {
          kind: 'reload',
          action: 'reload',
          target: 'nginx',
          summary: 'nginx -t on the candidate, swap, reload, confirm the new configuration is live',
        },
      ],
      actions: [{ kind: 'activate', reload: true }],
    };
  },
});
