import { createHash } from 'node:crypto';
import { CORE_FUNCTIONS, LOCK_FUNCTIONS, PRELUDE, PUT_FILE_FUNCTION } from './shell-lib.js';
import { NGINX_FUNCTIONS, SNAPSHOT_FUNCTIONS } from './nginx-shell.js';
import {
  assembleScript,
  assertAbsolutePath,
  assertAccountName,
  base64One,
  isWithin,
  normalizeMode,
  sedPattern,
  sedReplacement,
  sh,
  shQuote,
  trimSlash,
} from './shell.js';

export type ServiceManager = 'systemd' | 'sysv' | 'none';

export interface TransactionFile {
  path: string;
  content: Buffer;
  /** Octal, e.g. `0644`; keys `0600`. */
  mode: string;
  owner: string;
  group: string;
  /** sha256 the plan saw on the host; null = the file did not exist. */
  expectedSha256: string | null;
}

export interface TransactionDirectory {
  path: string;
  mode: string;
  owner: string;
  group: string;
}

export interface TransactionDelete {
  path: string;
  expectedSha256: string | null;
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
  /** Full set of files the tool manages after this run; recorded on the host for stale-file removal. */
  managedFiles: string[];
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
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The transaction commit script: lock, compare-and-swap, stage + `nginx -t` on a copy of the tree,
 * snapshot, pending-reload marker, atomic swap, live `nginx -t`, reload with proof, rollback on any
 * failure, stale-file removal, snapshot pruning. File contents travel inside the script as base64
 * heredocs, so the script must be uploaded to a private file (it may contain keys).
 * Exit codes: 0 committed/unchanged, 1 error, 3 locked, 4 conflict, 5 validate_failed, 6 reload_failed.
 */
export function transactionScript(spec: TransactionSpec): string {
  checkSpec(spec);
  const prefix = trimSlash(spec.confPrefix);
  const state = trimSlash(spec.stateDir);
  const work = `${state}/stage/${spec.runId}`;
  const tree = `${work}/tree`;

  const planLines: string[] = [];
  spec.directories.forEach((d, i) =>
    planLines.push(`D ${i} ${normalizeMode(d.mode)} ${d.owner} ${d.group} - - ${base64One(d.path)}`),
  );
  spec.files.forEach((f, i) =>
    planLines.push(
      `F ${i} ${normalizeMode(f.mode)} ${f.owner} ${f.group} ${f.expectedSha256 ?? 'absent'} ${sha256Hex(f.content)} ${base64One(f.path)}`,
    ),
  );
  spec.deletes.forEach((d, i) =>
    planLines.push(`X ${i} - - - ${d.expectedSha256 ?? 'absent'} - ${base64One(d.path)}`),
  );

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
  const touched = [...spec.files.map((f) => f.path), ...spec.deletes.map((d) => d.path)];

  const payloads = spec.files
    .map(
      (f, i) =>
        `  apim_b64dec >"$WORK/payload/${i}" <<'APIM_PAYLOAD_END' || return 1\n${wrap64(f.content)}\nAPIM_PAYLOAD_END`,
    )
    .join('\n');

  const header = [
    PRELUDE,
    `RUN_ID=${shQuote(spec.runId)}`,
    `STATE=${shQuote(state)}`,
    `PREFIX=${shQuote(prefix)}`,
    `CONF=${shQuote(spec.confPath)}`,
    `STAGE_CONF=${shQuote(`${tree}${spec.confPath.slice(prefix.length)}`)}`,
    `NGINX=${shQuote(spec.nginxBinary)}`,
    `NGINX_P=${shQuote(spec.nginxPrefix ?? '')}`,
    `SVC=${shQuote(spec.serviceManager)}`,
    `PID_FILE=${shQuote(spec.pidPath ?? '')}`,
    `ERROR_LOG=${shQuote(spec.errorLogPath ?? '')}`,
    `RELOAD_REQUESTED=${spec.reload ? 1 : 0}`,
    `VALIDATE=${spec.validate ? 1 : 0}`,
    `KEEP=${spec.snapshotsToKeep}`,
    `LOCK_WAIT=${spec.lockWaitSeconds}`,
    `CONFIRM_TIMEOUT=${spec.confirmTimeoutSeconds ?? 10}`,
    `HEALTH_URL=${shQuote(spec.healthCheck?.url ?? '')}`,
    `HEALTH_HOST=${shQuote(spec.healthCheck?.hostHeader ?? '')}`,
    `WORK="$STATE/stage/$RUN_ID"`,
  ].join('\n');

  const data = [
    'apim_write_inputs() {',
    `  cat >"$WORK/plan" <<'APIM_DATA_END'\n${planLines.map((l) => `${l}\n`).join('')}APIM_DATA_END`,
    `  cat >"$WORK/managed.new" <<'APIM_DATA_END'\n${spec.managedFiles.map((l) => `${l}\n`).join('')}APIM_DATA_END`,
    `  cat >"$WORK/touched" <<'APIM_DATA_END'\n${touched.map((l) => `${l}\n`).join('')}APIM_DATA_END`,
    `  cat >"$WORK/rewrite.sed" <<'APIM_DATA_END'\n${rewrite.join('\n')}\nAPIM_DATA_END`,
    `  cat >"$WORK/unrewrite.sed" <<'APIM_DATA_END'\n${unrewrite.join('\n')}\nAPIM_DATA_END`,
    payloads,
    '  :',
    '}',
  ].join('\n');

  return assembleScript(`apim-provision transaction ${spec.runId}: contains file payloads; keep private.`, [
    header,
    CORE_FUNCTIONS,
    LOCK_FUNCTIONS,
    PUT_FILE_FUNCTION,
    NGINX_FUNCTIONS,
    SNAPSHOT_FUNCTIONS,
    TRANSACTION_FUNCTIONS,
    data,
    TRANSACTION_MAIN,
  ]);
}

function wrap64(content: Buffer): string {
  return (
    content
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n') ?? ''
  );
}

function checkSpec(spec: TransactionSpec): void {
  if (!RUN_ID.test(spec.runId)) throw new Error(`invalid runId ${JSON.stringify(spec.runId)}`);
  assertAbsolutePath(spec.stateDir, 'stateDir');
  assertAbsolutePath(spec.confPrefix, 'confPrefix');
  assertAbsolutePath(spec.confPath, 'confPath');
  assertAbsolutePath(spec.nginxBinary, 'nginxBinary');
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
    assertAbsolutePath(item.path, 'path');
    if (seen.has(item.path)) throw new Error(`path listed twice in one transaction: ${item.path}`);
    seen.add(item.path);
  }
  for (const item of [...spec.files, ...spec.directories]) {
    normalizeMode(item.mode);
    assertAccountName(item.owner, `owner of ${item.path}`);
    assertAccountName(item.group, `group of ${item.path}`);
  }
  for (const item of [...spec.files, ...spec.deletes]) {
    if (item.expectedSha256 !== null && !/^[0-9a-f]{64}$/.test(item.expectedSha256)) {
      throw new Error(`expectedSha256 of ${item.path} is not a lowercase sha256 hex digest`);
    }
  }
  for (const path of spec.managedFiles) assertAbsolutePath(path, 'managed file');
  if (spec.healthCheck && /[\n\0]/.test(spec.healthCheck.url + (spec.healthCheck.hostHeader ?? ''))) {
    throw new Error('health check URL and host header must be single-line');
  }
}

/** Steps of the transaction, as functions over the plan file (one line per directory/file/delete). */
const TRANSACTION_FUNCTIONS = sh`
apim_finish() {
  apim_emit status "$1"
  exit "$2"
}
apim_cleanup() {
  [ -n "$\{WORK:-}" ] && [ -d "$WORK" ] && rm -rf "$WORK"
  apim_unlock
}
apim_path() { printf '%s' "$1" | apim_b64dec; }
# Stale files: recorded as managed by an earlier run, no longer managed now. Folded into the plan
# as deletes without a compare-and-swap (the tool wrote them; nothing else is ever removed).
apim_add_stale() {
  [ -f "$STATE/managed-files" ] || return 0
  apim_st_n=0
  while IFS= read -r apim_st_p; do
    case $apim_st_p in /*) ;; *) continue ;; esac
    grep -Fxq -e "$apim_st_p" "$WORK/managed.new" && continue
    grep -Fxq -e "$apim_st_p" "$WORK/touched" && continue
    [ -f "$apim_st_p" ] || [ -L "$apim_st_p" ] || continue
    printf 'X s%s - - - * - %s\n' "$apim_st_n" "$(printf '%s' "$apim_st_p" | apim_b64enc)" >>"$WORK/plan"
    apim_emit_b64 stale "$apim_st_p"
    apim_st_n=$((apim_st_n + 1))
  done <"$STATE/managed-files"
}
apim_verify_payloads() {
  while read -r k i mode owner group expected want b64; do
    [ "$k" = F ] || continue
    if [ "$(apim_sha256 "$WORK/payload/$i")" != "$want" ]; then
      apim_msg "payload of $(apim_path "$b64") is damaged (sha256 mismatch)"
      return 1
    fi
  done <"$WORK/plan"
}
# Sets CHANGED; emits conflict/change records. Returns 1 on any conflict.
apim_compare() {
  apim_cmp_status=0
  CHANGED=0
  while read -r k i mode owner group expected want b64; do
    p=$(apim_path "$b64")
    case $k in
      F)
        cur=$(apim_content_id "$p")
        if [ "$cur" = other ]; then
          apim_msg "$p exists and is not a regular file"
          apim_emit conflict "$b64"
          apim_cmp_status=1
        elif [ "$cur" != "$expected" ] && [ "$cur" != "$want" ]; then
          apim_msg "$p changed on the host since the plan was made"
          apim_emit conflict "$b64"
          apim_cmp_status=1
        fi
        if [ "$cur" != "$want" ] || ! apim_attrs_match "$p" "$mode" "$owner" "$group"; then
          CHANGED=1
          apim_emit change "$b64"
        fi
        ;;
      X)
        cur=$(apim_content_id "$p")
        if [ "$expected" != '*' ] && [ "$cur" != "$expected" ] && [ "$cur" != absent ]; then
          apim_msg "$p changed on the host since the plan was made"
          apim_emit conflict "$b64"
          apim_cmp_status=1
        fi
        if [ "$cur" != absent ]; then
          CHANGED=1
          apim_emit change "$b64"
        fi
        ;;
      D)
        if [ -e "$p" ] && [ ! -d "$p" ]; then
          apim_msg "$p exists and is not a directory"
          apim_emit conflict "$b64"
          apim_cmp_status=1
        elif ! apim_attrs_match "$p" "$mode" "$owner" "$group"; then
          CHANGED=1
          apim_emit change "$b64"
        fi
        ;;
    esac
  done <"$WORK/plan"
  return $apim_cmp_status
}
# The previous state of everything the plan touches, kept in the work folder until validation passed.
apim_take_snapshot() {
  mkdir -m 700 "$WORK/snap" "$WORK/snap/files" || return 1
  : >"$WORK/snap/manifest"
  if [ -f "$STATE/managed-files" ]; then cp "$STATE/managed-files" "$WORK/snap/managed-files" || return 1; fi
  while read -r k i mode owner group expected want b64; do
    case $k in
      D) apim_snap_add "$WORK/snap" d "d$i" "$(apim_path "$b64")" || return 1 ;;
      F) apim_snap_add "$WORK/snap" f "f$i" "$(apim_path "$b64")" || return 1 ;;
      X) apim_snap_add "$WORK/snap" f "x$i" "$(apim_path "$b64")" || return 1 ;;
    esac
  done <"$WORK/plan"
}
# Folders outside the conf tree that must exist for nginx -t (log folders): created live now, listed
# so a refused configuration leaves nothing behind.
apim_mkdir_recorded() {
  apim_mr=$1
  while [ -n "$apim_mr" ] && [ ! -d "$apim_mr" ]; do
    printf '%s\n' "$apim_mr" >>"$WORK/created-dirs"
    apim_mr=$\{apim_mr%/*}
  done
  mkdir -p "$1"
}
apim_remove_created_dirs() {
  [ -f "$WORK/created-dirs" ] || return 0
  sort -r "$WORK/created-dirs" | while IFS= read -r d; do rmdir "$d" 2>/dev/null || :; done
}
# Copy of the live tree with the plan applied and absolute paths pointed into the copy; nginx -t on it.
apim_stage_and_validate() {
  cp -a "$PREFIX" "$WORK/tree" || { apim_msg "could not copy $PREFIX to the stage"; return 2; }
  find "$WORK/tree" -type l -exec sh -c '
    p=$1; t=$2; shift 2
    for l do
      d=$(readlink "$l")
      case $d in "$p"/*) ln -sfn "$t/$\{d#"$p"/}" "$l" ;; "$p") ln -sfn "$t" "$l" ;; esac
    done' sh "$PREFIX" "$WORK/tree" {} +
  while read -r k i mode owner group expected want b64; do
    p=$(apim_path "$b64")
    case $p in "$PREFIX"/*) sp="$WORK/tree/$\{p#"$PREFIX"/}" ;; *) sp="$WORK/ext$p" ;; esac
    case $k in
      F) mkdir -p "$\{sp%/*}" && rm -f "$sp" && cp "$WORK/payload/$i" "$sp" || return 2 ;;
      X) case $p in "$PREFIX"/*) rm -f "$sp" ;; esac ;;
      D) case $p in "$PREFIX"/*) mkdir -p "$sp" ;; *) apim_mkdir_recorded "$p" ;; esac || return 2 ;;
    esac
  done <"$WORK/plan"
  find "$WORK/tree" -type f -exec sh -c '
    for f do
      head -c 11 "$f" 2>/dev/null | grep -q "^-----BEGIN" && continue
      sed -i -f "$0" "$f" || exit 1
    done' "$WORK/rewrite.sed" {} + || { apim_msg "could not rewrite paths in the stage"; return 2; }
  if "$NGINX" -h 2>&1 | grep -q -- '-e filename'; then
    APIM_NGINX_OUT=$("$NGINX" -t -c "$STAGE_CONF" -p "$WORK/tree/" -e "$WORK/startup-error.log" 2>&1)
  else
    APIM_NGINX_OUT=$("$NGINX" -t -c "$STAGE_CONF" -p "$WORK/tree/" 2>&1)
  fi
  apim_sv_rc=$?
  APIM_NGINX_OUT=$(printf '%s\n' "$APIM_NGINX_OUT" | sed -f "$WORK/unrewrite.sed")
  return $apim_sv_rc
}
apim_swap() {
  while read -r k i mode owner group expected want b64; do
    [ "$k" = D ] || continue
    p=$(apim_path "$b64")
    mkdir -p "$p" && chmod "$mode" "$p" && chown "$owner:$group" "$p" || { apim_msg "could not create $p"; return 1; }
  done <"$WORK/plan"
  while read -r k i mode owner group expected want b64; do
    p=$(apim_path "$b64")
    case $k in
      F) apim_put_file "$WORK/payload/$i" "$p" "$mode" "$owner" "$group" || { apim_msg "could not write $p"; return 1; } ;;
      X) rm -f "$p" || { apim_msg "could not remove $p"; return 1; } ;;
    esac
  done <"$WORK/plan"
}
apim_set_pending() {
  printf '%s\n' "$RUN_ID" >"$STATE/pending-reload.tmp" && mv -f "$STATE/pending-reload.tmp" "$STATE/pending-reload"
}
apim_write_managed() {
  if [ -f "$STATE/managed-files" ] && cmp -s "$WORK/managed.new" "$STATE/managed-files"; then return 0; fi
  cp "$WORK/managed.new" "$STATE/managed-files.tmp" && mv -f "$STATE/managed-files.tmp" "$STATE/managed-files"
}
apim_prune_snapshots() {
  apim_ps_index="$STATE/snapshots/index"
  [ -f "$apim_ps_index" ] || return 0
  apim_ps_total=$(wc -l <"$apim_ps_index" | tr -d ' ')
  [ "$apim_ps_total" -gt "$KEEP" ] || return 0
  head -n $((apim_ps_total - KEEP)) "$apim_ps_index" | while IFS= read -r id; do
    case $id in '' | *[!A-Za-z0-9._-]* | . | ..) continue ;; esac
    rm -rf "$STATE/snapshots/$id"
  done
  tail -n "$KEEP" "$apim_ps_index" >"$apim_ps_index.tmp" && mv -f "$apim_ps_index.tmp" "$apim_ps_index"
}
# After a failed reload/start/health check: files back, nginx -t, reload the old config, prove it.
apim_roll_back() {
  apim_restore "$SNAP" || return 1
  APIM_ROLLBACK_OUT=
  if [ -n "$(apim_master_pid)" ]; then
    APIM_ROLLBACK_OUT=$(apim_nginx -t -c "$CONF" 2>&1) || return 1
    apim_log_settle "$CONFIRM_TIMEOUT"
    apim_nginx_before
    apim_reload_confirm "$CONFIRM_TIMEOUT" || { APIM_ROLLBACK_OUT=$APIM_NGINX_OUT; return 1; }
  fi
  return 0
}
`;

const TRANSACTION_MAIN = sh`
mkdir -p "$STATE/runs" "$STATE/stage" "$STATE/snapshots" || { apim_msg "cannot create $STATE"; apim_finish error 1; }
chmod 700 "$STATE" "$STATE/stage" "$STATE/snapshots"
APIM_LOG="$STATE/runs/$RUN_ID.log"
: >"$APIM_LOG"
apim_emit run "$RUN_ID"
apim_require_tools || apim_finish error 1
if ! apim_lock "$LOCK_WAIT"; then
  apim_msg "another apply still holds the lock on $STATE after $LOCK_WAIT s"
  apim_finish locked 3
fi
trap 'apim_cleanup' EXIT
apim_tidy_state
mkdir -m 700 "$WORK" "$WORK/payload" || apim_finish error 1
apim_write_inputs || { apim_msg "could not unpack the payload"; apim_finish error 1; }
apim_verify_payloads || apim_finish error 1
PENDING=0
if [ -f "$STATE/pending-reload" ]; then
  PENDING=1
  apim_emit_b64 pending "$(cat "$STATE/pending-reload" 2>/dev/null)"
fi
DO_RELOAD=$RELOAD_REQUESTED
[ "$PENDING" = 1 ] && DO_RELOAD=1
apim_add_stale
apim_compare || apim_finish conflict 4
# Nothing to change and nothing pending: done, unless a reload was asked for and nginx is stopped.
NEED_START=0
if [ "$CHANGED" = 0 ] && [ "$PENDING" = 0 ] && [ "$RELOAD_REQUESTED" = 1 ]; then
  apim_nginx_paths
  [ -n "$(apim_master_pid)" ] || NEED_START=1
fi
if [ "$CHANGED" = 0 ] && [ "$PENDING" = 0 ] && [ "$NEED_START" = 0 ]; then
  apim_write_managed
  apim_msg "every file already has the desired content, mode and owner; nothing to do"
  apim_finish unchanged 0
fi

SNAP=
if [ "$CHANGED" = 1 ]; then
  apim_take_snapshot || { apim_msg "could not take a snapshot"; apim_finish error 1; }
  if [ "$VALIDATE" = 1 ]; then
    apim_stage_and_validate
    case $? in
      0) ;;
      1)
        apim_remove_created_dirs
        apim_emit_b64 validate_failed "$APIM_NGINX_OUT"
        apim_finish validate_failed 5
        ;;
      *)
        apim_remove_created_dirs
        apim_finish error 1
        ;;
    esac
    apim_emit validated 1
  fi
  SNAP="$STATE/snapshots/$RUN_ID"
  rm -rf "$SNAP"
  mv "$WORK/snap" "$SNAP" || { apim_msg "could not store the snapshot"; apim_finish error 1; }
  printf '%s\n' "$RUN_ID" >>"$STATE/snapshots/index"
  apim_emit snapshot "$RUN_ID"
  # The marker survives an interrupted run: the next run sees it and reloads.
  [ "$DO_RELOAD" = 1 ] && apim_set_pending
  # Test-only hook: pause here so a test can cut the connection mid-way. sudo strips the
  # environment, so lab tests write the seconds to $STATE/test-pause-seconds (a root-only folder).
  APIM_PAUSE=$\{APIM_TEST_PAUSE_SECONDS:-}
  if [ -z "$APIM_PAUSE" ] && [ -f "$STATE/test-pause-seconds" ]; then
    APIM_PAUSE=$(cat "$STATE/test-pause-seconds")
  fi
  case $APIM_PAUSE in
    '' | *[!0-9]*) ;;
    *)
      apim_emit paused 1
      sleep "$APIM_PAUSE"
      ;;
  esac
  if ! apim_swap; then
    apim_restore "$SNAP" && apim_emit rolled_back 1
    [ "$PENDING" = 1 ] || rm -f "$STATE/pending-reload"
    apim_finish error 1
  fi
  apim_emit swapped 1
  if [ "$VALIDATE" = 1 ] && ! APIM_NGINX_OUT=$(apim_nginx -t -c "$CONF" 2>&1); then
    apim_restore "$SNAP" && apim_emit rolled_back 1
    [ "$PENDING" = 1 ] || rm -f "$STATE/pending-reload"
    apim_emit_b64 validate_failed "$APIM_NGINX_OUT"
    apim_finish validate_failed 5
  fi
fi

if [ "$DO_RELOAD" = 1 ]; then
  apim_nginx_paths
  apim_nginx_before
  APIM_FAILED=0
  if [ -z "$APIM_MASTER" ]; then
    if apim_start_nginx "$CONFIRM_TIMEOUT"; then apim_emit started 1; else APIM_FAILED=1; fi
  else
    if apim_reload_confirm "$CONFIRM_TIMEOUT"; then apim_emit reloaded 1; else APIM_FAILED=1; fi
  fi
  if [ "$APIM_FAILED" = 0 ] && ! apim_health; then APIM_FAILED=1; fi
  if [ "$APIM_FAILED" = 1 ]; then
    apim_emit_b64 reload_failed "$APIM_NGINX_OUT"
    if [ -n "$SNAP" ]; then
      if apim_roll_back; then
        apim_emit rolled_back 1
        rm -f "$STATE/pending-reload"
      else
        apim_emit_b64 rollback_failed "$APIM_ROLLBACK_OUT"
      fi
    fi
    apim_finish reload_failed 6
  fi
  rm -f "$STATE/pending-reload"
fi
apim_write_managed
apim_prune_snapshots
apim_emit committed 1
apim_finish committed 0
`;
