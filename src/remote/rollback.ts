import { CORE_FUNCTIONS, LOCK_FUNCTIONS, PRELUDE, PUT_FILE_FUNCTION } from './shell-lib.js';
import { NGINX_FUNCTIONS, SNAPSHOT_FUNCTIONS } from './nginx-shell.js';
import { Records, decodeText } from './output-protocol.js';
import { assembleScript, assertAbsolutePath, sh, shQuote, trimSlash } from './shell.js';
import type { ServiceManager } from './transaction.js';

export interface RollbackOptions {
  stateDir: string;
  confPrefix: string;
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

/**
 * Undoes commits: restores snapshots from the newest back to the requested one (each records the
 * state before its run), validates with `nginx -t`, reloads and confirms. The current state is
 * snapshotted first, so a rollback that does not validate or reload puts the current files back.
 */
export function rollbackScript(opts: RollbackOptions): string {
  assertAbsolutePath(opts.stateDir, 'stateDir');
  assertAbsolutePath(opts.confPath, 'confPath');
  assertAbsolutePath(opts.nginxBinary, 'nginxBinary');
  if (opts.snapshotId !== undefined && !ID.test(opts.snapshotId)) {
    throw new Error(`invalid snapshot id ${JSON.stringify(opts.snapshotId)}`);
  }
  const header = [
    PRELUDE,
    `RUN_ID="rollback-$(date +%Y%m%d%H%M%S)-$$"`,
    `STATE=${shQuote(trimSlash(opts.stateDir))}`,
    `PREFIX=${shQuote(trimSlash(opts.confPrefix))}`,
    `CONF=${shQuote(opts.confPath)}`,
    `NGINX=${shQuote(opts.nginxBinary)}`,
    `NGINX_P=${shQuote(opts.nginxPrefix ?? '')}`,
    `SVC=${shQuote(opts.serviceManager)}`,
    `PID_FILE=${shQuote(opts.pidPath ?? '')}`,
    `ERROR_LOG=${shQuote(opts.errorLogPath ?? '')}`,
    `TARGET=${shQuote(opts.snapshotId ?? '')}`,
    `LOCK_WAIT=${opts.lockWaitSeconds ?? 60}`,
    `CONFIRM_TIMEOUT=${opts.confirmTimeoutSeconds ?? 10}`,
    'WORK="$STATE/stage/$RUN_ID"',
  ].join('\n');
  return assembleScript('apim-provision rollback', [
    header,
    CORE_FUNCTIONS,
    LOCK_FUNCTIONS,
    PUT_FILE_FUNCTION,
    NGINX_FUNCTIONS,
    SNAPSHOT_FUNCTIONS,
    ROLLBACK_BODY,
  ]);
}

const ROLLBACK_BODY = sh`
apim_finish() {
  apim_emit status "$1"
  exit "$2"
}
apim_cleanup() {
  [ -d "$WORK" ] && rm -rf "$WORK"
  apim_unlock
}
INDEX="$STATE/snapshots/index"
[ -d "$STATE/snapshots" ] || { apim_msg "no snapshots in $STATE"; apim_finish no_snapshot 7; }
mkdir -p "$STATE/runs" "$STATE/stage" && chmod 700 "$STATE/stage"
APIM_LOG="$STATE/runs/$RUN_ID.log"
: >"$APIM_LOG"
apim_require_tools || apim_finish error 1
apim_lock "$LOCK_WAIT" || { apim_msg "another apply holds the lock on $STATE"; apim_finish locked 3; }
trap 'apim_cleanup' EXIT
apim_tidy_state
mkdir -m 700 "$WORK" || apim_finish error 1
[ -f "$INDEX" ] || { apim_msg "no snapshots in $STATE"; apim_finish no_snapshot 7; }
[ -n "$TARGET" ] || TARGET=$(tail -n 1 "$INDEX")
if [ -z "$TARGET" ] || ! grep -Fxq -e "$TARGET" "$INDEX" || [ ! -f "$STATE/snapshots/$TARGET/manifest" ]; then
  apim_msg "snapshot '$TARGET' not found in $STATE/snapshots"
  apim_finish no_snapshot 7
fi
# Snapshots from the newest back to the target, newest first.
awk -v t="$TARGET" 'f || $0 == t { f = 1; print }' "$INDEX" | sed -n '1!G;h;$p' >"$WORK/undo"

# The current state of every path the undone runs touched, to put back if the rollback is refused.
mkdir -m 700 "$WORK/cur" "$WORK/cur/files" && : >"$WORK/cur/manifest" || apim_finish error 1
: >"$WORK/seen"
n=0
while IFS= read -r id; do
  while read -r k e mode uid gid i b64; do
    grep -Fxq -e "$k $b64" "$WORK/seen" && continue
    printf '%s\n' "$k $b64" >>"$WORK/seen"
    apim_snap_add "$WORK/cur" "$k" "c$n" "$(printf '%s' "$b64" | apim_b64dec)" || apim_finish error 1
    n=$((n + 1))
  done <"$STATE/snapshots/$id/manifest"
done <"$WORK/undo"
[ -f "$STATE/managed-files" ] && cp "$STATE/managed-files" "$WORK/cur/managed-files"
PENDING=0
[ -f "$STATE/pending-reload" ] && PENDING=1
printf '%s\n' "$RUN_ID" >"$STATE/pending-reload"

apim_put_back_current() {
  apim_restore "$WORK/cur" || apim_emit current_restore_failed 1
  if [ -f "$WORK/cur/managed-files" ]; then cp "$WORK/cur/managed-files" "$STATE/managed-files"; fi
  [ "$PENDING" = 1 ] || rm -f "$STATE/pending-reload"
  apim_emit kept_current 1
}

while IFS= read -r id; do
  apim_restore "$STATE/snapshots/$id" || { apim_put_back_current; apim_finish error 1; }
done <"$WORK/undo"
if [ -f "$STATE/snapshots/$TARGET/managed-files" ]; then
  cp "$STATE/snapshots/$TARGET/managed-files" "$STATE/managed-files"
else
  rm -f "$STATE/managed-files"
fi

if ! APIM_NGINX_OUT=$(apim_nginx -t -c "$CONF" 2>&1); then
  apim_emit_b64 validate_failed "$APIM_NGINX_OUT"
  apim_put_back_current
  apim_finish validate_failed 5
fi
apim_nginx_paths
apim_nginx_before
if [ -n "$APIM_MASTER" ]; then
  if ! apim_reload_confirm "$CONFIRM_TIMEOUT"; then
    apim_emit_b64 reload_failed "$APIM_NGINX_OUT"
    apim_put_back_current
    apim_log_settle "$CONFIRM_TIMEOUT"
    apim_nginx_before
    apim_reload_confirm "$CONFIRM_TIMEOUT" || apim_emit_b64 reload_failed "$APIM_NGINX_OUT"
    apim_finish reload_failed 6
  fi
  apim_emit reloaded 1
else
  apim_msg "nginx is not running: the restored files take effect when it starts"
fi
rm -f "$STATE/pending-reload"
# The undone snapshots are consumed: the next rollback goes further back.
while IFS= read -r id; do
  apim_emit undone "$id"
  rm -rf "$STATE/snapshots/$id"
done <"$WORK/undo"
awk -v t="$TARGET" '$0 == t { exit } { print }' "$INDEX" >"$INDEX.tmp" && mv -f "$INDEX.tmp" "$INDEX"
apim_emit rolled_back_to "$TARGET"
apim_finish rolled_back 0
`;

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
