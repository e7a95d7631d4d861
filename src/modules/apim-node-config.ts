import { z } from 'zod';
import { applyFilePlan, maskSecretValues, NodeFileError, type SettingChange } from '../nodes/index.js';
import { defineModule, failure, type Action } from './contract.js';
import { nodeRuntime, onNode } from './apim-node.js';

function describeChange(path: string, c: SettingChange): string {
  return `${path}: ${c.label} ${c.before === undefined ? 'added' : `${c.before} ->`} ${JSON.stringify(c.after)}`;
}

/**
 * `apim_node_config`: the settings an API-M node must hold so that it agrees with the load
 * balancers in front of it (its public hostname and proxy ports, the gateway URLs it advertises,
 * the service URLs through the load balancer's names), derived from the same plan as their conf.d
 * files. Edited in place (comments, order and every other key kept; nothing removed), each file
 * keeping its owner and mode; the node transaction makes them live and restarts the node.
 */
export const apimNodeConfig = defineModule({
  name: 'apim_node_config',
  summary: "An API-M node's settings that must agree with its load balancers, edited in place.",
  runs: 'staged',
  transaction: 'apim-node',
  args: () => z.strictObject({}),
  needs(ctx) {
    const rt = nodeRuntime(ctx);
    if (typeof rt === 'string') return {};
    const paths = rt.node.plan.files.map((f) => onNode(rt.home, f.path));
    return {
      queries: paths.flatMap((path) => [
        { kind: 'file' as const, path },
        { kind: 'content' as const, path },
      ]),
    };
  },
  plan(ctx) {
    const rt = nodeRuntime(ctx);
    if (typeof rt === 'string') return failure(rt);
    const actions: Action[] = [];
    const notes: string[] = [];
    const warnings = [...rt.warnings, ...rt.node.plan.warnings];
    for (const file of rt.node.plan.files) {
      const path = onNode(rt.home, file.path);
      const content = ctx.facts.contents[path];
      const fact = ctx.facts.files[path];
      if (!content || !fact?.exists || fact.type !== 'file') {
        if (file.optional) {
          notes.push(`${path}: absent, left alone (a portal this node does not run)`);
          continue;
        }
        return failure(
          `${path} is missing on the node (is ${rt.home} an API-M ${rt.node.plan.version} home?)`,
        );
      }
      const text = content.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(content))
        return failure(`${path} is not UTF-8 text: edit it by hand, nothing was changed`);
      let edited;
      try {
        edited = applyFilePlan(file, text);
      } catch (e) {
        if (e instanceof NodeFileError) return failure(`${rt.home}/${e.message}`);
        throw e;
      }
      for (const s of edited.skipped) warnings.push(`${path}: ${s.label} not set (${s.why})`);
      notes.push(...edited.changes.map((c) => describeChange(path, c)));
      if (edited.text === text) continue;
      actions.push({
        kind: 'stage-file',
        file: {
          path,
          content: Buffer.from(edited.text, 'utf8'),
          // The file keeps its owner and mode: API-M reads it as its own user.
          mode: fact.mode,
          owner: fact.owner,
          group: fact.group,
          secret: false,
          diffFilter: maskSecretValues,
        },
      });
    }
    return {
      changes: [],
      actions,
      warnings,
      ...(notes.length > 0 ? { message: notes.join('\n') } : {}),
    };
  },
});
