import { readFileSync } from 'node:fs';
import { Secret } from '../../domain/secret.js';
import { renderTemplateFile } from '../../playbook/template.js';
import { stringOf } from '../../playbook/values.js';
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

/** Content computed from a secret is written as is, and shown nowhere (no diff). */
async function stageContent({ session, args }: ModuleCall, content: Buffer | string | Secret) {
  const secret = content instanceof Secret;
  const bytes = secret ? Buffer.from(content.reveal()) : Buffer.from(content);
  const changes = await stageFiles(session, [
    { path: String(args.dest), content: bytes, secret, ...ownership(session, args) },
  ]);
  return outcome(changes);
}

/** `copy`: a file from `content` or a controller-side `src`, staged for the next transaction. */
export const copyModule: ModuleDefinition = {
  staged: true,
  run(call) {
    const { args } = call;
    const { content } = args;
    if (content === undefined) return stageContent(call, readFileSync(String(args.src)));
    return stageContent(call, content instanceof Secret ? content : stringOf(content));
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
    return stageContent(call, text);
  },
};
