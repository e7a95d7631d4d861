import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { pyJsonDumps } from '../domain/python-json.js';
import { pyStr } from '../domain/python-repr.js';
import { Secret } from '../domain/secret.js';
import { PyFloat } from '../domain/tagged-values.js';
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

/** What `content:` may be: text, or a value Ansible writes as text (a number, a boolean, a list, a mapping). */
const contentValue = z.custom<unknown>(
  (v) =>
    ['string', 'number', 'boolean'].includes(typeof v) ||
    v instanceof PyFloat ||
    Array.isArray(v) ||
    (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype),
  { error: 'must be text (or a number, boolean, list or mapping, written as Ansible writes them)' },
);

/**
 * The file body Ansible's copy writes for `content`: a list or mapping as json.dumps writes it
 * (`[1, 2.0, "\u00e9"]`), anything else as Python's str() (`True`, `2.0`).
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content) || (typeof content === 'object' && !(content instanceof PyFloat)))
    return pyJsonDumps(content, { ensureAscii: true });
  return pyStr(content);
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
        content: t(contentValue)
          .optional()
          .describe(
            'the file body; a list or mapping is written as JSON, a number or boolean as Python prints it',
          ),
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
        ? Buffer.from(contentText(args.content))
        : readFileSync(localSource(ctx, args.src ?? '', 'files'));
    return stageContent(ctx, args, content);
  },
});
