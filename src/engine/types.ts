import type { CertificateMetadata } from '../certs/index.js';
import type { Change, PlannedNginx } from '../modules/contract.js';
import type { NodeTransactionStatus, TransactionStatus } from '../remote/index.js';

/** Outcome of one task on one host, as in Ansible's recap. */
export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export type { Change };
export type { CertificateMetadata };

export interface TaskResult {
  task: string;
  module: string;
  status: TaskStatus;
  changes: Change[];
  durationMs: number;
  /** Error text for failures (nginx's own error lines for a refused configuration). */
  message?: string;
  warnings: string[];
  /** For a task that ran the transaction: what the host reported, as data. */
  transaction?: TransactionOutcome;
  /** For a load balancer's configuration: the nginx it was planned for on this host. */
  nginx?: PlannedNginx;
}

/** What a transaction on the host reported (its `@@APIM` records), for the recap and JSON. */
export interface TransactionOutcome {
  status: TransactionStatus | NodeTransactionStatus;
  /** The previous files were put back (after a failed swap, live nginx -t, reload or start). */
  rolledBack: boolean;
  reloaded: boolean;
  started: boolean;
  /** Retired files the swap removed. */
  removed: string[];
  snapshot?: string;
  /** API-M node transactions: the node was restarted (and answered). */
  restarted?: boolean;
  /** API-M node transactions: after a failed restart, the node answered again with its previous files. */
  recovered?: boolean;
}

/** `not_started`: nothing was done on the host (Ctrl-C, or the rollout stopped); `error` says why. */
export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'not_started';

export interface HostResult {
  host: string;
  status: HostStatus;
  tasks: TaskResult[];
  durationMs: number;
  /** SSH round trips used on this host. */
  roundTrips: number;
  /** Set when the host failed or was unreachable, and why a host was not started. */
  error?: string;
  /** For a failed transaction: whether the previous configuration was restored and is serving. */
  rolledBack?: boolean;
}

export interface RunSummary {
  command: 'apply' | 'rollback';
  check: boolean;
  startedAt: string;
  durationMs: number;
  hosts: HostResult[];
  /** Set when the run was interrupted (Ctrl-C). */
  interrupted: boolean;
  warnings: string[];
}

/** Events the engine emits while it runs; the reporters (progress, plain lines, JSON) listen. */
export interface RunObserver {
  /** `plays`: the names of the plays that will run, in order (absent for a rollback). */
  runStarted(hosts: string[], options: { check: boolean; diff: boolean; plays?: string[] }): void;
  /** A play starts on its hosts (headed by its name, as Ansible's PLAY [name]). */
  playStarted?(play: string, hosts: string[]): void;
  hostStarted(host: string): void;
  taskStarted(host: string, task: string): void;
  taskFinished(host: string, result: TaskResult): void;
  hostFinished(result: HostResult): void;
  warning(message: string, host?: string): void;
  runFinished(summary: RunSummary): Promise<void> | void;
}
