# shellcheck shell=sh
# The transaction that makes an API-M node's new settings live: lock, compare-and-swap against what
# the plan saw, the truststore imports made on copies with keytool (nothing live is touched when
# keytool refuses), snapshot, pending-restart marker, symlink-safe atomic swap keeping each file's
# owner and mode, restart the way the node is started (as its own user), wait until it is healthy;
# any failure puts the previous files back and restarts the node with them. A node that was not
# running gets its files and is not started. The file payloads and the truststore password travel
# in the input, on stdin with the program: no file of it is ever left on the host.
#
# Input: RUN_ID, STATE, KEEP, LOCK_WAIT, APIM_RUN_LOGS_KEEP, APIM_PLAN, APIM_PAYLOADS (see
# commit.sh), APIM_KEYSTORE (lines `<i> <alias> <store type>` for the K rows), KEYTOOL, STOREPASS,
# RESTART (0|1), and node.sh's METHOD, SERVICE, SCRIPT, RUN_AS, CARBON_HOME, HTTPS_PORT, HEALTH_URL,
# HEALTH_TIMEOUT.
# Exit codes: 0 committed/unchanged, 1 error, 3 locked, 4 conflict, 6 restart_failed.

# keytool on the store at $1 with the password from the input: never on a command line. Stdin is
# /dev/null: it runs inside a loop over the plan, which a prompt would read as its answers.
apim_keytool() {
  apim_kt_store=$1
  apim_kt_type=$2
  shift 2
  APIM_STOREPASS=$STOREPASS "$KEYTOOL" "$@" -keystore "$apim_kt_store" -storetype "$apim_kt_type" -storepass:env APIM_STOREPASS </dev/null
}
# Makes $WORK/keystore/<i> for every K row: a copy of the live store with the certificate imported
# under its alias (an older certificate under that alias is replaced). The live store is untouched.
apim_prepare_keystores() {
  mkdir -m 700 "$WORK/keystore" || return 1
  apim_pk_path=
  # shellcheck disable=SC2034 # every field of a plan line is read; this loop needs three
  while read -r k i mode owner group expected want field; do
    [ "$k" = K ] || continue
    apim_field_to apim_pk_path "$field"
    apim_pk_line=$(printf '%s\n' "$APIM_KEYSTORE" | awk -v i="$i" '$1 == i')
    apim_pk_alias=$(printf '%s' "$apim_pk_line" | cut -d' ' -f2)
    apim_pk_type=$(printf '%s' "$apim_pk_line" | cut -d' ' -f3)
    apim_pk_copy="$WORK/keystore/$i"
    if ! apim_read_file "$apim_pk_path" >"$apim_pk_copy"; then
      apim_msg "could not read $apim_pk_path"
      return 1
    fi
    if apim_keytool "$apim_pk_copy" "$apim_pk_type" -list -alias "$apim_pk_alias" >/dev/null 2>&1 &&
      ! apim_pk_out=$(apim_keytool "$apim_pk_copy" "$apim_pk_type" -delete -alias "$apim_pk_alias" 2>&1); then
      apim_msg "keytool could not replace the alias $apim_pk_alias in $apim_pk_path: $apim_pk_out"
      return 1
    fi
    if ! apim_pk_out=$(apim_keytool "$apim_pk_copy" "$apim_pk_type" -importcert -noprompt -alias "$apim_pk_alias" -file "$WORK/payload/$i" 2>&1); then
      apim_msg "keytool could not import the certificate into $apim_pk_path (nothing was changed): $apim_pk_out"
      return 1
    fi
  done <"$WORK/plan"
}
# After a failed restart: the previous files back, API-M restarted with them and checked.
apim_recover() {
  if ! apim_restore "$SNAP"; then
    apim_emit_b64 recover_failed "the previous files could not all be restored"
    return 1
  fi
  apim_emit rolled_back 1
  if ! apim_restart_node || ! apim_wait_healthy; then
    apim_emit_b64 recover_failed "$(printf '%s\n%s' "$APIM_RESTART_OUT" "${APIM_HEALTH_OUT:-}")"
    return 1
  fi
  apim_emit recovered 1
}

apim_main() {
  apim_begin
  apim_write_inputs || {
    apim_msg "could not unpack the payload"
    apim_finish error 1
  }
  apim_verify_inputs || apim_finish error 1
  PENDING=0
  if [ -f "$STATE/pending-reload" ]; then
    PENDING=1
    apim_emit_b64 pending "$(cat "$STATE/pending-reload" 2>/dev/null)"
  fi
  DO_RESTART=$RESTART
  [ -n "$METHOD" ] || DO_RESTART=0
  apim_compare || apim_finish conflict 4
  if [ "$CHANGED" = 0 ] && { [ "$PENDING" = 0 ] || [ "$DO_RESTART" = 0 ]; }; then
    apim_msg "every file already has the desired content, mode and owner; nothing to do"
    apim_finish unchanged 0
  fi
  RUNNING=0
  apim_node_running && RUNNING=1

  SNAP=
  if [ "$CHANGED" = 1 ]; then
    apim_prepare_keystores || apim_finish error 1
    apim_take_snapshot || {
      apim_msg "could not take a snapshot"
      apim_finish error 1
    }
    SNAP="$STATE/snapshots/$RUN_ID"
    rm -rf "$SNAP"
    mv "$WORK/snap" "$SNAP" || {
      apim_msg "could not store the snapshot"
      apim_finish error 1
    }
    printf '%s\n' "$RUN_ID" >>"$STATE/snapshots/index"
    apim_emit snapshot "$RUN_ID"
    # The marker survives an interrupted run: the next run sees it and restarts.
    [ "$DO_RESTART" = 1 ] && [ "$RUNNING" = 1 ] && apim_set_pending
    if ! apim_swap; then
      apim_undo_swap
      apim_finish error 1
    fi
    apim_emit swapped 1
  fi

  if [ "$DO_RESTART" = 1 ] && [ "$RUNNING" = 0 ]; then
    apim_emit not_running 1
    rm -f "$STATE/pending-reload"
  elif [ "$DO_RESTART" = 1 ]; then
    if apim_restart_node && apim_wait_healthy; then
      apim_emit restarted 1
    else
      apim_emit_b64 restart_failed "$(printf '%s\n%s' "$APIM_RESTART_OUT" "${APIM_HEALTH_OUT:-}")"
      apim_emit_b64 node_log "$(apim_node_log)"
      [ -n "$SNAP" ] && apim_recover
      rm -f "$STATE/pending-reload"
      apim_finish restart_failed 6
    fi
    rm -f "$STATE/pending-reload"
  fi
  apim_prune_snapshots
  apim_emit committed 1
  apim_finish committed 0
}
