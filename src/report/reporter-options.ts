import type { Redactor } from './redactor.js';

export interface ReporterOptions {
  /** `tty`: live listr2 progress; `plain`: one line per finished task (pipes, CI). */
  mode: 'tty' | 'plain';
  out: NodeJS.WritableStream;
  /** Where warnings go; defaults to `out`. */
  err?: NodeJS.WritableStream;
  /** Show unified diffs, certificate metadata and secret notes under each change (`--diff`). */
  diff: boolean;
  /** `-v` count: 1 shows host starts and task messages, 2 also task starts. */
  verbose: number;
  color: boolean;
  /** Everything written passes through it. */
  redactor: Redactor;
}

/** A warning line as Ansible prints it, host-prefixed when it concerns one host. */
export function warningLine(message: string, host?: string): string {
  return host ? `[WARNING]: [${host}] ${message}` : `[WARNING]: ${message}`;
}
