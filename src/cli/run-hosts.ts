import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultPkiDir } from '../certs/index.js';
import type { Inventory } from '../domain/types.js';
import { Secret } from '../domain/secret.js';
import type { RunOptions } from '../engine/run-options.js';
import { runPlaybook } from '../engine/run-playbook.js';
import type { RunSummary } from '../engine/types.js';
import type { Playbook } from '../playbook/index.js';
import {
  createReporter,
  EXIT,
  exitCodeFor,
  sanitiseText,
  writeJsonReport,
  type Redactor,
} from '../report/index.js';
import { askPassword, PromptInterrupted } from '../transport/index.js';
import { interruptOnSigint } from './interrupt.js';
import { redactorFor } from './secrets-of.js';
import { InterruptedError, UsageError } from './usage-error.js';
import { progressMode, useColor } from './terminal.js';
import { whileChangingHosts } from './closed-output.js';

/** Snapshots kept per host unless `--keep-snapshots` says otherwise. */
export const DEFAULT_SNAPSHOTS_TO_KEEP = 5;

export { defaultPkiDir };

/** The options `apply` and `rollback` share (run-options-args.ts's connectionOptions). */
export interface HostRunArgs {
  limit?: string[];
  forks?: number;
  'known-hosts'?: string[];
  'accept-new-host-keys': boolean;
  'ask-become-pass': boolean;
  json?: string;
  verbose: number;
}

/** What the command worked out from its flags, ansible.cfg and the inventory it loaded. */
export interface HostRunSettings {
  /** Hosts worked on at once: --forks, else forks of ansible.cfg / ANSIBLE_FORKS, else 50. */
  forks: number;
  /** --limit patterns, an @file already read. */
  limit?: string[];
  /** -K, or become_ask_pass of ansible.cfg. */
  askBecomePass: boolean;
  /** Values decrypted from vaults: never printed. */
  secrets: readonly Secret[];
}

/** What a run on the hosts ended with: its exit code, and what a command may draw from it. */
export interface HostRunResult {
  code: number;
  summary: RunSummary;
  /** Hides the run's secrets in anything written from the summary. */
  redactor: Redactor;
}

/**
 * Runs a playbook on its hosts the way `apply` and `rollback` both do: -K, the reporter (live or
 * plain, `--json -` moving people's output to stderr), Ctrl-C handling, known hosts, -vvv traces,
 * the JSON report and the exit code. `options` are the command's own run options. A closed stdout
 * does not end the process part-way (closed-output.ts).
 */
export async function runOnHosts(...params: Parameters<typeof runOnHostsUnguarded>): Promise<HostRunResult> {
  return whileChangingHosts(() => runOnHostsUnguarded(...params));
}

async function runOnHostsUnguarded(
  args: HostRunArgs,
  run: HostRunSettings,
  inventory: Inventory,
  playbook: Playbook,
  command: RunSummary['command'],
  options: Omit<
    RunOptions,
    'forks' | 'limit' | 'knownHostsFiles' | 'acceptNewHostKeys' | 'signal' | 'becomePassword'
  >,
  detailedExitcode = false,
): Promise<HostRunResult> {
  let becomePassword: Secret | undefined;
  if (run.askBecomePass) {
    try {
      becomePassword = new Secret(await askPassword('BECOME password: '));
    } catch (err) {
      if (err instanceof PromptInterrupted) throw new InterruptedError(err.message);
      throw new UsageError(`-K: ${(err as Error).message}`);
    }
  }
  const redactor = redactorFor(inventory, [...run.secrets, becomePassword]);
  const reporter = await createReporter({
    mode: progressMode(process.stdout),
    // With `--json -`, stdout carries the JSON report alone; people read stderr.
    out: args.json === '-' ? process.stderr : process.stdout,
    err: process.stderr,
    diff: options.diff,
    verbose: args.verbose,
    color: useColor(process.stdout),
    redactor,
  });
  const knownHostsFiles = args['known-hosts'] ?? [join(homedir(), '.ssh', 'known_hosts')];
  let soFar: (() => RunSummary) | undefined;
  // A second Ctrl-C still leaves the report of what is known (hosts in flight marked as such).
  const interrupt = interruptOnSigint(async () => {
    if (args.json && soFar) await jsonWritten(args.json, soFar(), redactor);
  });
  try {
    const summary = await runPlaybook(
      inventory,
      playbook,
      {
        ...options,
        forks: run.forks,
        ...(run.limit ? { limit: run.limit } : {}),
        knownHostsFiles,
        acceptNewHostKeys: args['accept-new-host-keys'],
        ...(becomePassword ? { becomePassword } : {}),
        signal: interrupt.signal,
        onProgress: (get) => (soFar = get),
      },
      reporter,
      {
        knownHostsFiles,
        acceptNewHostKeys: args['accept-new-host-keys'],
        onNewHostKey: (e) =>
          reporter.warning(
            `recorded new ${e.keyType} host key ${e.fingerprint} for ${e.host}:${e.port} in ${e.file}`,
            e.hostName,
          ),
        onTrace: (e) => reporter.trace(e.message, e.hostName),
      },
      command,
    );
    const code = exitCodeFor(summary, { check: options.check, detailedExitcode });
    const written = !args.json || (await jsonWritten(args.json, summary, redactor));
    // A report that could not be written fails the run unless the hosts' outcome says more.
    return { code: written || code !== EXIT.OK ? code : EXIT.USAGE, summary, redactor };
  } finally {
    interrupt.dispose();
  }
}

/**
 * The path was checked before the run; it can still fail after it (disk full, folder removed):
 * say so plainly, the recap above stands.
 */
async function jsonWritten(file: string, summary: RunSummary, redactor: Redactor): Promise<boolean> {
  try {
    await writeJsonReport(file, summary, redactor);
    return true;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    process.stderr.write(
      `apim-provision: --json ${sanitiseText(file)}: the report could not be written (${sanitiseText(reason)}); the run itself is over, its recap is above\n`,
    );
    return false;
  }
}
