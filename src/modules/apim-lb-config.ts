import { z } from 'zod';
import { defineModule, failure } from './contract.js';
import { notALoadBalancer, planLoadBalancer } from './lb-plan.js';

/**
 * `apim_lb_config`: the pattern's conf.d file and the log folders nginx needs but does not create.
 * It manages the conf.d file: when the pattern's file name changes, the old one is retired.
 */
export const apimLbConfig = defineModule({
  name: 'apim_lb_config',
  summary: "The deployment pattern's conf.d file and its log folders.",
  runs: 'staged',
  args: () => z.strictObject({}),
  plan(ctx) {
    const lbPlan = planLoadBalancer(ctx);
    if (!lbPlan) return failure(notALoadBalancer(ctx.host.name));
    const { rendered, decision } = lbPlan;
    return {
      changes: [],
      actions: [
        ...rendered.directories.map((path) => ({
          kind: 'stage-directory' as const,
          directory: { path, mode: '0755', owner: 'root', group: 'root' },
        })),
        {
          kind: 'stage-file',
          file: {
            path: rendered.path,
            content: Buffer.from(rendered.content),
            mode: '0644',
            owner: 'root',
            group: 'root',
            secret: false,
          },
        },
      ],
      warnings: [...decision.warnings, ...rendered.warnings],
      manages: [rendered.path],
    };
  },
});
