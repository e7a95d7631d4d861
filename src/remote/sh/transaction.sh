# shellcheck shell=sh
# The transaction that makes a plan's files live on a host: lock, compare-and-swap against what the
# plan saw, a candidate copy of the conf tree validated with `nginx -t`, snapshot, pending-reload
# marker, symlink-safe atomic swap, live `nginx -t`, reload with proof, rollback on any failure,
# records of who manages what, snapshot pruning. The file payloads travel in the input, on stdin
# with the program: no file of it is ever left on the host.
#
# Input: RUN_ID, STATE, PREFIX, CONF, STAGE_CONF, NGINX, NGINX_P, SVC, PID_FILE, ERROR_LOG,
# RELOAD_REQUESTED, VALIDATE, KEEP, LOCK_WAIT, CONFIRM_TIMEOUT, HEALTH_URL, HEALTH_HOST,
# NGINX_SEEN_ID and NGINX_SEEN_V (what the facts saw nginx -V print, and the binary's identity then;
# empty: unknown), APIM_RUN_LOGS_KEEP, APIM_PLAN, APIM_PAYLOADS, APIM_REWRITE, APIM_UNREWRITE,
# APIM_RECORD_MANAGERS, APIM_RECORDS.
#
# APIM_PLAN and APIM_PAYLOADS: see commit.sh (no K rows here).
# Exit codes: 0 committed/unchanged, 1 error, 3 locked, 4 conflict, 5 validate_failed,
# 6 reload_failed.

# The path rewrites of the candidate tree (and back, for nginx's messages).
apim_write_rewrites() {
  printf '%s\n' "$APIM_REWRITE" >"$WORK/rewrite.sed" &&
    printf '%s\n' "$APIM_UNREWRITE" >"$WORK/unrewrite.sed"
}
# Folders outside the conf tree that must exist for nginx -t (log folders): created live now, listed
# so a refused configuration leaves nothing behind, the last one with its planned mode ($2), so that
# the swap finds it done (setting a mode through the folder itself is four processes).
apim_mkdir_recorded() {
  apim_mr=$1
  while [ -n "$apim_mr" ] && [ ! -d "$apim_mr" ]; do
    printf '%s\n' "$apim_mr" >>"$WORK/created-dirs"
    apim_mr=${apim_mr%/*}
  done
  # shellcheck disable=SC2174 # the mode is meant for the planned folder only (an existing one keeps its own)
  mkdir -p -m "$2" -- "$1"
}
apim_remove_created_dirs() {
  [ -f "$WORK/created-dirs" ] || return 0
  sort -r "$WORK/created-dirs" | while IFS= read -r d; do rmdir "$d" 2>/dev/null || :; done
}
# p and sp: the live path of a plan field and its place in the stage (the copied tree, or ext/).
apim_stage_path() {
  p=
  apim_field_to p "$1"
  case $p in
    "$PREFIX"/*) sp="$WORK/tree/${p#"$PREFIX"/}" ;;
    *) sp="$WORK/ext$p" ;;
  esac
}
# nginx's messages about the candidate, naming the live files.
apim_unrewrite_out() { APIM_NGINX_OUT=$(printf '%s\n' "$APIM_NGINX_OUT" | sed -f "$WORK/unrewrite.sed"); }
# apim_stage_fix <find predicate>: in the copy, the links the predicate finds that point into the
# live tree pointed into the copy, and the files it finds rewritten by one sed, but PEM ones (told
# by their first line, read by the shell): a head, a grep and a sed per file were a third of a first
# converge's processes (bench/host-cpu); a find and a sh for links and files together.
apim_stage_fix() {
  # shellcheck disable=SC2016 # the inner script's own variables
  find "$WORK/tree" "$@" -exec sh -c '
    p=$1; t=$2; s=$3; shift 3
    for f do
      shift
      if [ -L "$f" ]; then
        d=$(readlink "$f")
        case $d in "$p"/*) ln -sfn "$t/${d#"$p"/}" "$f" ;; "$p") ln -sfn "$t" "$f" ;; esac
        continue
      fi
      l=
      IFS= read -r l <"$f" 2>/dev/null
      case $l in -----BEGIN*) ;; *) set -- "$@" "$f" ;; esac
    done
    [ $# -eq 0 ] || sed -i -f "$s" "$@"' sh "$PREFIX" "$WORK/tree" "$WORK/rewrite.sed" {} +
}
# Copy of the live tree with the plan applied and absolute paths pointed into the copy; nginx -t on
# it. A candidate nginx accepts but serves wrongly (a server name claimed twice) is refused too.
# Returns 0 valid, 1 refused (APIM_NGINX_OUT says why), 2 could not be staged.
apim_stage_and_validate() {
  cp -a "$PREFIX" "$WORK/tree" || {
    apim_msg "could not copy $PREFIX to the stage"
    return 2
  }
  # A link on the way to a staged path (mkdir -p and cp follow it) is pointed into the copy before
  # the plan is applied; else the plan goes in first and one find fixes links and files together.
  apim_sv_links_first=0
  while read -r k i _ _ _ _ _ field; do
    apim_stage_path "$field"
    case $k:$p in
      F:"$PREFIX"/*) apim_sv_d=${sp%/*} ;;
      D:"$PREFIX"/*) apim_sv_d=$sp ;;
      *) continue ;;
    esac
    while [ "$apim_sv_d" != "$WORK/tree" ]; do
      [ ! -L "$apim_sv_d" ] || apim_sv_links_first=1
      apim_sv_d=${apim_sv_d%/*}
    done
  done <"$WORK/plan"
  if [ "$apim_sv_links_first" = 1 ]; then apim_stage_fix -type l; fi
  # The plan applied in three passes, each with one process for all rows (a mkdir and an rm per row
  # before): the folders, then the removals (a staged copy that is a link is removed, never written
  # through), then the copies.
  set --
  while read -r k i mode _ _ _ _ field; do
    apim_stage_path "$field"
    case $k in
      F) set -- "$@" "${sp%/*}" ;;
      D) case $p in "$PREFIX"/*) set -- "$@" "$sp" ;; *) apim_mkdir_recorded "$p" "$mode" || return 2 ;; esac ;;
    esac
  done <"$WORK/plan"
  [ $# -eq 0 ] || mkdir -p -- "$@" || return 2
  set --
  while read -r k i _ _ _ _ _ field; do
    apim_stage_path "$field"
    # Only what is there (a first converge finds none of its files: no rm at all).
    [ -e "$sp" ] || [ -L "$sp" ] || continue
    case $k in
      F) set -- "$@" "$sp" ;;
      X) case $p in "$PREFIX"/*) set -- "$@" "$sp" ;; esac ;;
    esac
  done <"$WORK/plan"
  [ $# -eq 0 ] || rm -f -- "$@" || return 2
  while read -r k i _ _ _ _ _ field; do
    [ "$k" = F ] || continue
    apim_stage_path "$field"
    apim_payload_src "$i"
    apim_put_content "$APIM_SRC" >"$sp" || return 2
  done <"$WORK/plan"
  if [ "$apim_sv_links_first" = 1 ]; then apim_stage_fix -type f; else apim_stage_fix '(' -type l -o -type f ')'; fi || {
    apim_msg "could not rewrite paths in the stage"
    return 2
  }
  # The startup error log kept in the stage (-e); nginx before 1.19.5 refuses the option before it
  # tests anything, and is asked again without it (an `nginx -h` to find out, every run, before).
  APIM_NGINX_OUT=$("$NGINX" -t -c "$STAGE_CONF" -p "$WORK/tree/" -e "$WORK/startup-error.log" 2>&1)
  apim_sv_rc=$?
  case $apim_sv_rc:$APIM_NGINX_OUT in
    0:*) ;;
    *'invalid option: "e"'*)
      APIM_NGINX_OUT=$("$NGINX" -t -c "$STAGE_CONF" -p "$WORK/tree/" 2>&1)
      apim_sv_rc=$?
      ;;
  esac
  # The output is shown only when the candidate is refused: only then are its paths put back.
  if [ "$apim_sv_rc" != 0 ]; then
    apim_unrewrite_out
    return 1
  fi
  case $APIM_NGINX_OUT in *'conflicting server name'*) ;; *) return 0 ;; esac
  apim_unrewrite_out
  if apim_sv_conflicts=$(apim_nginx_conflicts "$APIM_NGINX_OUT"); then
    APIM_NGINX_OUT="$apim_sv_conflicts
a server name is claimed twice on one address: nginx would serve only one of the blocks"
    return 1
  fi
  return 0
}
# APIM_NGINX_ID: the binary's identity, from the stat apim_compare shared with the plan's paths
# (APIM_CMP_ALSO); APIM_NGINX_V: what the facts saw it print while it is the binary they saw (else
# empty: apim_nginx_v runs nginx -V when the text is needed). A binary replaced since has another
# identity (a new inode and ctime), so the text of another binary is never taken.
apim_seen_nginx() {
  APIM_NGINX_ID=
  APIM_NGINX_V=
  [ -n "$APIM_CMP_ALSO" ] || return 0
  apim_stat_identity "$APIM_STATS"
  APIM_NGINX_ID=$APIM_IDENTITY
  if [ -n "$APIM_NGINX_ID" ] && [ "$APIM_NGINX_ID" = "$NGINX_SEEN_ID" ]; then APIM_NGINX_V=$NGINX_SEEN_V; fi
}
# APIM_NGINX_V, nginx -V run once when the facts' text could not be taken.
apim_nginx_v() {
  [ -n "$APIM_NGINX_V" ] || APIM_NGINX_V=$("$NGINX" -V 2>&1)
}
# After a failed reload/start/health check: files back, nginx -t, reload the old config, prove it.
apim_roll_back() {
  apim_restore "$SNAP" || return 1
  APIM_ROLLBACK_OUT=
  apim_master_pid
  if [ -n "$APIM_MASTER_PID" ]; then
    APIM_ROLLBACK_OUT=$(apim_nginx -t -c "$CONF" 2>&1) || return 1
    apim_log_settle "$CONFIRM_TIMEOUT"
    apim_nginx_before
    apim_reload_confirm "$CONFIRM_TIMEOUT" || {
      APIM_ROLLBACK_OUT=$APIM_NGINX_OUT
      return 1
    }
  fi
  return 0
}

apim_main() {
  apim_begin
  { apim_write_inputs && apim_write_rewrites; } || {
    apim_msg "could not unpack the payload"
    apim_finish error 1
  }
  apim_verify_inputs || apim_finish error 1
  PENDING=0
  if [ -f "$STATE/pending-reload" ]; then
    PENDING=1
    apim_emit_b64 pending "$(cat "$STATE/pending-reload" 2>/dev/null)"
  fi
  DO_RELOAD=$RELOAD_REQUESTED
  [ "$PENDING" = 1 ] && DO_RELOAD=1
  # The binary is stated with the plan's paths when nginx -V may be needed: for a reload, or to
  # record it after a change (nothing to compare and no reload: the transaction ends unchanged).
  if [ -s "$WORK/plan" ] || [ "$DO_RELOAD" = 1 ]; then APIM_CMP_ALSO=$NGINX; fi
  apim_compare || apim_finish conflict 4
  apim_seen_nginx
  # Nothing to change and nothing pending: done, unless a reload was asked for and nginx is stopped.
  NEED_START=0
  if [ "$CHANGED" = 0 ] && [ "$PENDING" = 0 ] && [ "$RELOAD_REQUESTED" = 1 ]; then
    apim_nginx_v
    apim_nginx_paths
    apim_master_pid
    [ -n "$APIM_MASTER_PID" ] || NEED_START=1
  fi
  if [ "$CHANGED" = 0 ] && [ "$PENDING" = 0 ] && [ "$NEED_START" = 0 ]; then
    apim_write_records "$APIM_RECORD_MANAGERS" "$APIM_RECORDS"
    apim_msg "every file already has the desired content, mode and owner; nothing to do"
    apim_finish unchanged 0
  fi

  SNAP=
  if [ "$CHANGED" = 1 ]; then
    apim_take_snapshot || {
      apim_msg "could not take a snapshot"
      apim_finish error 1
    }
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
    if [ -e "$SNAP" ] || [ -L "$SNAP" ]; then rm -rf "$SNAP"; fi
    mv "$WORK/snap" "$SNAP" || {
      apim_msg "could not store the snapshot"
      apim_finish error 1
    }
    printf '%s\n' "$RUN_ID" >>"$STATE/snapshots/index"
    apim_emit snapshot "$RUN_ID"
    # The marker survives an interrupted run: the next run sees it and reloads.
    [ "$DO_RELOAD" = 1 ] && apim_set_pending
    # apim-test-hook: after-snapshot
    if ! apim_swap; then
      apim_undo_swap
      apim_finish error 1
    fi
    apim_emit swapped 1
    apim_write_records "$APIM_RECORD_MANAGERS" "$APIM_RECORDS" || apim_msg "could not update $STATE/records"
    if [ "$VALIDATE" = 1 ] && ! APIM_NGINX_OUT=$(apim_nginx -t -c "$CONF" 2>&1); then
      apim_undo_swap
      apim_emit_b64 validate_failed "$APIM_NGINX_OUT"
      apim_finish validate_failed 5
    fi
  fi

  if [ "$DO_RELOAD" = 1 ]; then
    apim_nginx_v
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
          apim_restore_records
          apim_emit rolled_back 1
          rm -f "$STATE/pending-reload"
        else
          apim_emit_b64 rollback_failed "$APIM_ROLLBACK_OUT"
        fi
      fi
      apim_finish reload_failed 6
    fi
    # The reload is proven: the marker goes when the program ends.
    # shellcheck disable=SC2034 # read by apim_cleanup (commit.sh)
    APIM_CLEAR_PENDING=1
  fi
  [ -n "$SNAP" ] || apim_write_records "$APIM_RECORD_MANAGERS" "$APIM_RECORDS"
  apim_prune_snapshots
  apim_record_nginx_v || apim_msg "could not record nginx -V in $STATE/nginx-v"
  apim_emit committed 1
  apim_finish committed 0
}
