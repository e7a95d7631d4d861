import { z } from 'zod';
import { boolish } from './args.js';
import { defineModule, failure } from './contract.js';
import { describeRestart, nodeRuntime } from './apim-node.js';

/**
 * `apim_node_restart`, the node play's handler: the staged node files go live in one transaction on
 * the node (snapshot, atomic swap, restart the way the node is started, as its own user, wait until
 * it answers; the previous files restored and the node restarted with them on any failure). With
 * `rolling` (default), one node at a time restarts in each role group, so an HA pair never goes
 * down together, and a failed restart stops the others of its groups before they change anything.
 */
export const apimNodeRestart = defineModule({
  name: 'apim_node_restart',
  summary:
    'Makes the staged node files live and restarts API-M, healthy or put back, one node per role group at a time.',
  runs: 'staged',
  activates: true,
  transaction: 'apim-node',
  args: (t) =>
    z.strictObject({
      rolling: t(boolish)
        .default(true)
        .describe('one node at a time in each role group (an HA pair never goes down together)'),
    }),
  plan(ctx, { rolling }) {
    const rt = nodeRuntime(ctx);
    if (typeof rt === 'string') return failure(rt);
    return {
      changes: [
        { kind: 'service', action: 'restart', target: rt.home, summary: describeRestart(rt.restart) },
      ],
      actions: [
        {
          kind: 'restart',
          restart: rt.restart,
          exclusive: rolling ? rt.node.plan.roles.map((role) => `apim_${role}`) : [],
        },
      ],
      // The node's warnings were shown by its config task.
      warnings: [],
    };
  },
});
