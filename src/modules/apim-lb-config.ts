import { z } from 'zod';
import { defineModule, failure } from './contract.js';
import { notALoadBalancer, planLoadBalancer } from './lb-plan.js';

/**
 * `apim_lb_config`: the pattern's conf.d file, the files it refers to (the nodes' trusted CA), and
 * the log folders nginx needs but does not create. It manages those files: when the pattern's file
 * name changes, or upstream verification is turned off, the old ones are retired.
 */
export const apimLbConfig = defineModule({
  name: 'apim_lb_config',
  summary: "The deployment pattern's conf.d file, the files it refers to, and its log folders.",
  runs: 'staged',
  transaction: 'nginx',
  args: () => z.strictObject({}),
  plan(ctx) {
    const lbPlan = planLoadBalancer(ctx);
    if (!lbPlan) return failure(notALoadBalancer(ctx.host.name));
    const { rendered, decision, nginxVersion, versionKnown } = lbPlan;
    const files = [{ path: rendered.path, content: rendered.content, mode: '0644' }, ...rendered.files];
    return {
      changes: [],
      actions: [
        ...rendered.directories.map((path) => ({
          kind: 'stage-directory' as const,
          directory: { path, mode: '0755', owner: 'root', group: 'root' },
        })),
        ...files.map((f) => ({
          kind: 'stage-file' as const,
          file: {
            path: f.path,
            content: Buffer.from(f.content),
            mode: f.mode,
            owner: 'root',
            group: 'root',
            secret: false,
          },
        })),
      ],
      warnings: [...decision.warnings, ...rendered.warnings],
      // The conf.d file and what it refers to (the nodes' trusted CA): retired with it.
      manages: files.map((f) => f.path),
      nginx: { decision, version: nginxVersion, versionKnown, confPath: rendered.path },
    };
  },
});
