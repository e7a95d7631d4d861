# shellcheck shell=sh
# Snapshots and restores. A snapshot folder holds `manifest` lines
# `<f|d|l> <existed 0|1> <mode> <uid> <gid> <index> <path field>` (`=<path>` or base64, as the plan
# sent it; older snapshots: base64) and `files/<index>`: the content of a file (f), or the target
# of a symbolic link (l).

# apim_snap_add <snapshot dir> <f|d> <index> <path field>: records the state of the path before a
# change. A link is recorded as a link (its target is never read), so a restore puts the link back.
apim_snap_add() {
  apim_sa_field=$4
  apim_sa_p=
  apim_field_to apim_sa_p "$4"
  set -- "$1" "$2" "$3" "$apim_sa_p"
  if [ -L "$4" ]; then
    (umask 077 && readlink -- "$4" >"$1/files/$3") || return 1
    printf 'l 1 - - - %s %s\n' "$3" "$apim_sa_field" >>"$1/manifest"
  elif { [ "$2" = f ] && [ -f "$4" ]; } || { [ "$2" = d ] && [ -d "$4" ]; }; then
    apim_sa=$(apim_stat "$4") || return 1
    # shellcheck disable=SC2086 # the stat fields follow the four arguments
    set -- "$1" "$2" "$3" "$4" $apim_sa
    if [ "$2" = f ]; then (umask 077 && apim_read_file "$4" >"$1/files/$3") || return 1; fi
    printf '%s 1 %s %s %s %s %s\n' "$2" "$5" "$8" "$9" "$3" "$apim_sa_field" >>"$1/manifest"
  else
    printf '%s 0 - - - %s %s\n' "$2" "$3" "$apim_sa_field" >>"$1/manifest"
  fi
}
# apim_restore <snapshot dir>: puts every recorded path back (content, mode, owner; links as
# links), removes files that did not exist, then folders the change created (when empty, deepest
# first).
apim_restore() {
  apim_rs_status=0
  apim_rs_p=
  while read -r apim_rs_k apim_rs_e apim_rs_mode apim_rs_uid apim_rs_gid apim_rs_i apim_rs_field; do
    apim_field_to apim_rs_p "$apim_rs_field"
    case "$apim_rs_k $apim_rs_e" in
      "f 1")
        # A failed write leaves the file as it was: nothing to write back, so a full disk cannot
        # turn an intact file into a failed restore.
        if [ -f "$apim_rs_p" ] && [ ! -L "$apim_rs_p" ] && cmp -s "$1/files/$apim_rs_i" "$apim_rs_p" &&
          apim_attrs_match "$apim_rs_p" "$apim_rs_mode" "$apim_rs_uid" "$apim_rs_gid"; then
          :
        else
          apim_put_file "$1/files/$apim_rs_i" "$apim_rs_p" "$apim_rs_mode" "$apim_rs_uid" "$apim_rs_gid" ||
            { apim_msg "could not restore $apim_rs_p"; apim_rs_status=1; }
        fi
        ;;
      "l 1")
        apim_rs_target=$(cat "$1/files/$apim_rs_i")
        if [ ! -L "$apim_rs_p" ] || [ "$(readlink -- "$apim_rs_p")" != "$apim_rs_target" ]; then
          apim_put_link "$apim_rs_target" "$apim_rs_p" || { apim_msg "could not restore the link $apim_rs_p"; apim_rs_status=1; }
        fi
        ;;
      "f 0") rm -f -- "$apim_rs_p" || apim_rs_status=1 ;;
      "d 1") apim_set_attrs "$apim_rs_p" "$apim_rs_mode" "$apim_rs_uid" "$apim_rs_gid" || apim_rs_status=1 ;;
    esac
  done <"$1/manifest"
  while read -r apim_rs_k apim_rs_e apim_rs_mode apim_rs_uid apim_rs_gid apim_rs_i apim_rs_field; do
    if [ "$apim_rs_k $apim_rs_e" = "d 0" ]; then
      apim_unb64 "$apim_rs_field"
      echo
    fi
  done <"$1/manifest" | sort -r | while IFS= read -r apim_rs_d; do rmdir -- "$apim_rs_d" 2>/dev/null || :; done
  apim_emit restored "${1##*/}"
  return "$apim_rs_status"
}
