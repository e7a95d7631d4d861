import { createHash } from 'node:crypto';
import { assertStrictUrl } from '../domain/url.js';
import { BINARY_IDENTITY, type NginxVersionSeen } from './facts.js';
import { ScriptInput, path, text, token } from './script-input.js';
import { RUN_LOGS_TO_KEEP, program } from './scripts.js';
import { isWithin, sedPattern, sedReplacement, trimSlash } from './shell.js';
import { ACCOUNT_NAME, FILE_MODE, assertPath, assertValue } from './values.js';

export type ServiceManager = 'systemd' | 'sysv' | 'none';

/**
 * What a path held when the plan was made, for the compare-and-swap: the sha256 of a regular
 * file, `absent`, or `link` (a symbolic link: replaced, never followed).
 */
export type ExpectedContent = string;

export interface TransactionFile {
  path: string;
  content: Buffer;
  /** Octal, e.g. `0644`; keys `0600`. */
  mode: string;
  owner: string;
  group: string;
  expected: ExpectedContent;
}

export interface TransactionDirectory {
  path: string;
  mode: string;
  owner: string;
  group: string;
}

/** A file a module retires (it recorded the file once and no longer manages it). */
export interface TransactionDelete {
  path: string;
  expected: ExpectedContent;
}

/** The records of the modules that ran: their lines replace those modules' earlier ones. */
export interface TransactionRecords {
  /** Modules that ran (an empty file list then means they manage nothing now). */
  managers: string[];
  /**
   * With the sha256 of what the module wrote (unknown for a file it does not write itself) and a
   * note about those bytes (what a later run would otherwise work out from them again).
   */
  files: { manager: string; path: string; sha256?: string; note?: string }[];
}

export interface TransactionSpec {
  runId: string;
  /** e.g. /var/lib/apim-provision; must lie outside confPrefix (outside every include glob). */
  stateDir: string;
  /** e.g. /etc/nginx: the tree copied to the stage for validation. */
  confPrefix: string;
  /** e.g. /etc/nginx/nginx.conf; must lie inside confPrefix. */
  confPath: string;
  nginxBinary: string;
  serviceManager: ServiceManager;
  files: TransactionFile[];
  directories: TransactionDirectory[];
  deletes: TransactionDelete[];
  records: TransactionRecords;
  /** Reload (or start) nginx after the swap; forced anyway when a pending reload is recorded. */
  reload: boolean;
  /** Run `nginx -t` on the staged tree and on the live tree after the swap. */
  validate: boolean;
  snapshotsToKeep: number;
  lockWaitSeconds: number;
  /** Optional request through the load balancer after the reload; no HTTP answer -> roll back. */
  healthCheck?: { url: string; hostHeader?: string };
  /** nginx `-p` prefix, when nginx runs with one (default: the compiled-in prefix). */
  nginxPrefix?: string;
  /** Where the master writes its pid (default: `pid` in confPath, else `nginx -V`). */
  pidPath?: string;
  /** The error log checked for [emerg] after a reload (default: `error_log` in confPath, else `nginx -V`). */
  errorLogPath?: string;
  /** Seconds to wait for proof of a reload or start (default 10). */
  confirmTimeoutSeconds?: number;
  /**
   * What the facts saw `nginx -V` print, and the binary's identity then: the transaction takes that
   * text, instead of running nginx -V, while nginxBinary still has that identity on the host.
   */
  nginxSeen?: NginxVersionSeen;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const MANAGER = /^[a-z][a-z0-9_.:-]{0,63}$/;

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The D (folder) and F (file) rows of a transaction's APIM_PLAN, as commit.sh reads them. */
export function planRows(directories: readonly TransactionDirectory[], files: readonly TransactionFile[]) {
  return [
    ...directories.map((d, i) => [
      token('D'),
      token(String(i)),
      token(d.mode),
      token(d.owner),
      token(d.group),
      token('-'),
      token('-'),
      path(d.path),
    ]),
    ...files.map((f, i) => [
      token('F'),
      token(String(i)),
      token(f.mode),
      token(f.owner),
      token(f.group),
      token(f.expected),
      token(sha256Hex(f.content)),
      path(f.path),
    ]),
  ];
}

/**
 * The transaction program (src/remote/sh/transaction.sh) with this spec as its input. The file
 * contents (keys among them) travel in the input, on stdin with the program (transport's
 * HostConnection.run), never in a file or on a command line. Exit codes: 0 committed/unchanged, 1 error, 3 locked, 4 conflict, 5 validate_failed,
 * 6 reload_failed.
 */
export function transactionScript(spec: TransactionSpec): string {
  checkSpec(spec);
  const prefix = trimSlash(spec.confPrefix);
  const state = trimSlash(spec.stateDir);
  const work = `${state}/stage/${spec.runId}`;
  const tree = `${work}/tree`;

  const plan = [
    ...planRows(spec.directories, spec.files),
    ...spec.deletes.map((d, i) => [
      token('X'),
      token(String(i)),
      token('-'),
      token('-'),
      token('-'),
      token(d.expected),
      token('-'),
      path(d.path),
    ]),
  ];
  // Staged text files refer to live paths; these rules point them at the candidate tree instead.
  const outside = spec.files.filter((f) => !isWithin(f.path, prefix));
  const rewrite = [
    ...outside.map((f) => `s#${sedPattern(f.path)}#${sedReplacement(`${work}/ext${f.path}`)}#g`),
    `s#${sedPattern(`${prefix}/`)}#${sedReplacement(`${tree}/`)}#g`,
  ];
  // And back, so nginx's error lines name the live files.
  const unrewrite = [
    `s#${sedPattern(`${tree}/`)}#${sedReplacement(`${prefix}/`)}#g`,
    `s#${sedPattern(`${work}/ext/`)}#/#g`,
  ];

  const input = new ScriptInput()
    .set('RUN_ID', spec.runId)
    .set('STATE', state)
    .set('PREFIX', prefix)
    .set('CONF', spec.confPath)
    .set('STAGE_CONF', `${tree}${spec.confPath.slice(prefix.length)}`)
    .set('NGINX', spec.nginxBinary)
    .set('NGINX_P', spec.nginxPrefix ?? '')
    .set('SVC', spec.serviceManager)
    .set('PID_FILE', spec.pidPath ?? '')
    .set('ERROR_LOG', spec.errorLogPath ?? '')
    .set('RELOAD_REQUESTED', spec.reload)
    .set('VALIDATE', spec.validate)
    .set('KEEP', spec.snapshotsToKeep)
    .set('LOCK_WAIT', spec.lockWaitSeconds)
    .set('CONFIRM_TIMEOUT', spec.confirmTimeoutSeconds ?? 10)
    .set('HEALTH_URL', spec.healthCheck?.url ?? '')
    .set('HEALTH_HOST', spec.healthCheck?.hostHeader ?? '')
    .set('NGINX_SEEN_ID', spec.nginxSeen?.identity ?? '')
    .set('NGINX_SEEN_V', spec.nginxSeen?.text ?? '')
    .set('APIM_RUN_LOGS_KEEP', RUN_LOGS_TO_KEEP)
    .rows('APIM_PLAN', plan)
    .payloads(spec.files.map((f) => f.content))
    .set('APIM_REWRITE', rewrite.join('\n'))
    .set('APIM_UNREWRITE', unrewrite.join('\n'))
    .set('APIM_RECORD_MANAGERS', spec.records.managers.join(' '))
    .rows(
      'APIM_RECORDS',
      // A fourth field, the note, is read back whole by the facts program: older versions ignore it.
      spec.records.files.map((r) => [
        token(r.manager),
        text(r.path),
        token(r.sha256 ?? '-'),
        ...(r.note !== undefined && r.sha256 !== undefined ? [text(r.note)] : []),
      ]),
    );
  return program('transaction', `run ${spec.runId}: contains file payloads; keep private`, input);
}

function checkSpec(spec: TransactionSpec): void {
  if (!RUN_ID.test(spec.runId)) throw new Error(`invalid runId ${JSON.stringify(spec.runId)}`);
  for (const [what, path] of [
    ['stateDir', spec.stateDir],
    ['confPrefix', spec.confPrefix],
    ['confPath', spec.confPath],
    ['nginxBinary', spec.nginxBinary],
  ] as const)
    assertPath(path, what);
  if (trimSlash(spec.confPrefix) === '/') throw new Error('confPrefix cannot be /');
  if (!isWithin(spec.confPath, spec.confPrefix) || spec.confPath === trimSlash(spec.confPrefix)) {
    throw new Error(`confPath ${spec.confPath} must lie inside confPrefix ${spec.confPrefix}`);
  }
  if (isWithin(spec.stateDir, spec.confPrefix) || isWithin(spec.confPrefix, spec.stateDir)) {
    throw new Error(
      `stateDir ${spec.stateDir} and confPrefix ${spec.confPrefix} must not contain each other`,
    );
  }
  if (!Number.isInteger(spec.snapshotsToKeep) || spec.snapshotsToKeep < 1) {
    throw new Error('snapshotsToKeep must be a positive integer');
  }
  if (!Number.isInteger(spec.lockWaitSeconds) || spec.lockWaitSeconds < 0) {
    throw new Error('lockWaitSeconds must be a non-negative integer');
  }
  const timeout = spec.confirmTimeoutSeconds ?? 10;
  if (!Number.isInteger(timeout) || timeout < 1)
    throw new Error('confirmTimeoutSeconds must be a positive integer');
  const seen = new Set<string>();
  for (const item of [...spec.files, ...spec.deletes, ...spec.directories]) {
    assertPath(item.path, 'path');
    if (seen.has(item.path)) throw new Error(`path listed twice in one transaction: ${item.path}`);
    seen.add(item.path);
  }
  for (const item of [...spec.files, ...spec.directories]) {
    assertValue(item.mode, FILE_MODE, `mode of ${item.path}`);
    assertValue(item.owner, ACCOUNT_NAME, `owner of ${item.path}`);
    assertValue(item.group, ACCOUNT_NAME, `group of ${item.path}`);
  }
  for (const item of [...spec.files, ...spec.deletes]) {
    if (item.expected !== 'absent' && item.expected !== 'link' && !SHA256.test(item.expected)) {
      throw new Error(`expected content of ${item.path} is not a sha256 digest, absent or link`);
    }
  }
  for (const m of spec.records.managers) assertValue(m, MANAGER, 'record manager');
  for (const r of spec.records.files) {
    assertValue(r.manager, MANAGER, 'record manager');
    assertPath(r.path, 'recorded path');
    if (r.sha256 !== undefined && !SHA256.test(r.sha256))
      throw new Error(`sha256 of the record of ${r.path} is not a digest`);
    if (!spec.records.managers.includes(r.manager))
      throw new Error(`record of ${r.path} names ${r.manager}, which is not among the managers that ran`);
  }
  if (spec.nginxSeen && !BINARY_IDENTITY.test(spec.nginxSeen.identity))
    throw new Error(
      `nginxSeen.identity ${JSON.stringify(spec.nginxSeen.identity)} is not a binary's identity`,
    );
  if (spec.healthCheck) {
    assertStrictUrl(spec.healthCheck.url, 'health check URL', { query: true });
    const host = spec.healthCheck.hostHeader;
    if (host !== undefined && !/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/.test(host))
      throw new Error(`health check host header ${JSON.stringify(host)} is not a host name`);
  }
}
