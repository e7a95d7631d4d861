# shellcheck shell=sh
# Undoes commits: restores snapshots from the newest back to the requested one (each records the
# state before its run, records included), validates with `nginx -t`, reloads and confirms. The
# current state is snapshotted first, so a rollback that does not validate or reload puts the
# current files back.
# Input: STATE, CONF, NGINX, NGINX_P, SVC, PID_FILE, ERROR_LOG, TARGET (empty: the newest
# snapshot), LOCK_WAIT, CONFIRM_TIMEOUT, APIM_RUN_LOGS_KEEP.
# Exit codes: 0 rolled back, 1 error, 3 locked, 5 validate_failed, 6 reload_failed, 7 no_snapshot.

apim_finish() {
  apim_emit status "$1"
  exit "$2"
}
apim_cleanup() {
  [ -d "$WORK" ] && rm -rf "$WORK"
  apim_unlock
}
# $1: a folder holding `records` / `managed-files` copies (a snapshot or the current state).
apim_records_from() {
  for apim_rf_f in records managed-files; do
    if [ -f "$1/$apim_rf_f" ]; then cp "$1/$apim_rf_f" "$STATE/$apim_rf_f"; else rm -f "$STATE/$apim_rf_f"; fi
  done
}
apim_put_back_current() {
  apim_restore "$WORK/cur" || apim_emit current_restore_failed 1
  apim_records_from "$WORK/cur"
  [ "$PENDING" = 1 ] || rm -f "$STATE/pending-reload"
  apim_emit kept_current 1
}

apim_main() {
  RUN_ID="rollback-$(date +%Y%m%d%H%M%S)-$$"
  WORK="$STATE/stage/$RUN_ID"
  INDEX="$STATE/snapshots/index"
  [ -d "$STATE/snapshots" ] || {
    apim_msg "no snapshots in $STATE"
    apim_finish no_snapshot 7
  }
  mkdir -p "$STATE/runs" "$STATE/stage" && chmod 700 "$STATE/stage"
  APIM_LOG="$STATE/runs/$RUN_ID.log"
  : >"$APIM_LOG"
  apim_require_tools || apim_finish error 1
  apim_lock "$LOCK_WAIT" || {
    apim_msg "another apply holds the lock on $STATE"
    apim_finish locked 3
  }
  trap 'apim_cleanup' EXIT
  apim_tidy_state
  mkdir -m 700 "$WORK" || apim_finish error 1
  [ -f "$INDEX" ] || {
    apim_msg "no snapshots in $STATE"
    apim_finish no_snapshot 7
  }
  [ -n "$TARGET" ] || TARGET=$(tail -n 1 "$INDEX")
  if [ -z "$TARGET" ] || ! grep -Fxq -e "$TARGET" "$INDEX" || [ ! -f "$STATE/snapshots/$TARGET/manifest" ]; then
    apim_msg "snapshot '$TARGET' not found in $STATE/snapshots"
    apim_finish no_snapshot 7
  fi
  # Snapshots from the newest back to the target, newest first.
  awk -v t="$TARGET" 'f || $0 == t { f = 1; print }' "$INDEX" | sed -n '1!G;h;$p' >"$WORK/undo"

  # The current state of every path the undone runs touched, to put back if the rollback is refused.
  if ! mkdir -m 700 "$WORK/cur" "$WORK/cur/files" || ! : >"$WORK/cur/manifest"; then apim_finish error 1; fi
  : >"$WORK/seen"
  n=0
  while IFS= read -r id; do
    while read -r k _ _ _ _ _ b64; do
      # A link recorded in a snapshot is a file path to the plan: snapshot it as one.
      [ "$k" = l ] && k=f
      grep -Fxq -e "$k $b64" "$WORK/seen" && continue
      printf '%s\n' "$k $b64" >>"$WORK/seen"
      apim_snap_add "$WORK/cur" "$k" "c$n" "$b64" || apim_finish error 1
      n=$((n + 1))
    done <"$STATE/snapshots/$id/manifest"
  done <"$WORK/undo"
  for apim_m_f in records managed-files; do
    [ -f "$STATE/$apim_m_f" ] && cp "$STATE/$apim_m_f" "$WORK/cur/$apim_m_f"
  done
  PENDING=0
  [ -f "$STATE/pending-reload" ] && PENDING=1
  printf '%s\n' "$RUN_ID" >"$STATE/pending-reload"

  while IFS= read -r id; do
    apim_restore "$STATE/snapshots/$id" || {
      apim_put_back_current
      apim_finish error 1
    }
  done <"$WORK/undo"
  apim_records_from "$STATE/snapshots/$TARGET"

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
}
