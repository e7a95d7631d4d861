import { Records, decodeText } from './output-protocol.js';
import { ScriptInput } from './script-input.js';
import { RUN_LOGS_TO_KEEP, program } from './scripts.js';
import { trimSlash } from './shell.js';
import type { ServiceManager } from './transaction.js';
import { assertPath } from './values.js';

export interface RollbackOptions {
  stateDir: string;
  confPath: string;
  nginxBinary: string;
  serviceManager: ServiceManager;
  /** Roll back to the state before this run's commit (default: the newest snapshot). */
  snapshotId?: string;
  lockWaitSeconds?: number;
  nginxPrefix?: string;
  pidPath?: string;
  errorLogPath?: string;
  confirmTimeoutSeconds?: number;
}

export type RollbackStatus =
  'rolled_back' | 'no_snapshot' | 'validate_failed' | 'reload_failed' | 'locked' | 'error';

export interface RollbackResult {
  status: RollbackStatus;
  /** Snapshots undone, newest first (the requested one last). */
  restoredSnapshots: string[];
  reloaded: boolean;
  /** After a refused rollback: the current files were put back. */
  keptCurrent: boolean;
  nginxOutput?: string;
  messages: string[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The rollback program (src/remote/sh/rollback.sh): the newest snapshots undone back to the requested one. */
export function rollbackScript(opts: RollbackOptions): string {
  if (opts.snapshotId !== undefined && !ID.test(opts.snapshotId)) {
    throw new Error(`invalid snapshot id ${JSON.stringify(opts.snapshotId)}`);
  }
  const input = new ScriptInput()
    .set('STATE', trimSlash(assertPath(opts.stateDir, 'stateDir')))
    .set('CONF', assertPath(opts.confPath, 'confPath'))
    .set('NGINX', assertPath(opts.nginxBinary, 'nginxBinary'))
    .set('NGINX_P', opts.nginxPrefix ?? '')
    .set('SVC', opts.serviceManager)
    .set('PID_FILE', opts.pidPath ?? '')
    .set('ERROR_LOG', opts.errorLogPath ?? '')
    .set('TARGET', opts.snapshotId ?? '')
    .set('LOCK_WAIT', opts.lockWaitSeconds ?? 60)
    .set('CONFIRM_TIMEOUT', opts.confirmTimeoutSeconds ?? 10)
    .set('APIM_RUN_LOGS_KEEP', RUN_LOGS_TO_KEEP);
  return program('rollback', 'restore the last good configuration', input);
}

const STATUSES: readonly RollbackStatus[] = [
  'rolled_back',
  'no_snapshot',
  'validate_failed',
  'reload_failed',
  'locked',
  'error',
];

export function parseRollbackResult(stdout: string, stderr: string): RollbackResult {
  const r = Records.parse(stdout);
  const reported = r.get('status');
  const status = STATUSES.includes(reported as RollbackStatus) ? (reported as RollbackStatus) : 'error';
  const messages = r.messages();
  if (reported === undefined) messages.push('the rollback script ended without reporting a status');
  if (status === 'error' && stderr.trim()) messages.push(stderr.trim().split('\n').slice(-20).join('\n'));
  const nginx = [...r.all('validate_failed'), ...r.all('reload_failed')]
    .map(decodeText)
    .filter((t) => t.trim() !== '');
  return {
    status,
    restoredSnapshots: r.all('undone'),
    reloaded: r.flag('reloaded'),
    keptCurrent: r.flag('kept_current'),
    ...(nginx.length > 0 ? { nginxOutput: nginx.join('\n') } : {}),
    messages,
  };
}
