# shellcheck shell=sh
# Facts, in one round trip: OS, tools, nginx build and process, the tool's own state and records,
# and the answers to the plan's queries. Reads only: nothing on the host is changed, no init
# script or service code is run unless APIM_PROBE_SYSV is 1.
# Input: STATE, CONF_OVERRIDE, NGINX_OVERRIDE (empty: found), APIM_PROBE_SYSV (0|1), APIM_BASICS
# (1: the basic facts too; 0: only the answers to the queries, for a plan that asks more), APIM_QUERIES:
# lines `file <path field> [<b64 path, as $STATE/records keeps it>]` (type, mode, owner, sha256),
# `content <path field> [<b64 path, as $STATE/records keeps it> sha256|note]` (a regular file's
# bytes: never ask for a secret the controller must not see; with the b64 path, possibly answered
# by its record instead: apim_recorded_contents), `diff <path field> <b64 path> <sha256> <max bytes>`
# (the bytes a diff may need: apim_diff_fact), `package <name>`, `service <name>`, `apim-home <b64 home|->` (API-M node discovery,
# node-facts.sh); a path field is `=<path>` or base64 (src/remote/script-input.ts).

# The package and service managers, which the package and service queries need.
apim_managers() {
  if command -v apt-get >/dev/null 2>&1; then
    APIM_PM=apt
  elif command -v dnf >/dev/null 2>&1; then
    APIM_PM=dnf
  elif command -v yum >/dev/null 2>&1; then
    APIM_PM=yum
  else
    APIM_PM=none
  fi
  if [ -d /run/systemd/system ]; then
    APIM_SVC=systemd
  elif command -v service >/dev/null 2>&1; then
    APIM_SVC=sysv
  else
    APIM_SVC=none
  fi
}

# The text facts (the os-release text, names, paths, nginx -V) are kept in variables and emitted
# together (apim_text_facts): as plain text records where they can be, the rest base64 with one awk.
# APIM_NL and APIM_TAB: the characters, for patterns.
APIM_NL='
'
APIM_TAB='	'
# apim_plain_line <text without newline>: can it be part of a plain text record (output-protocol.ts,
# decodeText: `=`, then the text with each newline written `\n`)? Printable ASCII and tabs, no
# backslash: such a record is one protocol line, whatever the text. Others travel base64.
apim_plain_line() {
  # shellcheck disable=SC2101 # [:print:] is a class inside the bracket expression [!...]
  case $1 in
    *\\* | *[!"$APIM_TAB"[:print:]]*) return 1 ;;
  esac
  return 0
}

# APIM_OS_RELEASE, and APIM_OS_RELEASE_PLAIN: its plain text record value, built line by line as
# it is read (empty when a line cannot be sent plain).
apim_os_facts() {
  APIM_OS_RELEASE=
  APIM_OS_RELEASE_PLAIN="="
  for apim_f in /etc/os-release /usr/lib/os-release; do
    if [ -r "$apim_f" ]; then
      while IFS= read -r apim_l || [ -n "$apim_l" ]; do
        APIM_OS_RELEASE="$APIM_OS_RELEASE$apim_l
"
        if [ -n "$APIM_OS_RELEASE_PLAIN" ] && apim_plain_line "$apim_l"; then
          APIM_OS_RELEASE_PLAIN="$APIM_OS_RELEASE_PLAIN$apim_l\\n"
        else
          APIM_OS_RELEASE_PLAIN=
        fi
      done <"$apim_f"
      break
    fi
  done
  # The kernel's machine name, as uname -m gives it (the same utsname field), read by the shell.
  apim_of_arch=
  [ -r /proc/sys/kernel/arch ] && IFS= read -r apim_of_arch </proc/sys/kernel/arch
  apim_emit arch "${apim_of_arch:-$(uname -m)}"
  # IPv6 in the kernel (disabled hosts have no if_inet6): nginx cannot bind [::] without it.
  if [ -e /proc/net/if_inet6 ]; then apim_emit ipv6 1; else apim_emit ipv6 0; fi
  apim_emit pkg "$APIM_PM"
  apim_emit svc "$APIM_SVC"
  apim_user_facts
  apim_emit uid "$APIM_UID"
}
# APIM_UID and APIM_USER: what `id` says (the real uid and its name, `unknown` for a uid without
# one), read by the shell where that is the same answer: the uid from /proc/self/status (this
# shell's own), its name from /etc/passwd when the name service asks that file first.
apim_user_facts() {
  APIM_UID=
  APIM_USER=
  if [ -r /proc/self/status ] && apim_passwd_files_first; then
    while read -r apim_uf_key apim_uf_uid _; do
      if [ "$apim_uf_key" = Uid: ]; then APIM_UID=$apim_uf_uid; break; fi
    done </proc/self/status
    if [ -n "$APIM_UID" ]; then
      while IFS=: read -r apim_uf_name _ apim_uf_uid _ || [ -n "$apim_uf_name" ]; do
        if [ "$apim_uf_uid" = "$APIM_UID" ] && [ -n "$apim_uf_name" ]; then
          APIM_USER=$apim_uf_name
          return 0
        fi
      done </etc/passwd
    fi
  fi
  # `uid=0(root) gid=...`; a user without a name has no parentheses.
  apim_id=$(id)
  apim_uid=${apim_id#uid=}
  APIM_UID=${apim_uid%%[!0-9]*}
  case $apim_id in
    "uid=$APIM_UID("*) APIM_USER=${apim_id#*\(} APIM_USER=${APIM_USER%%\)*} ;;
    *) APIM_USER=unknown ;;
  esac
}
# Does getpwuid read /etc/passwd before any other source (nsswitch.conf `passwd: files ...`)?
apim_passwd_files_first() {
  [ -r /etc/nsswitch.conf ] || return 1
  while read -r apim_pf_db apim_pf_source _; do
    if [ "$apim_pf_db" = passwd: ]; then
      [ "$apim_pf_source" = files ]
      return
    fi
  done </etc/nsswitch.conf
  return 1
}

# NGINX: the binary (NGINX_OVERRIDE, else found), APIM_HAS_NGINX 1 when it is executable, and
# APIM_NGINX_STAT: the binary again, for its identity (apim_file_facts states it with the queried
# files, APIM_NGINX_ID), taken before nginx -V runs: the recorded nginx -V is printed while the
# binary has the identity it was recorded with, and the transaction takes these facts' nginx -V
# while the binary still has the identity they report (`nginx_id`).
apim_nginx_binary() {
  NGINX=$NGINX_OVERRIDE
  if [ -z "$NGINX" ]; then
    apim_on_path nginx
    NGINX=$APIM_ON_PATH
    for apim_f in /usr/sbin/nginx /usr/local/sbin/nginx /usr/local/nginx/sbin/nginx; do
      [ -n "$NGINX" ] && break
      [ -x "$apim_f" ] && NGINX=$apim_f
    done
  fi
  APIM_HAS_NGINX=0
  if [ -n "$NGINX" ] && [ -x "$NGINX" ]; then
    APIM_HAS_NGINX=1
    APIM_NGINX_STAT=$NGINX
  fi
  return 0
}
# APIM_ON_PATH: the first executable regular file named $1 in an absolute folder of PATH, what
# `command -v` prints for a program, found by the shell (a `$(command -v ...)` was a fork); empty
# when there is none.
apim_on_path() {
  APIM_ON_PATH=
  apim_op_rest=$PATH:
  while [ -n "$apim_op_rest" ]; do
    apim_op_dir=${apim_op_rest%%:*}
    apim_op_rest=${apim_op_rest#*:}
    case $apim_op_dir in /*) ;; *) continue ;; esac
    if [ -f "$apim_op_dir/$1" ] && [ -x "$apim_op_dir/$1" ]; then
      APIM_ON_PATH=$apim_op_dir/$1
      return 0
    fi
  done
}
# APIM_NGINX_V: the text $STATE/nginx-v holds (state.sh, apim_record_nginx_v) when its identity line
# is that of the binary now (APIM_NGINX_ID: a regular file with the same device, inode, size, mtime
# and ctime). A package upgrade or reinstall writes a new file (another inode, a new ctime); a
# rewrite in place changes mtime and ctime, and is refused while nginx runs from it (ETXTBSY).
# APIM_NGINX_V_PLAIN: its plain text record value (apim_plain_line), built as it is read; empty when
# a line cannot be sent plain, or nginx -V was run.
apim_recorded_nginx_v() {
  APIM_NGINX_V_PLAIN=
  [ -n "$APIM_NGINX_ID" ] && [ -f "$STATE/nginx-v" ] || return 1
  {
    IFS= read -r apim_rv_id || return 1
    [ "$apim_rv_id" = "$APIM_NGINX_ID" ] || return 1
    APIM_NGINX_V=
    APIM_NGINX_V_PLAIN="="
    while IFS= read -r apim_rv_l || [ -n "$apim_rv_l" ]; do
      if [ -n "$APIM_NGINX_V_PLAIN" ] && apim_plain_line "$apim_rv_l"; then
        APIM_NGINX_V_PLAIN="$APIM_NGINX_V_PLAIN${APIM_NGINX_V:+\\n}$apim_rv_l"
      else
        APIM_NGINX_V_PLAIN=
      fi
      APIM_NGINX_V="$APIM_NGINX_V${APIM_NGINX_V:+
}$apim_rv_l"
    done
  } <"$STATE/nginx-v"
  case $APIM_NGINX_V in 'nginx version: '*) return 0 ;; esac
  APIM_NGINX_V_PLAIN=
  return 1
}

apim_nginx_facts() {
  if [ "$APIM_HAS_NGINX" = 1 ]; then
    # Run, its text is judged by apim_text_facts (-): plain, no awk on a fresh host.
    apim_recorded_nginx_v || {
      APIM_NGINX_V=$("$NGINX" -V 2>&1)
      APIM_NGINX_V_PLAIN=-
    }
    [ -z "$APIM_NGINX_ID" ] || apim_emit nginx_id "$APIM_NGINX_ID"
    # The same derivation the transaction uses for its reload proof.
    # shellcheck disable=SC2034 # read by apim_configure_arg (nginx.sh)
    apim_np_v=$APIM_NGINX_V
    CONF=$CONF_OVERRIDE
    if [ -z "$CONF" ]; then
      apim_configure_arg conf-path
      CONF=${APIM_ARG:-conf/nginx.conf}
    fi
    apim_configure_arg prefix
    apim_nf_prefix=${APIM_ARG:-/usr/local/nginx}
    case $CONF in /*) ;; *) CONF=${apim_nf_prefix%/}/$CONF ;; esac
    # shellcheck disable=SC2034 # read by apim_nginx_paths (nginx.sh)
    NGINX_P=''
    PID_FILE=''
    ERROR_LOG=''
    apim_nginx_paths
    apim_master_pid
    if [ -n "$APIM_MASTER_PID" ]; then apim_emit nginx_master "$APIM_MASTER_PID"; fi
  fi
  if [ -z "$NGINX" ] && command -v apt-cache >/dev/null 2>&1; then
    apim_nf_candidate=$(apt-cache policy nginx 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
    if [ -n "$apim_nf_candidate" ] && [ "$apim_nf_candidate" != "(none)" ]; then
      apim_emit nginx_candidate "$apim_nf_candidate"
    fi
  fi
  apim_nf_plus=0
  # dpkg keeps the file list of every package it has unpacked: without one, nginx-plus is not
  # installed and dpkg-query need not be asked.
  if command -v dpkg-query >/dev/null 2>&1; then
    apim_nf_listed=0
    for apim_f in /var/lib/dpkg/info/nginx-plus.list /var/lib/dpkg/info/nginx-plus:*.list; do
      [ -e "$apim_f" ] && apim_nf_listed=1
    done
    if [ "$apim_nf_listed" = 1 ]; then
      case $(dpkg-query -W -f='${Status}' nginx-plus 2>/dev/null) in *'install ok installed'*) apim_nf_plus=1 ;; esac
    fi
  elif command -v rpm >/dev/null 2>&1; then
    rpm -q nginx-plus >/dev/null 2>&1 && apim_nf_plus=1
  fi
  apim_emit plus_package "$apim_nf_plus"
}

# APIM_PLAIN: the plain text record value of $1 (its lines, each apim_plain_line's, joined by
# `\n`), empty when a line cannot be sent plain. The lines are split by the shell's field splitting
# (linear; dash's ${v#*"$APIM_NL"} is quadratic in a line's length, and nginx -V's last line is
# long), which drops empty lines: a text with one goes base64.
apim_plain_text() {
  APIM_PLAIN=
  case $1 in "$APIM_NL"* | *"$APIM_NL" | *"$APIM_NL$APIM_NL"*) return 0 ;; esac
  set -f
  IFS=$APIM_NL
  # shellcheck disable=SC2086 # one line a field
  set -- $1
  unset IFS
  set +f
  apim_pt_v='='
  apim_pt_sep=
  for apim_pt_l do
    apim_plain_line "$apim_pt_l" || return 0
    apim_pt_v="$apim_pt_v$apim_pt_sep$apim_pt_l"
    apim_pt_sep='\n'
  done
  APIM_PLAIN=$apim_pt_v
}
# The text facts of apim_os_facts and apim_nginx_facts: plain text records where apim_plain_line
# allows, the others base64 in one awk (which every no-op ran before, for all of them).
apim_text_facts() {
  # Triples `<key> <text> <plain record value, or empty: base64, or -: judged here>`.
  set -- os_release "$APIM_OS_RELEASE" "$APIM_OS_RELEASE_PLAIN" user "$APIM_USER" -
  if [ "$APIM_HAS_NGINX" = 1 ]; then
    set -- "$@" nginx_binary "$NGINX" - nginx_v "$APIM_NGINX_V" "${APIM_NGINX_V_PLAIN:-}" nginx_conf "$CONF" - \
      nginx_pid_path "$PID_FILE" - nginx_error_log "${ERROR_LOG:-stderr}" -
  fi
  # The pairs for apim_emit_b64_many go after the triples, which are shifted off.
  apim_tf_left=$(($# / 3))
  while [ "$apim_tf_left" -gt 0 ]; do
    apim_tf_plain=$3
    if [ "$apim_tf_plain" = - ]; then
      apim_plain_text "$2"
      apim_tf_plain=$APIM_PLAIN
    fi
    if [ -n "$apim_tf_plain" ]; then apim_emit "$1" "$apim_tf_plain"; else set -- "$@" "$1" "$2"; fi
    shift 3
    apim_tf_left=$((apim_tf_left - 1))
  done
  [ $# -eq 0 ] || apim_emit_b64_many "$@"
}

# apim_next_query: the next row of APIM_QROWS (the caller sets it to the rows to go through, such
# as "$APIM_QUERIES$APIM_NL") taken off it, its kind in APIM_QK and its fields in APIM_Q1 to
# APIM_Q4 (empty when absent); returns 1 when no row is left. Parameter expansion and the shell's
# own field splitting, not a read loop over a here-document: dash's read takes one byte per system
# call, and the facts went through the queries six times.
apim_next_query() {
  while [ -n "$APIM_QROWS" ]; do
    apim_nq_row=${APIM_QROWS%%"$APIM_NL"*}
    APIM_QROWS=${APIM_QROWS#*"$APIM_NL"}
    set -f
    # shellcheck disable=SC2086 # the row's fields; globbing is off
    set -- $apim_nq_row
    set +f
    [ $# -gt 0 ] || continue
    APIM_QK=$1 APIM_Q1=${2-} APIM_Q2=${3-} APIM_Q3=${4-} APIM_Q4=${5-}
    return 0
  done
  return 1
}

apim_state_facts() {
  if [ -f "$STATE/pending-reload" ]; then apim_emit_b64 pending "$(cat "$STATE/pending-reload")"; fi
  if [ -f "$STATE/records" ]; then
    # The fields and aliases of the `file` queries, one a line: what the plan already asks about.
    apim_sf_asked=$APIM_NL
    APIM_QROWS=$APIM_QUERIES$APIM_NL
    while apim_next_query; do
      [ "$APIM_QK" = file ] && apim_sf_asked="$apim_sf_asked$APIM_Q1$APIM_NL${APIM_Q2:+$APIM_Q2$APIM_NL}"
    done
    while read -r apim_sf_manager apim_sf_b64 apim_sf_sha apim_sf_note; do
      [ -n "$apim_sf_b64" ] || continue
      apim_emit record "$apim_sf_manager $apim_sf_b64 ${apim_sf_sha:--}${apim_sf_note:+ $apim_sf_note}"
      case $apim_sf_note in '' | -) apim_sf_note=sha256 ;; *) apim_sf_note=note ;; esac
      APIM_RECORDED="$APIM_RECORDED$apim_sf_b64 $apim_sf_sha $apim_sf_note
"
      # Retiring a recorded file is a compare-and-swap: the plan needs its current state.
      case $apim_sf_asked in
        *"$APIM_NL$apim_sf_b64$APIM_NL"*) ;;
        *)
          APIM_QUERIES="$APIM_QUERIES
file $apim_sf_b64"
          apim_sf_asked="$apim_sf_asked$apim_sf_b64$APIM_NL"
          ;;
      esac
    done <"$STATE/records"
  fi
  if [ -f "$STATE/managed-files" ]; then
    apim_emit legacy_file 1
    while IFS= read -r apim_sf_p; do
      case $apim_sf_p in /*) apim_emit_b64 legacy_record "$apim_sf_p" ;; esac
    done <"$STATE/managed-files"
  fi
  if [ -f "$STATE/snapshots/index" ]; then
    while IFS= read -r apim_sf_id; do
      [ -n "$apim_sf_id" ] && [ -d "$STATE/snapshots/$apim_sf_id" ] && apim_emit snapshot "$apim_sf_id"
    done <"$STATE/snapshots/index"
  fi
}

# The `file` queries, answered with one stat and one sha256sum for all of them (lib.sh's
# apim_stat_paths and apim_file_sums, which the transaction's compare shares), their paths decoded
# by one awk (a process or two per path were most of the program's cost on the host): `file <field> 0`,
# or `file <field> 1 <type> <mode> <owner> <group> <size> <sha256|->`. APIM_FILE_SUMS: `<b64 path>
# <sha256> <size> <device>:<inode>` of each regular file, one a line (for apim_recorded_contents and
# apim_diff_fact). The first file a `diff` query names that is a regular file (not a link) is opened
# on fd 8 first, and the one stat states the open file too (APIM_FD8_KEY: its b64 path; APIM_FD8_ID:
# its identity): the read apim_diff_fact may make needs no stat of its own.
apim_file_facts() {
  apim_ff_fields=
  apim_ff_keys=
  apim_ff_paths=
  apim_ff_plain=1
  apim_ff_diffs=$APIM_NL
  APIM_QROWS=$APIM_QUERIES$APIM_NL
  while apim_next_query; do
    [ "$APIM_QK" = diff ] && apim_ff_diffs="$apim_ff_diffs$APIM_Q2$APIM_NL"
    [ "$APIM_QK" = file ] || continue
    apim_ff_fields="$apim_ff_fields$APIM_Q1
"
    # The path as $STATE/records keeps it: the alias, or the field itself for a recorded file.
    apim_ff_keys="$apim_ff_keys${APIM_Q2:-$APIM_Q1}
"
    case $APIM_Q1 in
      =*) apim_ff_paths="$apim_ff_paths${APIM_Q1#=}
" ;;
      *) apim_ff_plain=0 ;;
    esac
  done
  [ -n "$apim_ff_fields" ] || [ -n "$APIM_NGINX_STAT" ] || return 0
  [ "$apim_ff_plain" = 1 ] || apim_ff_paths=$(printf '%s' "$apim_ff_fields" | apim_fields_decoded)
  # One path a line (empty ones dropped, as before), split by the shell with globbing off.
  set -f
  IFS=$APIM_NL
  # shellcheck disable=SC2086 # one path a line
  set -- $apim_ff_paths
  unset IFS
  set +f
  apim_diff_open "$apim_ff_keys" "$@"
  # The nginx binary last (apim_nginx_binary), in the same stat, for its identity.
  apim_stat_paths "$@" ${APIM_NGINX_STAT:+"$APIM_NGINX_STAT"}
  APIM_STAT_FD8=0
  apim_ff_out=
  apim_ff_regular=
  for apim_ff_p do
    apim_ff_field=${apim_ff_fields%%
*}
    apim_ff_fields=${apim_ff_fields#*
}
    apim_ff_key=${apim_ff_keys%%
*}
    apim_ff_keys=${apim_ff_keys#*
}
    apim_ff_line=${APIM_STATS%%
*}
    APIM_STATS=${APIM_STATS#*
}
    set -f
    # shellcheck disable=SC2086 # the stat line's fields (apim_stat_paths), one a word
    set -- $apim_ff_line
    set +f
    if [ "${1-0}" = 0 ]; then
      apim_ff_out="$apim_ff_out$apim_ff_field $apim_ff_key - 0
"
      continue
    fi
    [ "$2" = file ] && apim_ff_regular="$apim_ff_regular$apim_ff_p
"
    # Field, key, identity, then `1 <type> <mode> <owner> <group> <size>`.
    apim_ff_out="$apim_ff_out$apim_ff_field $apim_ff_key $9:${10} 1 $2 $3 $4 $5 $8
"
  done
  if [ -n "$APIM_NGINX_STAT" ]; then
    apim_stat_identity "$APIM_STATS"
    APIM_NGINX_ID=$APIM_IDENTITY
  fi
  apim_file_sums "$apim_ff_regular"
  set -f
  IFS=$APIM_NL
  # shellcheck disable=SC2086 # one answer a line
  set -- $apim_ff_out
  unset IFS
  set +f
  for apim_ff_row do
    set -f
    # shellcheck disable=SC2086 # the answer's fields, one a word
    set -- $apim_ff_row
    set +f
    apim_ff_field=$1 apim_ff_key=$2 apim_ff_id=$3
    shift 3
    apim_ff_rest=$*
    case $apim_ff_rest in
      '1 file '*)
        apim_ff_sum=${APIM_SUMS%%
*}
        APIM_SUMS=${APIM_SUMS#*
}
        apim_emit file "$apim_ff_field $apim_ff_rest $apim_ff_sum"
        APIM_FILE_SUMS="$APIM_FILE_SUMS$apim_ff_key $apim_ff_sum $6 $apim_ff_id
"
        ;;
      1*) apim_emit file "$apim_ff_field $apim_ff_rest -" ;;
      *) apim_emit file "$apim_ff_field $apim_ff_rest" ;;
    esac
  done
}
# apim_diff_open <b64 paths, one a line> <path>...: fd 8 open on the first of the paths (each with its
# b64 path, the line of the same rank) that a `diff` query names (apim_ff_diffs) and that is a
# regular file, not a link (no fifo is ever opened); APIM_FD8_KEY its b64 path, APIM_STAT_FD8 1.
apim_diff_open() {
  APIM_FD8_KEY=
  APIM_STAT_FD8=0
  [ "$apim_ff_diffs" != "$APIM_NL" ] || return 0
  apim_do_keys=$1$APIM_NL
  shift
  for apim_do_p do
    apim_do_key=${apim_do_keys%%"$APIM_NL"*}
    apim_do_keys=${apim_do_keys#*"$APIM_NL"}
    case $apim_ff_diffs in *"$APIM_NL$apim_do_key$APIM_NL"*) ;; *) continue ;; esac
    if [ ! -f "$apim_do_p" ] || [ -L "$apim_do_p" ]; then continue; fi
    # `command`: a file that cannot be opened is not an error that ends the shell.
    { command exec 8<"$apim_do_p"; } 2>/dev/null || return 0
    APIM_FD8_KEY=$apim_do_key
    # shellcheck disable=SC2034 # read by apim_stat_paths (lib.sh)
    APIM_STAT_FD8=1
    return 0
  done
}
# apim_content_fact <path field> [<device>:<inode>]: `content <field> <b64 bytes>`, or `missing`; with
# the identity apim_file_facts stated, the open file is checked against it (apim_read_file). The
# reader prints the record itself once the open file passed the checks (a `$(...)` around the read
# was a fork); a read that fails after that adds `missing`, which the parser takes over it.
apim_content_fact() {
  apim_cf_p=
  apim_field_to apim_cf_p "$1"
  # shellcheck disable=SC2034 # read by apim_read_file (lib.sh); set by every call
  APIM_READ_ID=${2:-}
  if ! apim_read_file "$apim_cf_p" apim_content_record "$1" || [ ! -f "$apim_cf_p" ]; then
    apim_emit missing "$1"
  fi
}
# apim_content_record <field>: the content record of the bytes on stdin (the facts keep no log).
apim_content_record() {
  printf '@@APIM content %s ' "$1"
  apim_b64enc
  apim_cr_rc=$?
  echo
  return "$apim_cr_rc"
}
# apim_line_of <lines> <key>: APIM_LINE, what follows `<key> ` on the first of the lines that starts
# so; returns 1 when none does. The lines are split by the shell and compared one by one: a
# `${lines#*"<newline><key> "}` made dash match its pattern against every prefix of the text (0.44
# ms a look in a 712-byte records text, four looks in a no-op).
apim_line_of() {
  apim_lo_key="$2 "
  set -f
  IFS=$APIM_NL
  # shellcheck disable=SC2086 # one line a word
  set -- $1
  unset IFS
  set +f
  for apim_lo_l do
    case $apim_lo_l in
      "$apim_lo_key"*)
        APIM_LINE=${apim_lo_l#"$apim_lo_key"}
        return 0
        ;;
    esac
  done
  return 1
}
# apim_recorded_sum <b64 path> <sha256|note>: APIM_RS, the sha256 $STATE/records holds for the path,
# when the file hashed to it in apim_file_facts (a regular file; `note`: and the record has a note).
apim_recorded_sum() {
  apim_line_of "$APIM_RECORDED" "$1" || return 1
  APIM_RS=$APIM_LINE
  case $2 in note) [ "${APIM_RS#* }" = note ] || return 1 ;; esac
  APIM_RS=${APIM_RS%% *}
  [ ${#APIM_RS} -eq 64 ] || return 1
  case $APIM_FILE_SUMS in
    *"
$1 $APIM_RS "*) return 0 ;;
  esac
  return 1
}
# apim_diff_fact <path field> <b64 path> <sha256> <max bytes>: the content of a file a diff may need,
# read only when apim_file_facts found a regular file of at most <max bytes> that does not hash to
# <sha256> (what the plan expects to write): the file that differs has its old content in this round
# trip, not in one of its own, also when it is what the tool wrote last (its record's: the inventory
# changed since). Otherwise nothing is printed, and a later `content` query reads it if the plan
# needs it after all.
# The file open on fd 8 (apim_diff_open) is read from there when the one stat found it to be the file
# at the path (the same device and inode: a link or another file swapped in is never read); fd 8 is
# closed after.
apim_diff_fact() {
  apim_file_sum "$2" || return 0
  [ "$APIM_FS_SUM" != "$3" ] && [ "$APIM_FS_SIZE" -le "$4" ] || return 0
  if [ -n "$APIM_FD8_KEY" ] && [ "$2" = "$APIM_FD8_KEY" ] && [ "$APIM_FD8_ID" = "$APIM_FS_ID" ]; then
    apim_df_p=
    apim_field_to apim_df_p "$1"
    if ! apim_content_record "$1" <&8 || [ ! -f "$apim_df_p" ]; then apim_emit missing "$1"; fi
    exec 8<&-
    APIM_FD8_KEY=
    return 0
  fi
  apim_content_fact "$1" "$APIM_FS_ID"
}
# apim_file_sum <b64 path>: APIM_FS_SUM, APIM_FS_SIZE and APIM_FS_ID, what APIM_FILE_SUMS holds for
# the path; returns 1 when it holds nothing (not a regular file, or not asked about).
apim_file_sum() {
  apim_line_of "$APIM_FILE_SUMS" "$1" || return 1
  # `<sha256> <size> <device>:<inode>`, split by the shell (dash reads a here-document a byte per
  # system call).
  APIM_FS_SUM=$APIM_LINE
  APIM_FS_ID=${APIM_FS_SUM##* }
  APIM_FS_SIZE=${APIM_FS_SUM#* }
  APIM_FS_SIZE=${APIM_FS_SIZE%% *}
  APIM_FS_SUM=${APIM_FS_SUM%% *}
}
# APIM_FROM_RECORDS: 1 when every `content` query given with its b64 path can be answered by its
# record (apim_recorded_sum), 0 when any cannot: then all of them are read, as one set (a
# certificate is judged together with its key). A sha256 equal to the one the tool's transaction
# recorded after writing (and checking) those bytes proves they are those bytes: reading them again
# would tell the controller nothing new. Any other file, even one hand-edited back to a valid
# certificate, hashes to something else and is read; only an edit of the root-only records
# themselves could vouch for other bytes, and the controller still checks the note it gets.
apim_recorded_contents() {
  APIM_FROM_RECORDS=0
  APIM_QROWS=$APIM_QUERIES$APIM_NL
  while apim_next_query; do
    if [ "$APIM_QK" != content ] || [ -z "$APIM_Q3" ]; then continue; fi
    if ! apim_recorded_sum "$APIM_Q2" "$APIM_Q3"; then
      APIM_FROM_RECORDS=0
      return 0
    fi
    APIM_FROM_RECORDS=1
  done
}
# `package <name> <installed 0|1> <b64 version> <b64 candidate>` (candidate: apt only).
apim_package_fact() {
  apim_pk_installed=0
  apim_pk_version=
  apim_pk_candidate=
  case $APIM_PM in
    apt)
      apim_pk_status=$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || :)
      case $apim_pk_status in
        *'install ok installed'*)
          apim_pk_installed=1
          apim_pk_version=${apim_pk_status##* }
          ;;
      esac
      apim_pk_candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
      [ "$apim_pk_candidate" != "(none)" ] || apim_pk_candidate=
      ;;
    dnf | yum)
      if apim_pk_version=$(rpm -q --qf '%{VERSION}-%{RELEASE}' "$1" 2>/dev/null); then
        apim_pk_installed=1
      else
        apim_pk_version=
      fi
      ;;
  esac
  apim_emit package "$1 $apim_pk_installed $(printf '%s' "$apim_pk_version" | apim_b64enc) $(printf '%s' "$apim_pk_candidate" | apim_b64enc)"
}
# `service <name> <active|inactive|unknown> <enabled|disabled|unknown>`. systemctl only queries; on
# sysv the status is the init script's own code, run only when APIM_PROBE_SYSV allows it, with stdin
# /dev/null.
apim_service_fact() {
  apim_sv_active=unknown
  apim_sv_enabled=unknown
  case $APIM_SVC in
    systemd)
      if systemctl is-active --quiet "$1" 2>/dev/null; then apim_sv_active=active; else apim_sv_active=inactive; fi
      if systemctl is-enabled --quiet "$1" 2>/dev/null; then apim_sv_enabled=enabled; else apim_sv_enabled=disabled; fi
      ;;
    sysv)
      if [ "$APIM_PROBE_SYSV" = 1 ]; then
        if service "$1" status </dev/null >/dev/null 2>&1; then apim_sv_active=active; else apim_sv_active=inactive; fi
      fi
      ;;
  esac
  apim_emit service "$1 $apim_sv_active $apim_sv_enabled"
}

apim_main() {
  APIM_FD8_KEY=
  APIM_FD8_ID=
  APIM_RECORDED='
'
  APIM_FILE_SUMS='
'
  APIM_NGINX_STAT=
  APIM_NGINX_ID=
  apim_managers
  if [ "$APIM_BASICS" = 1 ]; then
    apim_os_facts
    apim_nginx_binary
    apim_state_facts
  fi
  apim_file_facts
  if [ "$APIM_BASICS" = 1 ]; then
    apim_nginx_facts
    apim_text_facts
  fi
  apim_recorded_contents
  APIM_QROWS=$APIM_QUERIES$APIM_NL
  while apim_next_query; do
    apim_q_arg=$APIM_Q1 apim_q_b64=$APIM_Q2 apim_q_need=$APIM_Q3 apim_q_max=$APIM_Q4
    case $APIM_QK in
      content)
        if [ -n "$apim_q_need" ] && [ "$APIM_FROM_RECORDS" = 1 ] && apim_recorded_sum "$apim_q_b64" "$apim_q_need"; then
          apim_emit content_recorded "$apim_q_arg $APIM_RS"
        elif [ -n "$apim_q_b64" ] && apim_file_sum "$apim_q_b64"; then
          apim_content_fact "$apim_q_arg" "$APIM_FS_ID"
        else
          apim_content_fact "$apim_q_arg"
        fi
        ;;
      diff) apim_diff_fact "$apim_q_arg" "$apim_q_b64" "$apim_q_need" "$apim_q_max" ;;
      package) apim_package_fact "$apim_q_arg" ;;
      service) apim_service_fact "$apim_q_arg" ;;
      apim-home) apim_node_facts "$apim_q_arg" ;;
    esac
  done
  apim_emit 'done' 1
}
