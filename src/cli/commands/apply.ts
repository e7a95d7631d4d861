import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { Secret } from '../../domain/secret.js';
import { runPlaybook } from '../../engine/run-playbook.js';
import { errorsOf } from '../../input/diagnostics.js';
import { EXIT, createReporter, exitCodeFor, printDiagnostics, writeJsonReport } from '../../report/index.js';
import { askPassword } from '../../transport/index.js';
import { renderPlaybookListing } from '../../report/playbook-listing.js';
import {
  inventoryLoadOptions,
  inventoryOptions,
  loadAnsibleSettings,
  sourcesOf,
  type InventoryArgs,
} from '../inventory-args.js';
import { loadRunInput } from '../load-run-input.js';
import { connectionFlags, connectionOptions, limitPatterns } from '../run-options-args.js';
import { redactorFor } from '../secrets-of.js';
import { interruptOnSigint } from '../interrupt.js';
import { progressMode, useColor } from '../terminal.js';
import { UsageError } from '../usage-error.js';

interface Args extends InventoryArgs {
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
  limit?: string[];
  tags?: string[];
  'skip-tags'?: string[];
  forks?: number;
  serial?: string;
  'max-fail-percentage'?: number;
  'known-hosts'?: string[];
  'accept-new-host-keys': boolean;
  'ask-become-pass': boolean;
  json?: string;
  verbose: number;
  'pki-dir'?: string;
  'keep-snapshots': number;
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
          default: 5,
          describe: 'configuration snapshots kept per host',
        })
        .check((a) => {
          if (a.serial !== undefined && !/^\d+%?$/.test(a.serial))
            throw new UsageError('--serial takes N or N%');
          if (a.forks !== undefined && !(a.forks >= 1)) throw new UsageError('--forks must be at least 1');
          if (a.timeout !== undefined && !(a.timeout > 0))
            throw new UsageError('--timeout must be a number of seconds');
          return true;
        }),
    handler: async (args) => {
      const settings = loadAnsibleSettings();
      const { sources, playbook } = sourcesOf([args.inv, args.playbook], args, settings, true);
      const prepared = await inventoryLoadOptions(args, settings, 'required', playbook);
      const color = useColor(process.stdout);
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
      const askBecome = args['ask-become-pass'] || (settings.becomeAskPass?.value ?? false);
      let becomePassword: Secret | undefined;
      if (askBecome) {
        try {
          becomePassword = new Secret(await askPassword('BECOME password: '));
        } catch (err) {
          throw new UsageError(`-K: ${(err as Error).message}`);
        }
      }
      const redactor = redactorFor(input.inventory, [...input.secrets, becomePassword]);
      const reporter = createReporter({
        mode: progressMode(process.stdout),
        // With `--json -`, stdout carries the JSON report alone; people read stderr.
        out: args.json === '-' ? process.stderr : process.stdout,
        err: process.stderr,
        diff: args.diff,
        verbose: args.verbose,
        color,
        redactor,
      });
      const interrupt = interruptOnSigint();
      try {
        const summary = await runPlaybook(
          input.inventory,
          input.playbook,
          {
            check: args.check,
            diff: args.diff,
            forks: args.forks ?? settings.forks?.value ?? 50,
            ...(args.serial !== undefined
              ? { serial: /%$/.test(args.serial) ? args.serial : Number(args.serial) }
              : {}),
            ...(args['max-fail-percentage'] !== undefined
              ? { maxFailPercentage: args['max-fail-percentage'] }
              : {}),
            ...(args.limit ? { limit: args.limit } : {}),
            ...(args.tags ? { tags: args.tags } : {}),
            ...(args['skip-tags'] ? { skipTags: args['skip-tags'] } : {}),
            knownHostsFiles: args['known-hosts'] ?? [join(homedir(), '.ssh', 'known_hosts')],
            acceptNewHostKeys: args['accept-new-host-keys'],
            ...(becomePassword ? { becomePassword } : {}),
            pkiDir: args['pki-dir'] ?? join(input.inventory.dir, '.apim-provision', 'pki'),
            snapshotsToKeep: args['keep-snapshots'],
            signal: interrupt.signal,
          },
          reporter,
          {
            knownHostsFiles: args['known-hosts'] ?? [join(homedir(), '.ssh', 'known_hosts')],
            acceptNewHostKeys: args['accept-new-host-keys'],
            onNewHostKey: (e) =>
              reporter.warning(
                `recorded new ${e.keyType} host key ${e.fingerprint} for ${e.host}:${e.port} in ${e.file}`,
                e.hostName,
              ),
          },
        );
        if (args.json) await writeJsonReport(args.json, summary, redactor);
        setCode(exitCodeFor(summary, { check: args.check, detailedExitcode: args['detailed-exitcode'] }));
      } finally {
        interrupt.dispose();
      }
    },
  };
}
