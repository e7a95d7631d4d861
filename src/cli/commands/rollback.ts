import type { CommandModule } from 'yargs';
import { rollbackPlaybook } from '../../engine/rollback-playbook.js';
import { errorsOf } from '../../input/diagnostics.js';
import { loadInventory } from '../../inventory/load-inventory.js';
import { EXIT, printDiagnostics } from '../../report/index.js';
import { DEFAULT_SNAPSHOTS_TO_KEEP, defaultPkiDir, runOnHosts, type HostRunArgs } from '../run-hosts.js';
import { connectionOptions } from '../run-options-args.js';
import { useColor } from '../terminal.js';

interface Args extends HostRunArgs {
  inventory: string;
  snapshot?: string;
}

export function rollbackCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'rollback <inventory>',
    describe: 'Restore the last good nginx configuration on load balancers (validated, reloaded, confirmed)',
    builder: (y) =>
      connectionOptions(
        y
          .positional('inventory', { type: 'string', demandOption: true })
          .option('snapshot', { type: 'string', describe: 'snapshot id (default: the newest)' }),
      ),
    handler: async (args) => {
      const { inventory, diagnostics } = loadInventory(args.inventory);
      if (diagnostics.length > 0) printDiagnostics(diagnostics, process.stderr, useColor(process.stderr));
      if (!inventory || errorsOf(diagnostics).length > 0) return setCode(EXIT.INVALID_INPUT);
      const { code } = await runOnHosts(
        args,
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
