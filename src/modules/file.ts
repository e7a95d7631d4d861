import { z } from 'zod';
import type { RemoteOp } from '../remote/index.js';
import { hostPath, ownershipArgs } from './args.js';
import { defineModule, failure, type Change } from './contract.js';
import { normaliseMode } from './files.js';

/**
 * `file`: a folder (with its parents), an empty file, a removal, or the mode and owner of a path,
 * done at once. Symbolic links are never followed: a link where a mode or owner is to be set is an
 * error naming it.
 */
export const fileModule = defineModule({
  name: 'file',
  summary: 'Folders, empty files, removal, and the mode and owner of a path, done at once.',
  builtin: true,
  runs: 'immediate',
  args: (t) =>
    z.strictObject({
      path: t(hostPath).describe('the path on the host'),
      state: t(z.enum(['file', 'directory', 'absent', 'touch']))
        .default('file')
        .describe(
          'file: an existing file; directory: created with parents; absent: removed; touch: created empty',
        ),
      ...ownershipArgs(t),
    }),
  needs: (_ctx, args) => ({ queries: [{ kind: 'file', path: args.path }] }),
  plan(ctx, { path, state, mode, owner, group }) {
    const fact = ctx.facts.files[path];
    const exists = fact?.exists === true;
    const changes: Change[] = [];
    const ops: RemoteOp[] = [];
    if (state === 'absent') {
      if (exists) {
        changes.push({
          kind: fact.type === 'directory' ? 'directory' : 'file',
          action: 'delete',
          target: path,
          summary: 'remove',
        });
        ops.push({ op: 'remove', path });
      }
      return { changes, actions: ops.length > 0 ? [{ kind: 'ops', ops }] : [] };
    }
    const kind = state === 'directory' ? 'directory' : 'file';
    if (!exists) {
      if (state === 'file')
        return failure(`${path} does not exist (state: file only changes an existing file; use touch)`);
      changes.push({ kind, action: 'create', target: path, summary: 'create' });
      ops.push(state === 'directory' ? { op: 'mkdir', path } : { op: 'touch', path });
    } else if (fact.type === 'link') {
      if (mode !== undefined || owner !== undefined || group !== undefined)
        return failure(
          `${path} is a symbolic link: its mode and owner are not changed through it (give the target's path)`,
        );
    } else if ((state === 'directory') !== (fact.type === 'directory')) {
      return failure(`${path} exists as a ${fact.type}, not a ${kind}`);
    }
    const current = exists && fact.type !== 'link' ? fact : undefined;
    if (mode !== undefined && (!current || normaliseMode(current.mode) !== mode)) {
      changes.push({ kind, action: 'update', target: path, summary: `mode ${mode}` });
      ops.push({ op: 'chmod', path, mode });
    }
    if (
      (owner !== undefined && (!current || current.owner !== owner)) ||
      (group !== undefined && (!current || current.group !== group))
    ) {
      changes.push({ kind, action: 'update', target: path, summary: `owner ${owner ?? ''}:${group ?? ''}` });
      ops.push({
        op: 'chown',
        path,
        ...(owner !== undefined ? { owner } : {}),
        ...(group !== undefined ? { group } : {}),
      });
    }
    return { changes, actions: ops.length > 0 ? [{ kind: 'ops', ops }] : [] };
  },
});
