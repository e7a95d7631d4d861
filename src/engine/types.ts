/** Outcome of one task on one host, as in Ansible's recap. */
export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

/** One change a task made (or, in check mode, would make). */
export interface Change {
  kind: 'file' | 'directory' | 'package' | 'repository' | 'service' | 'command' | 'reload' | 'link';
  action:
    'create' | 'update' | 'delete' | 'install' | 'remove' | 'run' | 'start' | 'stop' | 'reload' | 'restart';
  /** Path, package or service name. */
  target: string;
  /** One line for humans, e.g. `mode 0644 -> 0600`. */
  summary: string;
  /** Unified diff (3 lines of context) for text files; never present for secrets. */
  diff?: string;
  /** Certificate metadata instead of PEM, for certificate files. */
  certificate?: CertificateMetadata;
  /** The content is secret (private keys, licences): no diff, no content anywhere. */
  secret?: boolean;
}

export interface CertificateMetadata {
  subject: string;
  issuer: string;
  sans: string[];
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export interface TaskResult {
  task: string;
  module: string;
  status: TaskStatus;
  changes: Change[];
  durationMs: number;
  /** Error text for failures (nginx's own error lines for a refused configuration). */
  message?: string;
  warnings: string[];
}

export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped';

export interface HostResult {
  host: string;
  status: HostStatus;
  tasks: TaskResult[];
  durationMs: number;
  /** SSH round trips used on this host. */
  roundTrips: number;
  /** Set when the host failed or was unreachable. */
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
