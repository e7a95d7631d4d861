# shellcheck shell=sh
# The operations of the modules that act at once (file, command, shell, package, service), run in
# order until one fails. Each operation comes as one input line `<op> <b64 field>...`: every value
# is base64, so no value is ever read as shell text.
# Input: APIM_OPS.
# Output per operation i: `op_ok <i>` or `op_failed <i>`, with `op_rc`, `op_stdout`, `op_stderr`
# (base64, last 64 KiB) for commands and failures, `op_changed <i> 0|1` where the host can tell
# (packages); then `status ok|failed`.

# apim_op_mkdir <path>: the folder and its parents; a link or a non-folder there is an error.
apim_op_mkdir() {
  if [ -L "$1" ]; then
    echo "$1 is a symbolic link: not following it" >&2
    return 1
  fi
  mkdir -p -- "$1"
}
# apim_op_touch <path>: an empty file when nothing is there (a hard link from a private folder:
# created atomically, never through a link, never over something that appeared meanwhile).
apim_op_touch() {
  apim_split_path "$1"
  apim_euid
  apim_ot_priv=$(apim_private_dir "$APIM_DIR") || return 1
  (
    apim_enter_private "$apim_ot_priv" "$APIM_DIR" || exit 1
    : >new && { ln -- new "../$APIM_BASE" 2>/dev/null || [ -e "../$APIM_BASE" ] || [ -L "../$APIM_BASE" ]; }
  )
  apim_ot_rc=$?
  rm -rf -- "$apim_ot_priv"
  return "$apim_ot_rc"
}
apim_op_chmod() { apim_set_attrs "$1" "$2" - -; }
# apim_op_chown <path> <owner> <group>: an empty owner or group is left as it is.
apim_op_chown() { apim_set_attrs "$1" - "${2:--}" "${3:--}"; }
apim_op_remove() { rm -rf -- "$1"; }
# apim_op_exec <chdir> <argv...>: the program itself, no shell in between (empty chdir: stay).
apim_op_exec() {
  apim_oe_dir=$1
  shift
  if [ -n "$apim_oe_dir" ]; then cd -- "$apim_oe_dir" || return 1; fi
  "$@"
}
# apim_op_shell <chdir> <script>: the text through sh -c, as the shell module asks.
apim_op_shell() {
  if [ -n "$1" ]; then cd -- "$1" || return 1; fi
  sh -c "$2"
}
apim_pkg_version() {
  case $1 in
    apt) dpkg-query -W -f='${Status} ${Version}\n' "$2" 2>/dev/null | sed -n 's/^install ok installed //p' ;;
    *) rpm -q --qf '%{VERSION}-%{RELEASE}\n' "$2" 2>/dev/null || : ;;
  esac
}
# apim_op_package <apt|dnf|yum> <install|remove|latest> <name...>: package names never start with
# `-` (the schema refuses them), so none is read as an option.
apim_op_package() {
  apim_op_m=$1
  apim_op_a=$2
  shift 2
  apim_op_before=
  for apim_op_n in "$@"; do apim_op_before="$apim_op_before $apim_op_n=$(apim_pkg_version "$apim_op_m" "$apim_op_n")"; done
  case $apim_op_m in
    apt)
      if [ "$apim_op_a" = remove ]; then
        DEBIAN_FRONTEND=noninteractive apt-get -y -q remove "$@"
      else
        # A fresh host may have no package lists yet: refresh them once and try again.
        DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confold install "$@" ||
          { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confold install "$@"; }
      fi
      ;;
    dnf | yum)
      case $apim_op_a in
        remove) "$apim_op_m" -y remove -- "$@" ;;
        latest) "$apim_op_m" -y upgrade -- "$@" || "$apim_op_m" -y install -- "$@" ;;
        *) "$apim_op_m" -y install -- "$@" ;;
      esac
      ;;
    *)
      echo "unsupported package manager $apim_op_m" >&2
      return 1
      ;;
  esac || return 1
  apim_op_after=
  for apim_op_n in "$@"; do apim_op_after="$apim_op_after $apim_op_n=$(apim_pkg_version "$apim_op_m" "$apim_op_n")"; done
  if [ "$apim_op_before" = "$apim_op_after" ]; then APIM_OP_CHANGED=0; else APIM_OP_CHANGED=1; fi
}
# apim_op_service <systemd|sysv> <start|stop|restart|reload|enable|disable> <name>
apim_op_service() {
  case $1 in
    systemd) systemctl "$2" -- "$3" ;;
    sysv) service "$3" "$2" ;;
    *)
      echo "no service manager on this host" >&2
      return 1
      ;;
  esac
}

# apim_run_op <i> <op> <b64 fields...>: decodes the fields and runs the operation in a subshell
# (a cd stays inside it), output kept in the work folder, stdin /dev/null: the main loop's
# here-document is the stdin of all it runs, and a command reading stdin (cat, an installer's
# prompt) would eat the operations after its own.
apim_run_op() {
  apim_ro_i=$1
  apim_ro_op=$2
  shift 2
  apim_ro_n=$#
  while [ "$apim_ro_n" -gt 0 ]; do
    apim_ro_v=$(apim_unb64 "$1")
    shift
    set -- "$@" "$apim_ro_v"
    apim_ro_n=$((apim_ro_n - 1))
  done
  APIM_OP_CHANGED=
  case $apim_ro_op in
    mkdir | touch | chmod | chown | remove | exec | shell | package | service) ;;
    *)
      apim_msg "unknown operation $apim_ro_op"
      return 1
      ;;
  esac
  (
    "apim_op_$apim_ro_op" "$@" && printf '%s\n' "${APIM_OP_CHANGED:-}" >"$APIM_WORK/changed"
  ) </dev/null >"$APIM_WORK/out" 2>"$APIM_WORK/err"
  apim_ro_rc=$?
  apim_emit op_rc "$apim_ro_i $apim_ro_rc"
  case $apim_ro_op in
    exec | shell) apim_ro_show=1 ;;
    *) apim_ro_show=$apim_ro_rc ;;
  esac
  if [ "$apim_ro_show" != 0 ]; then
    apim_emit op_stdout "$apim_ro_i $(tail -c 65536 "$APIM_WORK/out" | apim_b64enc)"
    apim_emit op_stderr "$apim_ro_i $(tail -c 65536 "$APIM_WORK/err" | apim_b64enc)"
  fi
  if [ "$apim_ro_rc" != 0 ]; then
    apim_emit op_failed "$apim_ro_i"
    return 1
  fi
  apim_ro_changed=$(cat "$APIM_WORK/changed" 2>/dev/null || :)
  [ -z "$apim_ro_changed" ] || apim_emit op_changed "$apim_ro_i $apim_ro_changed"
  apim_emit op_ok "$apim_ro_i"
}

apim_main() {
  APIM_WORK=$(mktemp -d "${TMPDIR:-/tmp}/apim-ops.XXXXXXXXXX") || {
    apim_msg "mktemp failed"
    apim_emit status failed
    exit 1
  }
  trap 'rm -rf "$APIM_WORK"' EXIT
  apim_m_i=0
  apim_m_status=ok
  while read -r apim_m_line; do
    [ -n "$apim_m_line" ] || continue
    # shellcheck disable=SC2086 # an input line is `<op> <b64 field>...`: one word per field
    if ! apim_run_op "$apim_m_i" $apim_m_line; then
      apim_m_status=failed
      break
    fi
    apim_m_i=$((apim_m_i + 1))
  done <<APIM_OPS_END
$APIM_OPS
APIM_OPS_END
  apim_emit status "$apim_m_status"
  [ "$apim_m_status" = ok ]
}
