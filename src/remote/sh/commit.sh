# shellcheck shell=sh
# What both transactions (transaction.sh for load balancers, node-transaction.sh for API-M nodes)
# share: the plan and payloads unpacked and checked, the compare-and-swap against what the plan
# saw, the snapshot, the symlink-safe atomic swap, the pending marker, and the undo of a swap.
#
# APIM_PLAN lines: `D <i> <mode> <owner> <group> - - <path>` (folder),
# `F <i> <mode> <owner> <group> <expected> <sha256> <path>` (file, payload <i>),
# `K <i> <mode> <owner> <group> <expected> <sha256> <path>` (a certificate, payload <i>,
# imported into the keystore at the path: node transactions make $WORK/keystore/<i> first),
# `X <i> - - - <expected> - <path>` (retired file); <expected> is the sha256 the plan saw,
# `absent`, or `link`; <path> is a path field (`=<path>` when plain, else base64: script-input.ts),
# echoed as it came in the conflict, change and removed records. APIM_PAYLOADS lines:
# `<i> <base64 content>`, or `<i> @` for text that came as itself in APIM_PAYLOAD_<i>.

# The start of both transactions: state folders, run log, tools, the lock, the work folder.
apim_begin() {
  # Folders mkdir makes get their mode from it (a first run: no chmod); existing ones are set.
  apim_bg_chmod=1
  if ! { [ -d "$STATE/runs" ] && [ -d "$STATE/stage" ] && [ -d "$STATE/snapshots" ]; }; then
    [ -d "$STATE" ] || apim_bg_chmod=0
    # shellcheck disable=SC2174 # every folder named is made with the mode, $STATE first
    mkdir -p -m 700 "$STATE" "$STATE/runs" "$STATE/stage" "$STATE/snapshots" || {
      apim_msg "cannot create $STATE"
      apim_finish error 1
    }
  fi
  [ "$apim_bg_chmod" = 0 ] || chmod 700 "$STATE" "$STATE/stage" "$STATE/snapshots"
  APIM_LOG="$STATE/runs/$RUN_ID.log"
  : >"$APIM_LOG"
  apim_emit run "$RUN_ID"
  apim_require_tools || apim_finish error 1
  if ! apim_lock "$LOCK_WAIT"; then
    apim_msg "another apply still holds the lock on $STATE after $LOCK_WAIT s"
    apim_finish locked 3
  fi
  WORK="$STATE/stage/$RUN_ID"
  trap 'apim_cleanup' EXIT
  apim_tidy_state
  # The snapshot's folders too (used when something changes): one mkdir.
  mkdir -m 700 "$WORK" "$WORK/payload" "$WORK/snap" "$WORK/snap/files" || apim_finish error 1
}

apim_finish() {
  apim_emit status "$1"
  exit "$2"
}
# APIM_CLEAR_PENDING=1: the pending-reload marker is removed with the work folder (one rm).
APIM_CLEAR_PENDING=0
apim_cleanup() {
  set --
  if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then set -- "$WORK"; fi
  [ "$APIM_CLEAR_PENDING" = 0 ] || set -- "$@" "$STATE/pending-reload"
  [ $# -eq 0 ] || rm -rf -- "$@"
  apim_unlock
}

# The payloads that came as text (` <i> ` each): their content is written from the shell's variable.
APIM_TEXT_PAYLOADS=
# APIM_SRC: what apim_put_content copies for payload $1, its variable when it came as text.
apim_payload_src() {
  case $APIM_TEXT_PAYLOADS in
    *" $1 "*) APIM_SRC=@APIM_PAYLOAD_$1 ;;
    *) APIM_SRC=$WORK/payload/$1 ;;
  esac
}
apim_write_inputs() {
  # The plan's lines that are not blank, by the shell (an awk before).
  while read -r apim_wi_line; do
    [ -z "$apim_wi_line" ] || printf '%s\n' "$apim_wi_line"
  done >"$WORK/plan" <<APIM_PLAN_END || return 1
$APIM_PLAN
APIM_PLAN_END
  while read -r apim_wi_i apim_wi_data; do
    [ -n "$apim_wi_i" ] || continue
    case $apim_wi_i in *[!0-9]*) return 1 ;; esac
    if [ "$apim_wi_data" = @ ]; then
      APIM_TEXT_PAYLOADS="$APIM_TEXT_PAYLOADS $apim_wi_i "
      apim_put_content "@APIM_PAYLOAD_$apim_wi_i" >"$WORK/payload/$apim_wi_i" || return 1
    else
      printf '%s' "$apim_wi_data" | apim_b64dec >"$WORK/payload/$apim_wi_i" || return 1
    fi
  done <<APIM_PAYLOADS_END
$APIM_PAYLOADS
APIM_PAYLOADS_END
}
# Every path absolute and normalised, every payload intact: one `sha256sum -c` for all payloads (a
# sha256sum and a cut per file before); file by file only to name a damaged one, or without sha256sum.
apim_verify_inputs() {
  p=
  : >"$WORK/sums" || return 1
  while read -r k i mode owner group expected want field; do
    apim_field_to p "$field"
    if ! apim_normal_path "$p"; then
      apim_msg "refusing the path $p: it is not absolute and normalised"
      return 1
    fi
    case $k in F | K) printf '%s  %s\n' "$want" "$WORK/payload/$i" >>"$WORK/sums" ;; esac
  done <"$WORK/plan"
  [ -s "$WORK/sums" ] || return 0
  if command -v sha256sum >/dev/null 2>&1 && sha256sum -c "$WORK/sums" >/dev/null 2>&1; then return 0; fi
  while read -r k i mode owner group expected want field; do
    case $k in F | K) ;; *) continue ;; esac
    if [ "$(apim_sha256 "$WORK/payload/$i")" != "$want" ]; then
      apim_field_to p "$field"
      apim_msg "payload of $p is damaged (sha256 mismatch)"
      return 1
    fi
  done <"$WORK/plan"
}
# Sets CHANGED (read by the transaction's main); emits conflict/change records. Returns 1 on any
# conflict. Every path of the plan is stated by one stat and the regular files among them hashed by
# one sha256sum (lib.sh's apim_stat_paths and apim_file_sums, the facts program's own): a stat and a
# sha256sum | cut per path before. What is at a path: the sha256 of a regular file, `link` (never
# followed), `absent`, or `other` (a folder, a device, ...). APIM_CMP_ALSO: one more path stated in
# the same stat (the nginx binary, transaction.sh), its line left in APIM_STATS.
APIM_CMP_ALSO=
# shellcheck disable=SC2034 # CHANGED is the result
apim_compare() {
  apim_cmp_status=0
  CHANGED=0
  p=
  set --
  while read -r k i mode owner group expected want field; do
    apim_field_to p "$field"
    set -- "$@" "$p"
  done <"$WORK/plan"
  apim_stat_paths "$@" ${APIM_CMP_ALSO:+"$APIM_CMP_ALSO"}
  apim_cmp_stats=$APIM_STATS
  # A name with a newline cannot be a line of sha256sum's list: such a file is hashed on its own.
  apim_cmp_files=
  for p do
    case ${apim_cmp_stats%%
*} in
      '1 file '*) case $p in *"
"*) ;; *) apim_cmp_files="$apim_cmp_files$p
" ;; esac ;;
    esac
    apim_cmp_stats=${apim_cmp_stats#*
}
  done
  apim_file_sums "$apim_cmp_files"
  while read -r k i mode owner group expected want field; do
    p=$1
    shift
    apim_next_stat
    case $APIM_ST_THERE:$APIM_ST_TYPE in
      0:*) cur=absent ;;
      1:link) cur='link' ;;
      1:file)
        case $p in
          *"
"*) cur=$(apim_sha256 "$p" 2>/dev/null) || cur=- ;;
          *)
            cur=${APIM_SUMS%%
*}
            APIM_SUMS=${APIM_SUMS#*
}
            ;;
        esac
        ;;
      *) cur=other ;;
    esac
    apim_cmp_same=0
    # shellcheck disable=SC2086 # mode, owner, group, uid, gid, size: one word each
    [ "$APIM_ST_THERE" = 1 ] && apim_attrs_are "$mode" "$owner" "$group" $APIM_ST_ATTRS && apim_cmp_same=1
    case $k in
      F)
        if [ "$cur" = other ]; then
          apim_msg "$p exists and is not a regular file"
          apim_emit conflict "$field"
          apim_cmp_status=1
        elif [ "$cur" != "$expected" ] && [ "$cur" != "$want" ]; then
          apim_msg "$p changed on the host since the plan was made"
          apim_emit conflict "$field"
          apim_cmp_status=1
        fi
        if [ "$cur" != "$want" ] || [ "$apim_cmp_same" = 0 ]; then
          CHANGED=1
          apim_emit change "$field"
        fi
        ;;
      K)
        # A keystore import: the result is made on the host, so only what the plan saw is compared.
        if [ "$cur" != "$expected" ]; then
          apim_msg "$p changed on the host since the plan was made"
          apim_emit conflict "$field"
          apim_cmp_status=1
        fi
        CHANGED=1
        apim_emit change "$field"
        ;;
      X)
        if [ "$cur" != "$expected" ] && [ "$cur" != absent ]; then
          apim_msg "$p changed on the host since the plan was made"
          apim_emit conflict "$field"
          apim_cmp_status=1
        fi
        if [ "$cur" != absent ]; then
          CHANGED=1
          apim_emit change "$field"
        fi
        ;;
      D)
        if [ "$cur" = link ]; then
          apim_msg "$p is a symbolic link, not a folder: not following it"
          apim_emit conflict "$field"
          apim_cmp_status=1
        elif [ "$cur" != absent ] && [ "$APIM_ST_TYPE" != directory ]; then
          apim_msg "$p exists and is not a directory"
          apim_emit conflict "$field"
          apim_cmp_status=1
        elif [ "$apim_cmp_same" = 0 ]; then
          CHANGED=1
          apim_emit change "$field"
        fi
        ;;
    esac
  done <"$WORK/plan"
  return $apim_cmp_status
}
# The previous state of everything the plan touches, kept in the work folder until it is stored.
# Its folders are made by apim_begin.
apim_take_snapshot() {
  : >"$WORK/snap/manifest" || return 1
  for apim_ts_f in records managed-files; do
    if [ -f "$STATE/$apim_ts_f" ]; then cp "$STATE/$apim_ts_f" "$WORK/snap/$apim_ts_f" || return 1; fi
  done
  while read -r k i mode owner group expected want field; do
    case $k in
      D) apim_snap_add "$WORK/snap" d "d$i" "$field" || return 1 ;;
      F) apim_snap_add "$WORK/snap" f "f$i" "$field" || return 1 ;;
      K) apim_snap_add "$WORK/snap" f "k$i" "$field" || return 1 ;;
      X) apim_snap_add "$WORK/snap" f "x$i" "$field" || return 1 ;;
    esac
  done <"$WORK/plan"
}

apim_swap() {
  p=
  set --
  while read -r k i mode owner group expected want field; do
    [ "$k" = D ] || continue
    apim_field_to p "$field"
    set -- "$@" "$p"
  done <"$WORK/plan"
  # A folder that has its mode and owner already (one stat for all, a link never matches) is left
  # alone (0): setting them through the folder itself is four processes. A new one the program
  # owns gets its mode from mkdir (1: a stat, a chmod and a chown through the folder less); others
  # are made and set one by one (2).
  apim_stat_paths "$@"
  apim_sw_n=0
  while read -r k i mode owner group expected want field; do
    [ "$k" = D ] || continue
    apim_sw_n=$((apim_sw_n + 1))
    apim_next_stat
    apim_sw_do=2
    # shellcheck disable=SC2086 # mode, owner, group, uid, gid, size: one word each
    if [ "$APIM_ST_THERE $APIM_ST_TYPE" = '1 directory' ] && apim_attrs_are "$mode" "$owner" "$group" $APIM_ST_ATTRS; then
      apim_sw_do=0
    elif [ "$APIM_ST_THERE" = 0 ] && [ "$mode" != - ] && apim_is_own "$owner" "$group"; then
      apim_sw_do=1
    fi
    eval "apim_sw_p_$apim_sw_n=\$1 apim_sw_do_$apim_sw_n=$apim_sw_do apim_sw_m_$apim_sw_n=\$mode apim_sw_o_$apim_sw_n=\$owner apim_sw_g_$apim_sw_n=\$group"
    shift
  done <"$WORK/plan"
  # New folders of one mode next to each other in the plan: one mkdir, which makes them in the
  # plan's order as one mkdir each did (a first converge's log folders: 5 processes less).
  apim_sw_k=1
  apim_sw_mode=
  while [ "$apim_sw_k" -le "$apim_sw_n" ]; do
    eval "apim_sw_do=\$apim_sw_do_$apim_sw_k apim_sw_mode=\$apim_sw_m_$apim_sw_k"
    set --
    while [ "$apim_sw_do" = 1 ] && [ "$apim_sw_k" -le "$apim_sw_n" ] && eval "[ \"\$apim_sw_do_$apim_sw_k \$apim_sw_m_$apim_sw_k\" = \"1 \$apim_sw_mode\" ]"; do
      eval "set -- \"\$@\" \"\$apim_sw_p_$apim_sw_k\""
      apim_sw_k=$((apim_sw_k + 1))
    done
    # shellcheck disable=SC2174 # the mode is meant for the planned folders only
    if [ $# -gt 0 ]; then mkdir -p -m "$apim_sw_mode" -- "$@" || :; else apim_sw_k=$((apim_sw_k + 1)); fi
  done
  # A folder made so is done when it is there and no setgid parent gave it another group; the
  # others (and one mkdir did not make) get their mode and owner through themselves.
  apim_sw_k=0
  while [ "$apim_sw_k" -lt "$apim_sw_n" ]; do
    apim_sw_k=$((apim_sw_k + 1))
    eval "p=\$apim_sw_p_$apim_sw_k apim_sw_do=\$apim_sw_do_$apim_sw_k mode=\$apim_sw_m_$apim_sw_k owner=\$apim_sw_o_$apim_sw_k group=\$apim_sw_g_$apim_sw_k"
    case $apim_sw_do in
      0) continue ;;
      1) if [ -d "$p" ] && [ ! -g "${p%/*}" ]; then continue; fi ;;
    esac
    if ! { [ -d "$p" ] || mkdir -p "$p"; } ||
      ! { apim_attrs_match "$p" "$mode" "$owner" "$group" || apim_set_attrs "$p" "$mode" "$owner" "$group"; }; then
      apim_msg "could not create $p"
      return 1
    fi
  done
  apim_swap_files
}
# The files written folder by folder (apim_put_files: a certificate and its key through one private
# folder and one mv), then the retired ones removed.
apim_swap_files() {
  p=
  set --
  while read -r k i mode owner group expected want field; do
    apim_field_to p "$field"
    case $k in
      F)
        apim_payload_src "$i"
        set -- "$@" "$APIM_SRC" "$p" "$mode" "$owner" "$group"
        ;;
      K) set -- "$@" "$WORK/keystore/$i" "$p" "$mode" "$owner" "$group" ;;
    esac
  done <"$WORK/plan"
  if [ $# -gt 0 ] && ! apim_put_files "$@"; then
    apim_msg "could not write the files in $APIM_PUT_DIR"
    return 1
  fi
  while read -r k i mode owner group expected want field; do
    [ "$k" = X ] || continue
    apim_field_to p "$field"
    if [ -e "$p" ] || [ -L "$p" ]; then
      rm -f -- "$p" || {
        apim_msg "could not remove $p"
        return 1
      }
      apim_emit removed "$field"
    fi
  done <"$WORK/plan"
}
apim_set_pending() {
  # Only that it exists is read (an mv of a temporary before): one write, no mv.
  printf '%s\n' "$RUN_ID" >"$STATE/pending-reload"
}
apim_prune_snapshots() {
  apim_ps_index="$STATE/snapshots/index"
  [ -f "$apim_ps_index" ] || return 0
  # Counted by the shell (a wc and a tr before): a few dozen lines.
  apim_ps_total=0
  while IFS= read -r _; do apim_ps_total=$((apim_ps_total + 1)); done <"$apim_ps_index"
  [ "$apim_ps_total" -gt "$KEEP" ] || return 0
  head -n $((apim_ps_total - KEEP)) "$apim_ps_index" | while IFS= read -r id; do
    case $id in '' | *[!A-Za-z0-9._-]* | . | ..) continue ;; esac
    rm -rf "$STATE/snapshots/$id"
  done
  tail -n "$KEEP" "$apim_ps_index" >"$apim_ps_index.tmp" && mv -f "$apim_ps_index.tmp" "$apim_ps_index"
}

# The records as the snapshot holds them (the state before this run).
apim_restore_records() {
  for apim_rr_f in records managed-files; do
    if [ -f "$SNAP/$apim_rr_f" ]; then cp "$SNAP/$apim_rr_f" "$STATE/$apim_rr_f"; else rm -f "$STATE/$apim_rr_f"; fi
  done
}
# Puts the snapshot back after a failed swap (or a live check that refuses the result).
apim_undo_swap() {
  if apim_restore "$SNAP"; then
    apim_restore_records
    apim_emit rolled_back 1
  fi
  [ "$PENDING" = 1 ] || rm -f "$STATE/pending-reload"
}
