import type { CommandModule } from 'yargs';
import { errorsOf } from '../../input/diagnostics.js';
import { EXIT, printDiagnostics } from '../../report/index.js';
import { renderPlaybookListing } from '../../report/playbook-listing.js';
import {
  inventoryLoadOptions,
  inventoryOptions,
  loadAnsibleSettings,
  sourcesOf,
  type InventoryArgs,
} from '../inventory-args.js';
import { loadRunInput } from '../load-run-input.js';
import { DEFAULT_SNAPSHOTS_TO_KEEP, defaultPkiDir, runOnHosts, type HostRunArgs } from '../run-hosts.js';
import { connectionFlags, connectionOptions, limitPatterns } from '../run-options-args.js';
import { redactorFor } from '../secrets-of.js';
import { useColor } from '../terminal.js';
import { UsageError } from '../usage-error.js';
import { graphFileFormat, writeRunGraph } from './graph.js';

interface Args extends HostRunArgs, InventoryArgs {
  inv?: string;
  playbook?: string;
  user?: string;
  'private-key'?: string;
  timeout?: number;
  become?: boolean;
  'become-user'?: string;
  'list-hosts'?: boolean;
  'list-tasks'?: boolean;
  'list-tags'?: boolean;
  check: boolean;
  diff: boolean;
  'detailed-exitcode': boolean;
  tags?: string[];
  'skip-tags'?: string[];
  serial?: string;
  'max-fail-percentage'?: number;
  'pki-dir'?: string;
  'keep-snapshots': number;
  graph?: string;
}

export function applyCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'apply [inv] [playbook]',
    describe:
      "Bring every load balancer to the pattern's desired state (default playbook: the WSO2 procedure)",
    builder: (y) =>
      connectionFlags(inventoryOptions(connectionOptions(y)))
        .positional('inv', {
          type: 'string',
          describe: 'inventory (or -i INVENTORY; then a single argument is the playbook)',
        })
        .positional('playbook', { type: 'string', describe: 'default: the built-in playbooks/site.yml' })
        .option('list-hosts', {
          type: 'boolean',
          describe: 'list the hosts of each play and how each is reached; run nothing',
        })
        .option('list-tasks', { type: 'boolean', describe: 'list the tasks of each play; run nothing' })
        .option('list-tags', { type: 'boolean', describe: 'list the tags of each play; run nothing' })
        .option('check', {
          alias: 'C',
          type: 'boolean',
          default: false,
          describe: 'touch nothing; report what would change',
        })
        .option('diff', {
          alias: 'D',
          type: 'boolean',
          default: false,
          describe: 'show unified diffs (certificates as metadata)',
        })
        .option('detailed-exitcode', {
          type: 'boolean',
          default: false,
          describe: 'with --check: exit 6 when changes are pending',
        })
        .option('tags', { alias: 't', type: 'string', array: true })
        .option('skip-tags', { type: 'string', array: true })
        .option('serial', {
          type: 'string',
          describe: 'batch size N or N% (an HA pair is never changed at once)',
        })
        .option('max-fail-percentage', { type: 'number' })
        .option('pki-dir', {
          type: 'string',
          describe: 'local CA folder (default <inventory dir>/.apim-provision/pki)',
        })
        .option('keep-snapshots', {
          type: 'number',
          default: DEFAULT_SNAPSHOTS_TO_KEEP,
          describe: 'configuration snapshots kept per host',
        })
        .option('graph', {
          type: 'string',
          describe:
            'draw the deployment with what (with --check: would) change highlighted: FILE.svg|.mmd|.dot',
        })
        .check((a) => {
          if (a.serial !== undefined && !/^\d+%?$/.test(a.serial))
            throw new UsageError('--serial takes N or N%');
          if (a.forks !== undefined && !(a.forks >= 1)) throw new UsageError('--forks must be at least 1');
          if (a.timeout !== undefined && !(a.timeout > 0))
            throw new UsageError('--timeout must be a number of seconds');
          if (a.graph !== undefined) graphFileFormat(a.graph);
          return true;
        }),
    handler: async (args) => {
      const settings = loadAnsibleSettings();
      const { sources, playbook } = sourcesOf([args.inv, args.playbook], args, settings, true);
      const prepared = await inventoryLoadOptions(args, settings, 'required', playbook);
      if (errorsOf(prepared.diagnostics).length > 0) {
        printDiagnostics(prepared.diagnostics, process.stderr, useColor(process.stderr));
        process.stderr.write('nothing was contacted: fix the input above and run again\n');
        return setCode(EXIT.INVALID_INPUT);
      }
      const limit = limitPatterns(args.limit);
      const input = loadRunInput({
        sources,
        ...(playbook !== undefined ? { playbook } : {}),
        options: prepared.options,
        ...(limit ? { limit } : {}),
      });
      const diagnostics = [...prepared.diagnostics, ...input.diagnostics];
      if (diagnostics.length > 0) printDiagnostics(diagnostics, process.stderr, useColor(process.stderr));
      if (!input.inventory || !input.playbook || errorsOf(diagnostics).length > 0) {
        process.stderr.write('nothing was contacted: fix the input above and run again\n');
        return setCode(EXIT.INVALID_INPUT);
      }
      if (args['list-hosts'] || args['list-tasks'] || args['list-tags']) {
        const listing = renderPlaybookListing(input.playbook, input.hostsOfPlays, {
          hosts: args['list-hosts'] ?? false,
          tasks: args['list-tasks'] ?? false,
          tags: args['list-tags'] ?? false,
          ...(args.tags ? { onlyTags: args.tags } : {}),
          ...(args['skip-tags'] ? { skipTags: args['skip-tags'] } : {}),
        });
        process.stdout.write(redactorFor(input.inventory, input.secrets).scrub(listing));
        return setCode(EXIT.OK);
      }
      const { code, summary, redactor } = await runOnHosts(
        args,
        {
          forks: args.forks ?? settings.forks?.value ?? 50,
          ...(limit ? { limit } : {}),
          askBecomePass: args['ask-become-pass'] || (settings.becomeAskPass?.value ?? false),
          secrets: input.secrets,
        },
        input.inventory,
        input.playbook,
        'apply',
        {
          check: args.check,
          diff: args.diff,
          ...(args.serial !== undefined
            ? { serial: /%$/.test(args.serial) ? args.serial : Number(args.serial) }
            : {}),
          ...(args['max-fail-percentage'] !== undefined
            ? { maxFailPercentage: args['max-fail-percentage'] }
            : {}),
          ...(args.tags ? { tags: args.tags } : {}),
          ...(args['skip-tags'] ? { skipTags: args['skip-tags'] } : {}),
          pkiDir: args['pki-dir'] ?? defaultPkiDir(input.inventory.dir),
          snapshotsToKeep: args['keep-snapshots'],
        },
        args['detailed-exitcode'],
      );
      const drawn =
        !args.graph ||
        (await writeRunGraph(args.graph, input.inventory, sources.join(', '), summary, redactor));
      // A picture that could not be written fails the run unless a host failure says more.
      setCode(drawn || code !== EXIT.OK ? code : EXIT.UNEXPECTED);
    },
  };
}
