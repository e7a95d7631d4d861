import type { CommandModule } from 'yargs';
import { rollbackPlaybook } from '../../engine/rollback-playbook.js';
import { errorsOf } from '../../input/diagnostics.js';
import { loadInventory } from '../../inventory/load-inventory.js';
import { EXIT, printDiagnostics } from '../../report/index.js';
import {
  inventoryLoadOptions,
  inventoryOptions,
  loadAnsibleSettings,
  sourcesOf,
  type InventoryArgs,
} from '../inventory-args.js';
import { DEFAULT_SNAPSHOTS_TO_KEEP, defaultPkiDir, runOnHosts, type HostRunArgs } from '../run-hosts.js';
import { connectionFlags, connectionOptions, limitPatterns } from '../run-options-args.js';
import { useColor } from '../terminal.js';

interface Args extends HostRunArgs, InventoryArgs {
  inv?: string;
  snapshot?: string;
  user?: string;
  'private-key'?: string;
  timeout?: number;
  become?: boolean;
  'become-user'?: string;
}

export function rollbackCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'rollback [inv]',
    describe: 'Restore the last good nginx configuration on load balancers (validated, reloaded, confirmed)',
    builder: (y) =>
      connectionFlags(inventoryOptions(connectionOptions(y)))
        .positional('inv', { type: 'string', describe: 'inventory (or -i INVENTORY, repeatable)' })
        .option('snapshot', { type: 'string', describe: 'snapshot id (default: the newest)' }),
    handler: async (args) => {
      // The inventory is read as apply reads it: -i sources, ansible.cfg, -e, vault, -u/-T/-b.
      const settings = loadAnsibleSettings();
      const { sources } = sourcesOf([args.inv], args, settings, false);
      const prepared = await inventoryLoadOptions(args, settings, 'required', undefined);
      const loaded = loadInventory(sources, prepared.options);
      const diagnostics = [...prepared.diagnostics, ...loaded.diagnostics];
      if (diagnostics.length > 0) printDiagnostics(diagnostics, process.stderr, useColor(process.stderr));
      if (!loaded.inventory || errorsOf(diagnostics).length > 0) {
        process.stderr.write('nothing was contacted: fix the input above and run again\n');
        return setCode(EXIT.INVALID_INPUT);
      }
      const inventory = loaded.inventory;
      const limit = limitPatterns(args.limit);
      const { code } = await runOnHosts(
        args,
        {
          forks: args.forks ?? settings.forks?.value ?? 50,
          ...(limit ? { limit } : {}),
          askBecomePass: args['ask-become-pass'] || (settings.becomeAskPass?.value ?? false),
          secrets: loaded.secrets,
        },
        inventory,
        rollbackPlaybook(inventory.file, args.snapshot),
        'rollback',
        {
          check: false,
          diff: false,
          pkiDir: defaultPkiDir(inventory.dir),
          // Only transactions prune snapshots; a rollback consumes the ones it undoes.
          snapshotsToKeep: DEFAULT_SNAPSHOTS_TO_KEEP,
        },
      );
      setCode(code);
    },
  };
}
