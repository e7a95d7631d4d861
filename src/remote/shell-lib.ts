import { sh } from './shell.js';

/**
 * Shell functions shared by the remote scripts. Plain POSIX sh: they run under dash and bash, with
 * GNU coreutils or busybox, and fall back to openssl where base64 or sha256sum are missing.
 */

/** Strict-ish start of every script: unset variables are errors; predictable tools and locale. */
export const PRELUDE = sh`set -u
umask 022
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH
LC_ALL=C
export LC_ALL
APIM_LOG=
`;

/** `@@APIM` output (also appended to $APIM_LOG when set), base64 and sha256 helpers. */
export const CORE_FUNCTIONS = sh`
apim_emit() {
  printf '@@APIM %s %s\n' "$1" "$2"
  if [ -n "$APIM_LOG" ]; then printf '@@APIM %s %s\n' "$1" "$2" >>"$APIM_LOG" 2>/dev/null || :; fi
  return 0
}
apim_b64enc() {
  if command -v base64 >/dev/null 2>&1; then base64 | tr -d '\n'; else openssl base64 -A; fi
}
apim_b64dec() {
  if command -v base64 >/dev/null 2>&1; then base64 -d
  else { tr -d '\n'; echo; } | fold -w 64 | openssl base64 -d; fi
}
apim_emit_b64() { apim_emit "$1" "$(printf '%s' "$2" | apim_b64enc)"; }
apim_msg() {
  printf '%s\n' "$1" >&2
  apim_emit_b64 message "$1"
}
apim_sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum <"$1" | cut -d' ' -f1
  else openssl dgst -sha256 <"$1" | sed 's/^.*= *//'; fi
}
# Content hash of a path as the transaction compares it: sha256, "absent", or "other" (not a file).
apim_content_id() {
  if [ -f "$1" ]; then apim_sha256 "$1"
  elif [ -e "$1" ] || [ -L "$1" ]; then echo other
  else echo absent; fi
}
# "<mode> <user> <group> <uid> <gid> <size>" with a 4-digit mode; empty when the path does not exist.
apim_stat() {
  apim_st=$(stat -c '%a %U %G %u %g %s' "$1" 2>/dev/null) || return 1
  set -- $apim_st
  printf '%04d %s %s %s %s %s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}
# Does the path have mode $2, owner $3 and group $4 (names or numeric ids)?
apim_attrs_match() {
  apim_am=$(apim_stat "$1") || return 1
  set -- "$2" "$3" "$4" $apim_am
  [ "$1" = "$4" ] || return 1
  [ "$2" = "$5" ] || [ "$2" = "$7" ] || return 1
  [ "$3" = "$6" ] || [ "$3" = "$8" ] || return 1
}
apim_require_tools() {
  if ! command -v base64 >/dev/null 2>&1 && ! command -v openssl >/dev/null 2>&1; then
    apim_msg "neither base64 nor openssl is installed: cannot decode the payload"
    return 1
  fi
  if ! command -v sha256sum >/dev/null 2>&1 && ! command -v openssl >/dev/null 2>&1; then
    apim_msg "neither sha256sum nor openssl is installed: cannot hash files"
    return 1
  fi
}
# Short pause for polling loops; busybox and GNU sleep take fractions, POSIX sleep may not.
apim_nap() { sleep 0.2 2>/dev/null || sleep 1; }
`;

/** Run logs ($STATE/runs/<run>.log) kept on the host; older ones are removed by the next run. */
export const RUN_LOGS_TO_KEEP = 100;

/**
 * Exclusive lock on the state directory: flock(1) on <state>/lock when present, else an atomic
 * mkdir lock whose holder pid is checked so a crashed run does not block forever. Emits `lock_busy 1`
 * when it had to wait and `lock_acquired <epoch>` once held. Uses $STATE.
 */
export const LOCK_FUNCTIONS = sh`
APIM_LOCK_MODE=
apim_lock() {
  if command -v flock >/dev/null 2>&1; then
    exec 9>>"$STATE/lock"
    if ! flock -n 9; then
      apim_emit lock_busy 1
      flock -w "$1" 9 || return 1
    fi
    APIM_LOCK_MODE=flock
  else
    apim_lk_waited=0
    apim_lk_busy=0
    while ! mkdir "$STATE/lock.d" 2>/dev/null; do
      apim_lk_pid=$(cat "$STATE/lock.d/pid" 2>/dev/null || :)
      if [ -n "$apim_lk_pid" ] && ! kill -0 "$apim_lk_pid" 2>/dev/null; then
        rm -rf "$STATE/lock.d"
        continue
      fi
      if [ -z "$apim_lk_pid" ] && [ -n "$(find "$STATE/lock.d" -maxdepth 0 -mmin +1 2>/dev/null)" ]; then
        rm -rf "$STATE/lock.d"
        continue
      fi
      if [ "$apim_lk_busy" = 0 ]; then apim_emit lock_busy 1; apim_lk_busy=1; fi
      [ "$apim_lk_waited" -ge "$1" ] && return 1
      sleep 1
      apim_lk_waited=$((apim_lk_waited + 1))
    done
    echo $$ >"$STATE/lock.d/pid"
    APIM_LOCK_MODE=dir
  fi
  apim_emit lock_acquired "$(date +%s)"
}
apim_unlock() {
  case $APIM_LOCK_MODE in
    flock) exec 9>&- ;;
    dir) rm -rf "$STATE/lock.d" ;;
  esac
  APIM_LOCK_MODE=
}
# Called by the lock holder before it makes its own stage folder, so no run is using one: removes
# those of runs killed before their EXIT trap (SIGKILL, power loss); keeps the newest run logs.
apim_tidy_state() {
  for apim_td in "$STATE/stage"/*; do
    [ -d "$apim_td" ] && rm -rf "$apim_td"
  done
  ls -1t "$STATE/runs" 2>/dev/null | tail -n +${String(RUN_LOGS_TO_KEEP + 1)} | while IFS= read -r apim_td; do
    rm -f "$STATE/runs/$apim_td"
  done
  return 0
}
`;

/**
 * Writes file $1 (content source) to path $2 with mode $3, owner $4, group $5: a temp file in the
 * target's own folder is created under umask 077, gets its final mode and owner BEFORE any content
 * is written (a key is never readable by others, even for a moment), then is renamed onto the
 * target (atomic). The temp name ends in .tmp so no `*.conf` include glob picks it up. Uses $RUN_ID.
 */
export const PUT_FILE_FUNCTION = sh`
apim_put_file() {
  apim_pf_dir=$\{2%/*}
  [ -n "$apim_pf_dir" ] || apim_pf_dir=/
  [ -d "$apim_pf_dir" ] || mkdir -p "$apim_pf_dir" || return 1
  apim_pf_tmp="$apim_pf_dir/.apim-$RUN_ID.$$.tmp"
  rm -f "$apim_pf_tmp"
  (umask 077 && : >"$apim_pf_tmp") || return 1
  if chmod "$3" "$apim_pf_tmp" && chown "$4:$5" "$apim_pf_tmp" && cat "$1" >"$apim_pf_tmp" &&
    mv -f "$apim_pf_tmp" "$2"; then
    return 0
  fi
  rm -f "$apim_pf_tmp"
  return 1
}
`;
