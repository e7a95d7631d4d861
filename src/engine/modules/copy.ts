import { readFileSync } from 'node:fs';
import { renderTemplateFile } from '../../playbook/template.js';
import type { HostSession } from '../host-session.js';
import { outcome, type ModuleCall, type ModuleDefinition } from './module.js';
import { stageFiles } from './stage-files.js';

function ownership(session: HostSession, args: Record<string, unknown>) {
  const defaultOwner = session.become ? session.host.connection.becomeUser : session.facts.user.name;
  return {
    mode: String(args.mode ?? '0644'),
    owner: String(args.owner ?? defaultOwner),
    group: String(args.group ?? args.owner ?? defaultOwner),
  };
}

async function stageContent({ session, args }: ModuleCall, content: Buffer) {
  const changes = await stageFiles(session, [
    { path: String(args.dest), content, secret: false, ...ownership(session, args) },
  ]);
  return outcome(changes);
}

/** `copy`: a file from `content` or a controller-side `src`, staged for the next transaction. */
export const copyModule: ModuleDefinition = {
  staged: true,
  run(call) {
    const { args } = call;
    const content =
      args.content !== undefined ? Buffer.from(String(args.content)) : readFileSync(String(args.src));
    return stageContent(call, content);
  },
};

/** `template`: a nunjucks (Jinja2) file rendered with the host's variables, then like `copy`. */
export const templateModule: ModuleDefinition = {
  staged: true,
  run(call) {
    const text = renderTemplateFile(String(call.args.src), call.vars, {
      ...call.task.loc,
      task: call.task.name,
    });
    return stageContent(call, Buffer.from(text));
  },
};
