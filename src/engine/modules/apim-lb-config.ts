import { planLoadBalancer } from '../lb-plan.js';
import { failed, outcome, type ModuleDefinition } from './module.js';
import { stageFiles } from './stage-files.js';

/** The pattern's conf.d file, the files it refers to, and the log folders nginx needs but does not create. */
export const apimLbConfig: ModuleDefinition = {
  staged: true,
  async run({ session }) {
    if (!session.loadBalancer) return failed(`${session.host.name} is not in the loadbalancers group`);
    const plan = planLoadBalancer(session);
    const { rendered, decision } = plan;
    // The conf.d file and what it refers to (the nodes' trusted CA): managed, so dropped with it.
    const files = [{ path: rendered.path, content: rendered.content, mode: '0644' }, ...rendered.files];
    for (const f of files) session.managedPaths.add(f.path);
    const changes = await stageFiles(
      session,
      files.map((f) => ({
        path: f.path,
        content: Buffer.from(f.content),
        mode: f.mode,
        owner: 'root',
        group: 'root',
        secret: false,
      })),
      rendered.directories.map((path) => ({ path, mode: '0755', owner: 'root', group: 'root' })),
    );
    return outcome(changes, [...decision.warnings, ...rendered.warnings]);
  },
};
