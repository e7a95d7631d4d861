import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { defaultPkiDir } from '../../certs/index.js';
import { Secret } from '../../domain/secret.js';
import { runPlaybook } from '../../engine/run-playbook.js';
import { errorsOf } from '../../input/diagnostics.js';
import { EXIT, createReporter, exitCodeFor, printDiagnostics, writeJsonReport } from '../../report/index.js';
import { askPassword } from '../../transport/index.js';
import { loadRunInput } from '../load-run-input.js';
import { connectionOptions } from '../run-options-args.js';
import { redactorFor } from '../secrets-of.js';
import { interruptOnSigint } from '../interrupt.js';
import { progressMode, useColor } from '../terminal.js';
import { UsageError } from '../usage-error.js';
import { graphFileFormat, writeRunGraph } from './graph.js';

interface Args {
  inventory: string;
  playbook?: string;
  check: boolean;
  diff: boolean;
  'detailed-exitcode': boolean;
  limit?: string[];
  tags?: string[];
  'skip-tags'?: string[];
  forks: number;
  serial?: string;
  'max-fail-percentage'?: number;
  'known-hosts'?: string[];
  'accept-new-host-keys': boolean;
  'ask-become-pass': boolean;
  json?: string;
  verbose: number;
  'pki-dir'?: string;
  'keep-snapshots': number;
  graph?: string;
}

export function applyCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'apply <inventory> [playbook]',
    describe:
      "Bring every load balancer to the pattern's desired state (default playbook: the WSO2 procedure)",
    builder: (y) =>
      connectionOptions(y)
        .positional('inventory', { type: 'string', demandOption: true })
        .positional('playbook', { type: 'string', describe: 'default: the built-in playbooks/site.yml' })
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
        .option('graph', {
          type: 'string',
          describe:
            'draw the deployment with what (with --check: would) change highlighted: FILE.svg|.mmd|.dot',
        })
        .check((a) => {
          if (a.serial !== undefined && !/^\d+%?$/.test(a.serial))
            throw new UsageError('--serial takes N or N%');
          if (a.forks < 1) throw new UsageError('--forks must be at least 1');
          if (a.graph !== undefined) graphFileFormat(a.graph);
          return true;
        }),
    handler: async (args) => {
      const input = loadRunInput(args.inventory, args.playbook);
      const color = useColor(process.stdout);
      if (input.diagnostics.length > 0)
        printDiagnostics(input.diagnostics, process.stderr, useColor(process.stderr));
      if (!input.inventory || !input.playbook || errorsOf(input.diagnostics).length > 0) {
        process.stderr.write('nothing was contacted: fix the input above and run again\n');
        return setCode(EXIT.INVALID_INPUT);
      }
      const becomePassword = args['ask-become-pass']
        ? new Secret(await askPassword('BECOME password: '))
        : undefined;
      const redactor = redactorFor(input.inventory, [becomePassword]);
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
            forks: args.forks,
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
            pkiDir: args['pki-dir'] ?? defaultPkiDir(input.inventory.dir),
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
            onTrace: (e) => reporter.trace(e.message, e.hostName),
          },
        );
        if (args.json) await writeJsonReport(args.json, summary, redactor);
        const code = exitCodeFor(summary, { check: args.check, detailedExitcode: args['detailed-exitcode'] });
        const drawn =
          !args.graph ||
          (await writeRunGraph(args.graph, input.inventory, args.inventory, summary, redactor));
        // A picture that could not be written fails the run unless a host failure says more.
        setCode(drawn || code !== EXIT.OK ? code : EXIT.UNEXPECTED);
      } finally {
        interrupt.dispose();
      }
    },
  };
}
