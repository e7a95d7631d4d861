import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { Secret } from '../domain/secret.js';
import { hostPath, nonEmpty, ownershipArgs } from './args.js';
import { defineModule, type ModuleContext, type ModulePlan } from './contract.js';

/**
 * What `copy` and `template` write: one file, staged for the next transaction. Content computed from
 * a secret (a Secret from templating) is written as it is and shown nowhere: no diff, no content.
 */
export function stageContent(
  ctx: ModuleContext,
  args: { dest: string; mode?: string | undefined; owner?: string | undefined; group?: string | undefined },
  content: Buffer | Secret,
): ModulePlan {
  const owner = args.owner ?? ctx.defaultOwner;
  return {
    changes: [],
    actions: [
      {
        kind: 'stage-file',
        file: {
          path: args.dest,
          content: content instanceof Secret ? Buffer.from(content.reveal()) : content,
          mode: args.mode ?? '0644',
          owner,
          group: args.group ?? owner,
          secret: content instanceof Secret,
        },
      },
    ],
  };
}

/**
 * A controller-side `src`: the loader resolved a literal one already; a templated one is looked up
 * after rendering the same way (in `folder` next to the playbook, then the playbook's own folder).
 */
export function localSource(ctx: ModuleContext, src: string, folder: string): string {
  if (isAbsolute(src)) return src;
  const base = dirname(ctx.task.loc.file);
  const candidates = [join(base, folder, src), join(base, src)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`src file not found: ${src} (looked for ${candidates.join(', ')})`);
  return found;
}

/** `copy`: a file from `content` or a controller-side `src`, staged for the next transaction. */
export const copyModule = defineModule({
  name: 'copy',
  summary: 'A file from inline content or a controller file, written in the transaction.',
  builtin: true,
  runs: 'staged',
  src: { folder: 'files', template: false },
  args: (t) =>
    z
      .strictObject({
        dest: t(hostPath).describe('the file on the host'),
        content: t(z.string({ error: 'must be a string' }))
          .optional()
          .describe('the file body'),
        src: t(nonEmpty)
          .optional()
          .describe('a controller file (relative: files/ next to the playbook, then the playbook folder)'),
        ...ownershipArgs(t),
      })
      .superRefine((args, ctx) => {
        if ((args.content === undefined) === (args.src === undefined)) {
          ctx.addIssue({
            code: 'custom',
            message: 'needs exactly one of content or src',
            params: {
              fix: 'give the file body inline with content, or a controller file with src (relative to the playbook)',
            },
          });
        }
      }),
  plan(ctx, args) {
    const content =
      args.content !== undefined
        ? Buffer.from(args.content)
        : readFileSync(localSource(ctx, args.src ?? '', 'files'));
    return stageContent(ctx, args, content);
  },
});
