import type { CommandModule } from 'yargs';
import { errorsOf } from '../../input/diagnostics.js';
import { EXIT, printDiagnostics } from '../../report/index.js';
import { loadRunInput } from '../load-run-input.js';
import { useColor } from '../terminal.js';

interface Args {
  inventory: string;
  playbook?: string;
}

export function validateCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'validate <inventory> [playbook]',
    describe: 'Check an inventory (and playbook) and report every problem; contacts no host',
    builder: (y) =>
      y
        .positional('inventory', { type: 'string', demandOption: true, describe: 'inventory YAML file' })
        .positional('playbook', {
          type: 'string',
          describe: 'playbook YAML (default: the built-in WSO2 procedure)',
        }),
    handler: (args) => {
      const input = loadRunInput(args.inventory, args.playbook);
      printDiagnostics(input.diagnostics, process.stdout, useColor(process.stdout));
      if (errorsOf(input.diagnostics).length > 0) return setCode(EXIT.INVALID_INPUT);
      const lbs = input.inventory?.loadBalancers.length ?? 0;
      process.stdout.write(`valid: ${lbs} load balancer(s), ${input.playbook?.plays.length ?? 0} play(s)\n`);
      setCode(EXIT.OK);
    },
  };
}
