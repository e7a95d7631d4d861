/**
 * Runs the real, built CLI (`bin/apim-provision.js`, compiled by `npm run build`, which `npm test`
 * runs first) as a separate process, the way users run it, and captures everything it prints.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { labPaths } from '../../../src/lab/lab-paths.js';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for secret scans. */
  all: string;
}

const BIN = join(labPaths().root, 'bin', 'apim-provision.js');
/** The CLI with the transaction's test-only pause filled in (hooked-cli.ts), from the sources. */
const HOOKED = ['--import', 'tsx', join(labPaths().root, 'test', 'integration', 'support', 'hooked-cli.ts')];

export interface CliOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  /** Run the test-only entry whose transactions pause where $STATE/test-pause-seconds says. */
  hooked?: boolean;
}

/** Every output of every CLI run in this test process, for the suite-wide secrets scan. */
export const cliOutputs: string[] = [];

/** The real CLI started in the background (for faults injected while it runs). */
export interface RunningCli {
  pid: number;
  signal(name: NodeJS.Signals): void;
  done: Promise<CliRun>;
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = execa('node', [...(options.hooked ? HOOKED : [BIN]), ...args], {
    reject: false,
    all: true,
    env: { CI: 'true', NO_COLOR: '1', ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}),
    timeout: options.timeoutMs ?? 300_000,
  });
  const done = child.then((result) => {
    const run: CliRun = {
      exitCode: result.exitCode ?? -1,
      stdout: result.stdout,
      stderr: result.stderr,
      all: result.all ?? `${result.stdout}\n${result.stderr}`,
    };
    cliOutputs.push(run.all);
    return run;
  });
  return { pid: child.pid ?? -1, signal: (name) => child.kill(name), done };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** `apply` against a lab inventory, host keys checked against the lab's known_hosts. */
export function applyLab(inventory: string, knownHostsFile: string, extra: string[] = []): Promise<CliRun> {
  return runCli(['apply', inventory, '--known-hosts', knownHostsFile, ...extra]);
}
