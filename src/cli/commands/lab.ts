import type { CommandModule } from 'yargs';
import { LAB_PATTERNS, type LabPattern } from '../../lab/types.js';
import type { LabArgs } from './lab-actions.js';

// The whole procedure: the load balancer and the API-M node behind it (a 4.x all-in-one stand-in).
const DEFAULT_PATTERN: LabPattern = 'nodes-4x-single-node';

/** `runCli` runs another command line of this CLI (the demo's `apply`) and returns its exit code. */
export function labCommand(
  setCode: (c: number) => void,
  runCli: (argv: string[]) => Promise<number>,
): CommandModule<object, LabArgs> {
  return {
    command: 'lab <action>',
    describe: 'The Vagrant test lab: up, down, status, inventory (write one for a pattern), demo',
    builder: (y) =>
      y
        .positional('action', {
          choices: ['up', 'down', 'status', 'inventory', 'demo'] as const,
          demandOption: true,
        })
        .option('pattern', { choices: LAB_PATTERNS, default: DEFAULT_PATTERN })
        .option('lb', { type: 'string', describe: 'load balancer machine (default: lb-bookworm)' })
        .option('plus', {
          type: 'boolean',
          default: false,
          describe: 'use the stand-in NGINX Plus repository (lb-sid)',
        }),
    // The lab's driver (Vagrant, execa) is loaded only for a lab command.
    handler: async (args) => setCode(await (await import('./lab-actions.js')).runLab(args, runCli)),
  };
}
