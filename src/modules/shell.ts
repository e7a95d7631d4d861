import { z } from 'zod';
import { nonEmpty } from './args.js';
import { guardArgs, guardNeeds, guarded } from './command.js';
import { defineModule } from './contract.js';

/**
 * `shell`: a script run by `sh -c` on the host, pipes and variables included: the one module whose
 * argument is shell text, because that is what it is asked for. Like `command` otherwise.
 */
export const shellModule = defineModule({
  name: 'shell',
  summary: 'A shell script run with sh -c; skipped in check mode.',
  builtin: true,
  runs: 'immediate',
  unpredictable: true,
  freeForm: true,
  args: (t) =>
    z.strictObject({
      cmd: t(nonEmpty).describe('the script'),
      ...guardArgs(t),
    }),
  needs: (_ctx, args) => guardNeeds(args),
  plan(ctx, args) {
    return guarded(ctx, args, args.cmd, {
      op: 'shell',
      script: args.cmd,
      ...(args.chdir ? { chdir: args.chdir } : {}),
    });
  },
});
