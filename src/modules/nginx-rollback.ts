import { z } from 'zod';
import { defineModule, failure } from './contract.js';

const SNAPSHOT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * `nginx_rollback`, what `apim-provision rollback` runs: the newest snapshot (or every snapshot
 * back to the one named) restored, validated with nginx -t, reloaded and confirmed; a rollback
 * nginx refuses puts the current files back.
 */
export const nginxRollback = defineModule({
  name: 'nginx_rollback',
  summary: 'Restores the configuration before the last change (or a named snapshot), confirmed.',
  runs: 'immediate',
  transaction: 'nginx',
  args: (t) =>
    z.strictObject({
      snapshot: t(z.string().regex(SNAPSHOT_ID, 'is not a snapshot id (letters, digits, . _ -)'))
        .optional()
        .describe('the snapshot to go back to (default: the newest)'),
    }),
  plan(ctx, { snapshot }) {
    if (!ctx.facts.nginx) return failure('nginx is not installed: nothing to roll back');
    const snapshots = ctx.facts.state.snapshots;
    if (snapshots.length === 0)
      return failure('no snapshot to roll back to on this host (no apply has changed it yet)');
    if (snapshot !== undefined && !snapshots.includes(snapshot))
      return failure(`no snapshot ${snapshot} on this host (it has: ${snapshots.join(', ')})`);
    const target = snapshot ?? snapshots.at(-1) ?? '';
    const undone = snapshots.slice(snapshots.indexOf(target)).reverse();
    return {
      changes: [
        {
          kind: 'reload',
          action: 'reload',
          target: 'nginx',
          summary: `restore snapshot(s) ${undone.join(', ')}, nginx -t, reload, confirm`,
        },
      ],
      actions: [{ kind: 'rollback', ...(snapshot !== undefined ? { snapshotId: snapshot } : {}) }],
    };
  },
});
