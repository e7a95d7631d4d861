import type { CommandModule } from 'yargs';
import { errorsOf } from '../../input/diagnostics.js';
import { EXIT, printDiagnostics } from '../../report/index.js';
import {
  inventoryLoadOptions,
  inventoryOptions,
  loadAnsibleSettings,
  sourcesOf,
  type InventoryArgs,
} from '../inventory-args.js';
import { loadRunInput } from '../load-run-input.js';
import { limitPatterns } from '../run-options-args.js';
import { useColor } from '../terminal.js';

interface Args extends InventoryArgs {
  inv?: string;
  playbook?: string;
  limit?: string[];
}

export function validateCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'validate [inv] [playbook]',
    describe: 'Check an inventory (and playbook) and report every problem; contacts no host',
    builder: (y) =>
      inventoryOptions(y)
        .positional('inv', {
          type: 'string',
          describe: 'inventory (or -i INVENTORY; then a single argument is the playbook)',
        })
        .positional('playbook', {
          type: 'string',
          describe: 'playbook YAML (default: the built-in WSO2 procedure)',
        })
        .option('limit', { alias: 'l', type: 'string', array: true, describe: 'check as for apply --limit' }),
    handler: async (args) => {
      const settings = loadAnsibleSettings();
      const { sources, playbook } = sourcesOf([args.inv, args.playbook], args, settings, true);
      // A secret source that is not set here (a CI variable, say) is a warning: apply refuses it.
      const prepared = await inventoryLoadOptions(args, settings, 'warn', playbook);
      const limit = limitPatterns(args.limit);
      const input = loadRunInput({
        sources,
        ...(playbook !== undefined ? { playbook } : {}),
        options: prepared.options,
        ...(limit ? { limit } : {}),
      });
      const diagnostics = [...prepared.diagnostics, ...input.diagnostics];
      printDiagnostics(diagnostics, process.stdout, useColor(process.stdout));
      if (errorsOf(diagnostics).length > 0) return setCode(EXIT.INVALID_INPUT);
      const lbs = input.inventory?.loadBalancers.length ?? 0;
      const unsetSecrets = diagnostics.filter(
        (d) => d.severity === 'warning' && /refuse to run without it/.test(d.message),
      );
      process.stdout.write(
        `valid: ${lbs} load balancer(s), ${input.playbook?.plays.length ?? 0} play(s)` +
          (unsetSecrets.length > 0
            ? `; ${unsetSecrets.length} secret source(s) not available here: apply and rollback need them`
            : '') +
          '\n',
      );
      setCode(EXIT.OK);
    },
  };
}
