import type { RunObserver } from '../engine/types.js';
import type { Redactor } from './redactor.js';

/** What the CLI reports a run through: the engine's events, plus the transport's -vvv trace. */
export interface Reporter extends RunObserver {
  /** A line of how a host is connected to; shown from -vvv. */
  trace(message: string, host: string): void;
}

export interface ReporterOptions {
  /** `tty`: live listr2 progress; `plain`: one line per finished task (pipes, CI). */
  mode: 'tty' | 'plain';
  out: NodeJS.WritableStream;
  /** Where warnings go; defaults to `out`. */
  err?: NodeJS.WritableStream;
  /** Show unified diffs, certificate metadata and secret notes under each change (`--diff`). */
  diff: boolean;
  /** `-v` count: 1 shows host starts and task messages, 2 also task starts, 3 the SSH connection trace. */
  verbose: number;
  color: boolean;
  /** Everything written passes through it. */
  redactor: Redactor;
}

/** Verbosity from which the SSH connection trace is shown (Ansible shows its SSH commands at -vvv). */
export const TRACE_VERBOSITY = 3;

/** A trace line, host-prefixed as Ansible's -vvv lines are. */
export function traceLine(message: string, host: string): string {
  return `<${host}> ${message}`;
}

/** A warning line as Ansible prints it, host-prefixed when it concerns one host. */
export function warningLine(message: string, host?: string): string {
  return host ? `[WARNING]: [${host}] ${message}` : `[WARNING]: ${message}`;
}
