import { Records, decodeField, decodeText } from './output-protocol.js';

export type TransactionStatus =
  'committed' | 'unchanged' | 'validate_failed' | 'conflict' | 'reload_failed' | 'locked' | 'error';

export interface TransactionResult {
  status: TransactionStatus;
  /** The previous files were put back (after a failed live `nginx -t`, reload or health check). */
  rolledBack: boolean;
  /** nginx's own error lines (validation or reload), with staged paths mapped back to live ones. */
  nginxOutput?: string;
  /** Paths changed on the host since the plan was made. */
  conflicts: string[];
  reloaded: boolean;
  started: boolean;
  snapshotId?: string;
  /** Paths the script found different from the desired state (informational). */
  changed: string[];
  /** Retired files the swap removed (put back when the transaction rolled back). */
  removed: string[];
  /** A pending reload from an earlier interrupted run was found (and healed when committed). */
  pendingFound: boolean;
  messages: string[];
}

const STATUSES: readonly TransactionStatus[] = [
  'committed',
  'unchanged',
  'validate_failed',
  'conflict',
  'reload_failed',
  'locked',
  'error',
];

export function parseTransactionResult(stdout: string, stderr: string): TransactionResult {
  const r = Records.parse(stdout);
  const reported = r.get('status');
  const status: TransactionStatus = STATUSES.includes(reported as TransactionStatus)
    ? (reported as TransactionStatus)
    : 'error';
  const messages = r.messages();
  if (reported === undefined) {
    messages.push('the transaction script ended without reporting a status (interrupted or killed?)');
  }
  if (status === 'error' || reported === undefined) {
    const tail = stderr.trim().split('\n').slice(-20).join('\n');
    if (tail) messages.push(tail);
  }
  const nginxParts = [r.get('validate_failed'), r.get('reload_failed'), r.get('rollback_failed')]
    .filter((v): v is string => v !== undefined)
    .map(decodeText)
    .filter((t) => t.trim() !== '');
  const snapshotId = r.get('snapshot');
  return {
    status,
    rolledBack: r.flag('rolled_back'),
    ...(nginxParts.length > 0 ? { nginxOutput: nginxParts.join('\n') } : {}),
    conflicts: r.all('conflict').map(decodeField),
    reloaded: r.flag('reloaded'),
    started: r.flag('started'),
    ...(snapshotId ? { snapshotId } : {}),
    changed: r.all('change').map(decodeField),
    removed: r.all('removed').map(decodeField),
    pendingFound: r.has('pending'),
    messages,
  };
}
