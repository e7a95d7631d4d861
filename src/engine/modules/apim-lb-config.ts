import { planLoadBalancer } from '../lb-plan.js';
import { failed, outcome, type ModuleDefinition } from './module.js';
import { stageFiles } from './stage-files.js';

/** The pattern's conf.d file and the log folders nginx needs but does not create. */
export const apimLbConfig: ModuleDefinition = {
  staged: true,
  async run({ session }) {
    if (!session.loadBalancer) return failed(`${session.host.name} is not in the loadbalancers group`);
    const plan = planLoadBalancer(session);
    const { rendered, decision } = plan;
    session.managedPaths.add(rendered.path);
    const changes = await stageFiles(
      session,
      [
        {
          path: rendered.path,
          content: Buffer.from(rendered.content),
          mode: '0644',
          owner: 'root',
          group: 'root',
          secret: false,
        },
      ],
      rendered.directories.map((path) => ({ path, mode: '0755', owner: 'root', group: 'root' })),
    );
    return outcome(changes, [...decision.warnings, ...rendered.warnings]);
  },
};
