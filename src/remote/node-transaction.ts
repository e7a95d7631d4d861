import type { Secret } from '../domain/secret.js';
import { Records, decodeField } from './output-protocol.js';
import { ScriptInput, path, token } from './script-input.js';
import { RUN_LOGS_TO_KEEP, program } from './scripts.js';
import type { TransactionDirectory, TransactionFile } from './transaction.js';
import { planRows, sha256Hex } from './transaction.js';
import { ACCOUNT_NAME, FILE_MODE, SERVICE_NAME, assertPath, assertValue } from './values.js';

/** A certificate imported into a keystore on the node (keytool, on a copy swapped in). */
export interface KeystoreImport {
  path: string;
  alias: string;
  storeType: 'JKS' | 'PKCS12';
  certificatePem: string;
  /** The keystore's own mode and owner, kept. */
  mode: string;
  owner: string;
  group: string;
  /** The sha256 the plan saw. */
  expected: string;
}

/** How API-M is restarted and checked on the node (node.sh). */
export interface NodeRestart {
  method: 'systemd' | 'init' | 'script';
  /** The unit or init script (systemd / init). */
  service?: string;
  /** The bin script, run as `runAs` (script). */
  script?: string;
  /** The account API-M runs as: the script method runs it as this user, never root. */
  runAs: string;
  carbonHome: string;
  /** 9443 + the node's port offset. */
  httpsPort: number;
  healthUrl?: string;
  timeoutSeconds: number;
}

export interface NodeTransactionSpec {
  runId: string;
  /** The node's own state folder, e.g. /var/lib/apim-provision/nodes/<host>. */
  stateDir: string;
  files: TransactionFile[];
  directories: TransactionDirectory[];
  keystores: KeystoreImport[];
  /** keytool on the node (with keystores). */
  keytool?: string;
  storePassword?: Secret;
  /** Restart API-M after the swap (and for a restart an interrupted run left pending). */
  restart?: NodeRestart;
  snapshotsToKeep: number;
  lockWaitSeconds: number;
}

export type NodeTransactionStatus =
  'committed' | 'unchanged' | 'conflict' | 'restart_failed' | 'locked' | 'error';

export interface NodeTransactionResult {
  status: NodeTransactionStatus;
  restarted: boolean;
  /** The node was not running: the files are live, nothing was started. */
  notRunning: boolean;
  /** After a failed restart: the previous files were put back. */
  rolledBack: boolean;
  /** ... and API-M answered again with them. */
  recovered: boolean;
  /** Why the restart failed (the start command's output, the health wait's verdict). */
  restartOutput?: string;
  recoverOutput?: string;
  /** The end of wso2carbon.log after a failed restart. */
  nodeLog?: string;
  conflicts: string[];
  snapshotId?: string;
  pendingFound: boolean;
  messages: string[];
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const ALIAS = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The node transaction (src/remote/sh/node-transaction.sh) with this spec as its input. Payloads
 * and the truststore password travel in the input, on stdin with the program. Exit codes: 0
 * committed/unchanged, 1 error, 3 locked, 4 conflict, 6 restart_failed.
 */
export function nodeTransactionScript(spec: NodeTransactionSpec): string {
  checkSpec(spec);
  const plan = [
    ...planRows(spec.directories, spec.files),
    ...spec.keystores.map((k, i) => [
      token('K'),
      token(String(spec.files.length + i)),
      token(k.mode),
      token(k.owner),
      token(k.group),
      token(k.expected),
      token(sha256Hex(k.certificatePem)),
      path(k.path),
    ]),
  ];
  const r = spec.restart;
  const input = new ScriptInput()
    .set('RUN_ID', spec.runId)
    .set('STATE', spec.stateDir)
    .set('KEEP', spec.snapshotsToKeep)
    .set('LOCK_WAIT', spec.lockWaitSeconds)
    .set('APIM_RUN_LOGS_KEEP', RUN_LOGS_TO_KEEP)
    .rows('APIM_PLAN', plan)
    .payloads([...spec.files.map((f) => f.content), ...spec.keystores.map((k) => k.certificatePem)])
    .rows(
      'APIM_KEYSTORE',
      spec.keystores.map((k, i) => [
        token(String(spec.files.length + i)),
        token(k.alias),
        token(k.storeType),
      ]),
    )
    .set('KEYTOOL', spec.keytool ?? '')
    .set('STOREPASS', spec.storePassword?.reveal() ?? '')
    .set('RESTART', r !== undefined)
    .set('METHOD', r?.method ?? '')
    .set('SERVICE', r?.service ?? '')
    .set('SCRIPT', r?.script ?? '')
    .set('RUN_AS', r?.runAs ?? '')
    .set('CARBON_HOME', r?.carbonHome ?? '')
    .set('HTTPS_PORT', r?.httpsPort ?? 9443)
    .set('HEALTH_URL', r?.healthUrl ?? '')
    .set('HEALTH_TIMEOUT', r?.timeoutSeconds ?? 300);
  return program('node-transaction', `run ${spec.runId}: contains file payloads; keep private`, input);
}

function checkSpec(spec: NodeTransactionSpec): void {
  if (!RUN_ID.test(spec.runId)) throw new Error(`invalid runId ${JSON.stringify(spec.runId)}`);
  assertPath(spec.stateDir, 'stateDir');
  const seen = new Set<string>();
  for (const item of [...spec.files, ...spec.directories, ...spec.keystores]) {
    assertPath(item.path, 'path');
    if (seen.has(item.path)) throw new Error(`path listed twice in one transaction: ${item.path}`);
    seen.add(item.path);
    assertValue(item.mode, FILE_MODE, `mode of ${item.path}`);
    assertValue(item.owner, ACCOUNT_NAME, `owner of ${item.path}`);
    assertValue(item.group, ACCOUNT_NAME, `group of ${item.path}`);
  }
  for (const item of [...spec.files, ...spec.keystores]) {
    if (item.expected !== 'absent' && item.expected !== 'link' && !SHA256.test(item.expected))
      throw new Error(`expected content of ${item.path} is not a sha256 digest, absent or link`);
  }
  for (const k of spec.keystores) {
    assertValue(k.alias, ALIAS, 'keystore alias');
    if (!SHA256.test(k.expected)) throw new Error(`keystore ${k.path} must exist (its sha256 was not given)`);
  }
  if (spec.keystores.length > 0) {
    if (!spec.keytool || !spec.storePassword)
      throw new Error('keystore imports need keytool and the store password');
    assertPath(spec.keytool, 'keytool');
  }
  const r = spec.restart;
  if (!r) return;
  assertPath(r.carbonHome, 'carbon home');
  assertValue(r.runAs, ACCOUNT_NAME, 'API-M user');
  if (!Number.isInteger(r.httpsPort) || r.httpsPort < 1 || r.httpsPort > 65535)
    throw new Error('httpsPort out of range');
  if (!Number.isInteger(r.timeoutSeconds) || r.timeoutSeconds < 1)
    throw new Error('timeoutSeconds must be positive');
  if (r.method === 'script') {
    if (!r.script) throw new Error('the script method needs the bin script');
    assertPath(r.script, 'bin script');
    if (r.runAs === 'root' || r.runAs === '0') throw new Error('API-M is never restarted as root');
  } else if (!r.service) throw new Error(`the ${r.method} method needs the service name`);
  else assertValue(r.service, SERVICE_NAME, 'service name');
  if (r.healthUrl !== undefined && /[\n\r\0'"\\\s]/.test(r.healthUrl))
    throw new Error('health URL must be one word without quotes');
}

const STATUSES: readonly NodeTransactionStatus[] = [
  'committed',
  'unchanged',
  'conflict',
  'restart_failed',
  'locked',
  'error',
];

export function parseNodeTransactionResult(stdout: string, stderr: string): NodeTransactionResult {
  const r = Records.parse(stdout);
  const reported = r.get('status');
  const status = STATUSES.includes(reported as NodeTransactionStatus)
    ? (reported as NodeTransactionStatus)
    : 'error';
  const messages = r.messages();
  if (reported === undefined)
    messages.push('the node transaction ended without reporting a status (interrupted or killed?)');
  if (status === 'error' || reported === undefined) {
    const tail = stderr.trim().split('\n').slice(-20).join('\n');
    if (tail) messages.push(tail);
  }
  const textOf = (key: string): string | undefined => {
    const v = r.text(key)?.trim();
    return v ? v : undefined;
  };
  const restartOutput = textOf('restart_failed');
  const recoverOutput = textOf('recover_failed');
  const nodeLog = textOf('node_log');
  const snapshotId = r.get('snapshot');
  return {
    status,
    restarted: r.flag('restarted'),
    notRunning: r.flag('not_running'),
    rolledBack: r.flag('rolled_back'),
    recovered: r.flag('recovered'),
    ...(restartOutput ? { restartOutput } : {}),
    ...(recoverOutput ? { recoverOutput } : {}),
    ...(nodeLog ? { nodeLog } : {}),
    conflicts: r.all('conflict').map(decodeField),
    ...(snapshotId ? { snapshotId } : {}),
    pendingFound: r.has('pending'),
    messages,
  };
}
