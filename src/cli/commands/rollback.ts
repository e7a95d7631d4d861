import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { rollbackHosts } from '../../engine/rollback-hosts.js';
import { errorsOf } from '../../input/diagnostics.js';
import { loadInventory } from '../../inventory/load-inventory.js';
import { EXIT, createReporter, exitCodeFor, printDiagnostics, writeJsonReport } from '../../report/index.js';
import { connectionOptions } from '../run-options-args.js';
import { redactorFor } from '../secrets-of.js';
import { progressMode, useColor } from '../terminal.js';

interface Args {
  inventory: string;
  limit?: string[];
  forks?: number;
  snapshot?: string;
  'known-hosts'?: string[];
  'accept-new-host-keys': boolean;
  json?: string;
  verbose: number;
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
      const redactor = redactorFor(inventory);
      const reporter = createReporter({
        mode: progressMode(process.stdout),
        // With `--json -`, stdout carries the JSON report alone; people read stderr.
        out: args.json === '-' ? process.stderr : process.stdout,
        err: process.stderr,
        diff: false,
        verbose: args.verbose,
        color: useColor(process.stdout),
        redactor,
      });
      const knownHostsFiles = args['known-hosts'] ?? [join(homedir(), '.ssh', 'known_hosts')];
      const summary = await rollbackHosts(
        inventory,
        {
          forks: args.forks ?? 50,
          ...(args.limit ? { limit: args.limit } : {}),
          ...(args.snapshot ? { snapshotId: args.snapshot } : {}),
        },
        reporter,
        { knownHostsFiles, acceptNewHostKeys: args['accept-new-host-keys'] },
      );
      if (args.json) await writeJsonReport(args.json, summary, redactor);
      setCode(exitCodeFor(summary, { check: false, detailedExitcode: false }));
    },
  };
}
