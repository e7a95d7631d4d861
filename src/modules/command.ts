import { split } from 'shlex';
import { z } from 'zod';
import type { RemoteOp } from '../remote/index.js';
import { hostPath, nonEmpty, type Templatable } from './args.js';
import { defineModule, nothingToDo, type ModuleContext, type ModulePlan, type Needs } from './contract.js';

/** `creates`, `removes` and `chdir`, shared with `shell`. */
export function guardArgs(t: Templatable) {
  return {
    creates: t(hostPath).optional().describe('not run when this path exists'),
    removes: t(hostPath).optional().describe('not run unless this path exists'),
    chdir: t(hostPath).optional().describe('run in this folder'),
  };
}

export function guardNeeds(args: { creates?: string | undefined; removes?: string | undefined }): Needs {
  return {
    queries: [args.creates, args.removes].flatMap((path) => (path ? [{ kind: 'file' as const, path }] : [])),
  };
}

/** Runs `op` unless `creates` exists or `removes` does not; always "changed" when it runs. */
export function guarded(
  ctx: ModuleContext,
  args: { creates?: string | undefined; removes?: string | undefined },
  target: string,
  op: RemoteOp,
): ModulePlan {
  const exists = (p: string) => ctx.facts.files[p]?.exists === true;
  if (args.creates !== undefined && exists(args.creates))
    return nothingToDo(`skipped: ${args.creates} exists`);
  if (args.removes !== undefined && !exists(args.removes))
    return nothingToDo(`skipped: ${args.removes} does not exist`);
  return {
    changes: [{ kind: 'command', action: 'run', target, summary: 'run' }],
    actions: [{ kind: 'ops', ops: [op] }],
  };
}

/**
 * `command`: a program and its arguments, run without a shell (as Ansible's): `cmd` is split into
 * words like a shell would (quotes, backslashes) but nothing in it is ever interpreted, or `argv`
 * lists them. Not run in check mode, and not run at all when `creates` exists or `removes` does not.
 */
export const commandModule = defineModule({
  name: 'command',
  summary: 'A program with its arguments, run without a shell; skipped in check mode.',
  builtin: true,
  runs: 'immediate',
  unpredictable: true,
  freeForm: true,
  args: (t) =>
    z
      .strictObject({
        cmd: t(nonEmpty).optional().describe('the command line, split into words (no shell features)'),
        argv: z.array(t(z.string())).min(1).optional().describe('the program and its arguments, as a list'),
        ...guardArgs(t),
      })
      .superRefine((args, ctx) => {
        if ((args.cmd === undefined) === (args.argv === undefined)) {
          ctx.addIssue({
            code: 'custom',
            message: 'needs exactly one of cmd or argv',
            params: { fix: 'give the command as a string (command: ls -l), or as a list with argv:' },
          });
        }
      }),
  needs: (_ctx, args) => guardNeeds(args),
  plan(ctx, args) {
    const argv = args.argv ?? split(args.cmd ?? '');
    if (argv.length === 0) return nothingToDo('empty command');
    const target = args.cmd ?? argv.join(' ');
    return guarded(ctx, args, target, { op: 'exec', argv, ...(args.chdir ? { chdir: args.chdir } : {}) });
  },
});
