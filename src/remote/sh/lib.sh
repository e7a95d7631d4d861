# shellcheck shell=sh
# Shared functions of every remote script. A script is assembled from this file, the files it
# needs, its own file, then its generated input (only `NAME='value'` assignments, see
# src/remote/script-input.ts) and a call of its apim_main. Plain POSIX sh: dash, bash or busybox
# ash, GNU coreutils or busybox; base64 and sha256sum fall back to openssl.

set -u
umask 022
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH
LC_ALL=C
export LC_ALL
# Set by scripts that keep a log on the host: every @@APIM record is appended to it too.
APIM_LOG=

# ---- output protocol: `@@APIM <key> <value>` lines, values that may hold spaces in base64 ----
apim_emit() {
  printf '@@APIM %s %s\n' "$1" "$2"
  if [ -n "$APIM_LOG" ]; then printf '@@APIM %s %s\n' "$1" "$2" >>"$APIM_LOG" 2>/dev/null || :; fi
  return 0
}
# base64's lines joined by the shell (a tr per value before): printf repeats its format for every
# line, and base64's alphabet holds no blank or glob character.
apim_b64enc() {
  if command -v base64 >/dev/null 2>&1; then
    apim_be=$(base64) || return 1
    # shellcheck disable=SC2086 # one line per word
    printf '%s' $apim_be
  else
    openssl base64 -A
  fi
}
apim_b64dec() {
  if command -v base64 >/dev/null 2>&1; then
    base64 -d
  else
    { tr -d '\n'; echo; } | fold -w 64 | openssl base64 -d
  fi
}
apim_emit_b64() { apim_emit "$1" "$(printf '%s' "$2" | apim_b64enc)"; }
# Base64 in awk (byte semantics: LC_ALL=C above), for encoding or decoding many short values with
# one process: a base64 (and a tr) per value were a large share of a facts program's processes. The
# tables: B64 the alphabet, ORD a character's byte value, VAL a base64 digit's value, POW powers of
# two (no ^: busybox awk may be built without math support). No awk functions: plain loops.
# shellcheck disable=SC2016 # awk's own variables
APIM_AWK_B64_TABLES='
  B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  for (i = 0; i < 256; i++) ORD[sprintf("%c", i)] = i
  for (i = 0; i < 64; i++) VAL[substr(B64, i + 1, 1)] = i
  POW[0] = 1
  for (i = 1; i <= 14; i++) POW[i] = POW[i - 1] * 2
'
# apim_emit_b64_many <key> <value> [<key> <value> ...]: what apim_emit_b64 emits for each pair, with
# one awk for all of them (values travel in the environment: awk -v would read backslashes).
apim_emit_b64_many() {
  if [ -n "$APIM_LOG" ]; then
    while [ $# -ge 2 ]; do
      apim_emit_b64 "$1" "$2"
      shift 2
    done
    return 0
  fi
  apim_em_keys=
  apim_em_i=0
  while [ $# -ge 2 ]; do
    apim_em_i=$((apim_em_i + 1))
    export "APIM_EM_$apim_em_i=$2"
    apim_em_keys="$apim_em_keys $1"
    shift 2
  done
  # shellcheck disable=SC2016 # awk's own variables
  awk -v keys="$apim_em_keys" 'BEGIN {'"$APIM_AWK_B64_TABLES"'
    count = split(keys, key, " ")
    for (k = 1; k <= count; k++) {
      s = ENVIRON["APIM_EM_" k]
      out = ""
      n = length(s)
      for (i = 1; i <= n; i += 3) {
        t = ORD[substr(s, i, 1)] * 65536
        if (i + 1 <= n) t += ORD[substr(s, i + 1, 1)] * 256
        if (i + 2 <= n) t += ORD[substr(s, i + 2, 1)]
        out = out substr(B64, int(t / 262144) + 1, 1) substr(B64, int(t / 4096) % 64 + 1, 1)
        out = out (i + 1 <= n ? substr(B64, int(t / 64) % 64 + 1, 1) : "=")
        out = out (i + 2 <= n ? substr(B64, t % 64 + 1, 1) : "=")
      }
      printf "@@APIM %s %s\n", key[k], out
    }
  }'
}
# apim_fields_decoded: the text of every input field on stdin (one a line: `-`, `=<path>` or
# base64; texts without a newline, such as paths), one a line, with one awk for all of them.
apim_fields_decoded() {
  # shellcheck disable=SC2016 # awk's own variables
  awk 'BEGIN {'"$APIM_AWK_B64_TABLES"'}
    $0 == "-" { print ""; next }
    substr($0, 1, 1) == "=" { print substr($0, 2); next }
    {
      out = ""
      bits = 0
      n = 0
      for (i = 1; i <= length($0); i++) {
        c = substr($0, i, 1)
        if (c == "=") break
        bits = bits * 64 + VAL[c]
        n += 6
        if (n >= 8) {
          n -= 8
          byte = int(bits / POW[n])
          bits -= byte * POW[n]
          out = out sprintf("%c", byte)
        }
      }
      print out
    }'
}
# A human message: on stderr, and as a `message` record.
apim_msg() {
  printf '%s\n' "$1" >&2
  apim_emit_b64 message "$1"
}
# Decodes one field of an input row: `-` is the empty text, `=<path>` a plain path (no base64 to
# run), anything else base64 (src/remote/script-input.ts).
apim_unb64() {
  case $1 in
    -) ;;
    =*) printf '%s' "${1#=}" ;;
    *) printf '%s' "$1" | apim_b64dec ;;
  esac
}
# apim_field_to <variable> <field>: the same into a variable, without a subshell for a plain path.
apim_field_to() {
  case $2 in
    =*) eval "$1=\${2#=}" ;;
    *) eval "$1=\$(apim_unb64 \"\$2\")" ;;
  esac
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
# APIM_NOW: whole seconds on a clock that only moves forward (the uptime, read by the shell), for
# deadlines; date +%s (a process per look) where there is no /proc.
apim_now() {
  APIM_NOW=
  [ -r /proc/uptime ] && read -r APIM_NOW _ </proc/uptime
  APIM_NOW=${APIM_NOW%%.*}
  [ -n "$APIM_NOW" ] || APIM_NOW=$(date +%s)
}
# Short pause for polling loops ($1 seconds, 0.2 when not given); busybox and GNU sleep take
# fractions, POSIX sleep may not.
apim_nap() { sleep "${1:-0.2}" 2>/dev/null || sleep 1; }

# ---- file state ----
apim_sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum <"$1" | cut -d' ' -f1
  else
    openssl dgst -sha256 <"$1" | sed 's/^.*= *//'
  fi
}
# apim_stat_paths <path>...: the paths themselves (a link is not followed) with one stat for all of
# them: APIM_STATS, one line per path in argument order, `0` (nothing there) or `1 <type> <mode>
# <owner> <group> <uid> <gid> <size> <device> <inode> <mtime> <ctime>` (type file, directory, link
# or other; a 4-digit mode; with the size, the last four are a file's identity: apim_stat_identity). Only
# paths that exist are passed to stat and it prints no names, so every line is one path's, whatever
# its name holds; when one vanished meanwhile (stat fails), each is stated on its own.
# APIM_STAT_FD8=1: the file open on fd 8 is stated too, in the same stat (its operand `-`, stdin
# from fd 8: an fstat), its `<device>:<inode>` in APIM_FD8_ID (empty when that stat failed, or a stat
# without `-` such as busybox's: the caller states the open file itself then).
apim_stat_paths() {
  APIM_STATS=
  APIM_FD8_ID=
  apim_sp_n=$#
  apim_sp_there=
  for apim_sp_p do
    if [ -e "$apim_sp_p" ] || [ -L "$apim_sp_p" ]; then
      apim_sp_there="${apim_sp_there}1"
      set -- "$@" "$apim_sp_p"
    else
      apim_sp_there="${apim_sp_there}0"
    fi
  done
  shift "$apim_sp_n"
  apim_sp_lines=
  apim_sp_batch=0
  if [ "${APIM_STAT_FD8:-0}" = 1 ]; then
    if apim_sp_lines=$(stat -c '%f %a %U %G %u %g %s %d %i %Y %Z' -- "$@" - 2>/dev/null <&8); then
      apim_sp_batch=1
      # The last line is the open file's: `... <size> <device> <inode> <mtime> <ctime>`.
      apim_sp_fd=${apim_sp_lines##*
}
      apim_sp_fd=${apim_sp_fd#* * * * * * * }
      APIM_FD8_ID=${apim_sp_fd%% *}:${apim_sp_fd#* }
      APIM_FD8_ID=${APIM_FD8_ID%% *}
      case $apim_sp_lines in
        *"
"*) apim_sp_lines=${apim_sp_lines%
*} ;;
        *) apim_sp_lines= ;;
      esac
    fi
  elif [ $# -gt 0 ] && apim_sp_lines=$(stat -c '%f %a %U %G %u %g %s %d %i %Y %Z' -- "$@" 2>/dev/null); then apim_sp_batch=1; fi
  while [ -n "$apim_sp_there" ]; do
    apim_sp_c=${apim_sp_there%"${apim_sp_there#?}"}
    apim_sp_there=${apim_sp_there#?}
    apim_sp_line=
    if [ "$apim_sp_c" = 1 ]; then
      if [ "$apim_sp_batch" = 1 ]; then
        apim_sp_line=${apim_sp_lines%%
*}
        apim_sp_lines=${apim_sp_lines#*
}
      else
        apim_sp_line=$(stat -c '%f %a %U %G %u %g %s %d %i %Y %Z' -- "$1" 2>/dev/null) || apim_sp_line=
      fi
      shift
    fi
    if [ -z "$apim_sp_line" ]; then
      APIM_STATS="${APIM_STATS}0
"
      continue
    fi
    # Split by parameter expansion (stat puts one space between fields): dash reads a here-document
    # a byte per system call.
    apim_sp_raw=${apim_sp_line%% *}
    apim_sp_rest=${apim_sp_line#* }
    apim_sp_mode=${apim_sp_rest%% *}
    apim_sp_rest=${apim_sp_rest#* }
    case $(((0x$apim_sp_raw) & 61440)) in
      32768) apim_sp_t='file' ;;
      16384) apim_sp_t='directory' ;;
      40960) apim_sp_t='link' ;;
      *) apim_sp_t='other' ;;
    esac
    while [ ${#apim_sp_mode} -lt 4 ]; do apim_sp_mode=0$apim_sp_mode; done
    APIM_STATS="${APIM_STATS}1 $apim_sp_t $apim_sp_mode $apim_sp_rest
"
  done
}
# apim_next_stat: the first line of APIM_STATS, taken off it: APIM_ST_THERE (0|1), APIM_ST_TYPE and
# APIM_ST_ATTRS (`<mode> <owner> <group> <uid> <gid> <size> <device> <inode> <mtime> <ctime>`).
apim_next_stat() {
  # shellcheck disable=SC2034 # the result, read by the callers
  read -r APIM_ST_THERE APIM_ST_TYPE APIM_ST_ATTRS <<APIM_LINE_END
${APIM_STATS%%
*}
APIM_LINE_END
  APIM_STATS=${APIM_STATS#*
}
}
# APIM_IDENTITY: the identity of a regular file, `<device> <inode> <size> <mtime> <ctime>`, from its
# apim_stat_paths line ($1); empty for anything else (a link, a folder, nothing there).
# shellcheck disable=SC2034 # the result, read by the callers
apim_stat_identity() {
  APIM_IDENTITY=
  set -f
  # shellcheck disable=SC2086 # the line's fields, one a word
  set -- $1
  set +f
  [ "${1-} ${2-}" != '1 file' ] || APIM_IDENTITY="$9 ${10} $8 ${11} ${12}"
}
# apim_file_sums <paths, one a line>: their sha256 (or `-`), one a line in the same order, in
# APIM_SUMS: one sha256sum for all (openssl, one file at a time, where sha256sum is missing).
apim_file_sums() {
  APIM_SUMS=
  # One path a line, empty ones dropped, split by the shell (a read loop over a here-document took
  # a system call per byte); callers split with the default IFS.
  set -f
  IFS='
'
  # shellcheck disable=SC2086 # one path a line
  set -- $1
  unset IFS
  set +f
  [ $# -gt 0 ] || return 0
  apim_fs_lines=
  command -v sha256sum >/dev/null 2>&1 && apim_fs_lines=$(sha256sum -- "$@" 2>/dev/null)
  # One line per readable file, in argument order; a name with a backslash is escaped (the line
  # starts with a backslash): such a file, or one sha256sum could not read, is hashed on its own.
  for apim_fs_p do
    apim_fs_line=${apim_fs_lines%%
*}
    if [ -n "$apim_fs_line" ] && [ "${apim_fs_line#*  }" = "$apim_fs_p" ] && [ "${apim_fs_line#\\}" = "$apim_fs_line" ]; then
      apim_fs_sum=${apim_fs_line%%  *}
      case $apim_fs_lines in
        *"
"*) apim_fs_lines=${apim_fs_lines#*
} ;;
        *) apim_fs_lines= ;;
      esac
    else
      apim_fs_sum=$(apim_sha256 "$apim_fs_p" 2>/dev/null) || apim_fs_sum=-
    fi
    APIM_SUMS="$APIM_SUMS${apim_fs_sum:--}
"
  done
}
# "<mode> <user> <group> <uid> <gid> <size>" of the path itself (a link is not followed), with a
# 4-digit mode; fails when the path does not exist.
apim_stat() {
  apim_st=$(stat -c '%a %U %G %u %g %s' "$1" 2>/dev/null) || return 1
  # shellcheck disable=SC2086 # split into the six fields on purpose
  set -- $apim_st
  printf '%04d %s %s %s %s %s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}
# Does the path have mode $2, owner $3 and group $4 (names or numeric ids)?
apim_attrs_match() {
  apim_am=$(apim_stat "$1") || return 1
  # shellcheck disable=SC2086 # the stat fields follow the three wanted values
  apim_attrs_are "$2" "$3" "$4" $apim_am
}
# apim_attrs_are <mode> <owner> <group> <mode> <user> <group> <uid> <gid>: are the wanted three
# (names or numeric ids) what a stat found?
apim_attrs_are() {
  [ "$1" = "$4" ] || return 1
  [ "$2" = "$5" ] || [ "$2" = "$7" ] || return 1
  [ "$3" = "$6" ] || [ "$3" = "$8" ] || return 1
}
# Paths the plans may hold: absolute and normalised (no `.`/`..` component, no `//`), so a path can
# never climb out of the folder it is mapped into.
apim_normal_path() {
  case $1 in
    /*) ;;
    *) return 1 ;;
  esac
  case $1 in
    */./* | */../* | */. | */.. | *//*) return 1 ;;
  esac
  return 0
}

# ---- writes that never follow a symbolic link ----
# Device and inode of the path itself (not of a link's target).
apim_id_of() { stat -c '%d:%i' "$1" 2>/dev/null; }

# apim_private_dir <folder>: makes a fresh private folder (mktemp -d: random name, 0700, ours) in
# <folder> and prints its path. Its name starts with a dot and ends in neither .conf nor a glob an
# nginx include would match.
apim_private_dir() {
  mktemp -d "$1/.apim-tmp.XXXXXXXXXX"
}
# apim_enter_private <private folder> <parent folder>: in a subshell, cd into the private folder
# and check it is still the one mktemp made (ours, 0700, empty) and directly inside <parent>, so a
# folder or link swapped in meanwhile is refused. Relative names then resolve in that folder
# whatever happens to the paths around it.
# One stat for the three checks (-L changes nothing for `.` and `..`, folders entered with cd -P),
# the uid read once (apim_euid), emptiness by a glob: an id, an ls and two more stats per file before.
apim_enter_private() {
  cd -P -- "$1" 2>/dev/null || return 1
  apim_euid
  apim_ep=$(stat -L -c '%u %a %d:%i' -- . .. "$2" 2>/dev/null)
  # shellcheck disable=SC2086 # numbers only: one field per word
  set -- $apim_ep
  [ "${1-} ${2-}" = "$APIM_EUID 700" ] && [ -n "${6-}" ] && [ "$6" = "${9-}" ] || return 1
  for apim_ep_f in .[!.]* ..?* *; do
    if [ -e "$apim_ep_f" ] || [ -L "$apim_ep_f" ]; then return 1; fi
  done
}
# APIM_EUID and APIM_EGID: the effective uid and gid (what `id -u` and `id -g` print), from this
# shell's /proc/self/status when there is one, once per program.
APIM_EUID=
APIM_EGID=
apim_euid() {
  [ -z "$APIM_EUID" ] || return 0
  if [ -r /proc/self/status ]; then
    while read -r apim_eu_key _ apim_eu_id _; do
      case $apim_eu_key in
        Uid:) APIM_EUID=$apim_eu_id ;;
        Gid:)
          APIM_EGID=$apim_eu_id
          break
          ;;
      esac
    done </proc/self/status
  fi
  [ -n "$APIM_EUID" ] || APIM_EUID=$(id -u)
  [ -n "$APIM_EGID" ] || APIM_EGID=$(id -g)
}
# APIM_EUSER and APIM_EGROUP: the names of APIM_EUID and APIM_EGID in /etc/passwd and /etc/group,
# read by the shell (empty when not there: the numbers are compared then), once per program.
APIM_EUSER=
APIM_EGROUP=
apim_euser() {
  [ -z "$APIM_EUSER$APIM_EGROUP" ] || return 0
  apim_euid
  apim_id_name /etc/passwd "$APIM_EUID"
  APIM_EUSER=$APIM_ID_NAME
  apim_id_name /etc/group "$APIM_EGID"
  APIM_EGROUP=$APIM_ID_NAME
}
# APIM_ID_NAME: the first name with id $2 in $1 (/etc/passwd or /etc/group: name:x:id:...).
apim_id_name() {
  APIM_ID_NAME=
  [ -r "$1" ] || return 0
  while IFS=: read -r apim_in_name _ apim_in_id _; do
    if [ "$apim_in_id" = "$2" ]; then
      APIM_ID_NAME=$apim_in_name
      return 0
    fi
  done <"$1"
}
apim_split_path() {
  APIM_DIR=${1%/*}
  [ -n "$APIM_DIR" ] || APIM_DIR=/
  APIM_BASE=${1##*/}
}
# mv -T: a folder or a link to one at the destination is an error, never a folder to move into.
apim_rename_over() { mv -fT -- "$1" "$2"; }

# apim_put_content <content file | @NAME>: the content on stdout, from the file, or (@NAME) the
# shell variable NAME's value by printf, a builtin (a cat per file before). A failed printf says
# only "I/O error" in dash: the write is tried again through cat, which names the cause (No space
# left on device, ...), and fails whatever that try does.
apim_put_content() {
  case $1 in
    @*)
      eval "printf '%s' \"\$${1#@}\"" 2>/dev/null && return 0
      eval "printf '%s' \"\$${1#@}\"" | cat
      return 1
      ;;
    *) cat -- "$1" ;;
  esac
}
# apim_put_file <content file> <path> <mode> <owner> <group>: replaces <path> with a copy of
# <content file>, atomically; apim_put_files below with one file.
apim_put_file() { apim_put_files "$@"; }
# apim_put_files <content> <path> <mode> <owner> <group> [<content> <path> ...]: replaces each
# <path> with a copy of its <content> (apim_put_content's argument), atomically, folder by folder
# (in the order the folders first appear). The copies are made in a private folder inside the
# paths' own folder, created with their mode (the umask; chmod only for a mode the umask cannot
# give) so that a key is never readable by others, not even for a moment, and given their owner
# before they are renamed over the paths relative to that checked folder, by one mv for the folder.
# A symbolic link at a path is replaced, not followed; chown -h; nothing is ever written through a
# path a local user could have swapped. Per folder: a mktemp, a stat, a cat per content file (none
# for a variable's), a chown only when the owner differs from this program's user, an mv and an rm
# (a mktemp, a stat, a chmod, a chown, a cat, an mv and an rm per file before).
apim_put_files() {
  apim_euid
  apim_pf_n=0
  while [ $# -ge 5 ]; do
    apim_pf_n=$((apim_pf_n + 1))
    eval "apim_pf_src_$apim_pf_n=\$1 apim_pf_path_$apim_pf_n=\$2 apim_pf_mode_$apim_pf_n=\$3 apim_pf_own_$apim_pf_n=\$4:\$5 apim_pf_todo_$apim_pf_n=1"
    shift 5
  done
  apim_pf_k=0
  while [ "$apim_pf_k" -lt "$apim_pf_n" ]; do
    apim_pf_k=$((apim_pf_k + 1))
    eval "[ \"\$apim_pf_todo_$apim_pf_k\" = 1 ] && apim_split_path \"\$apim_pf_path_$apim_pf_k\"" || continue
    # The files of this folder: their numbers, on one line.
    APIM_PUT_DIR=$APIM_DIR
    apim_pf_here=
    apim_pf_m=$((apim_pf_k - 1))
    while [ "$apim_pf_m" -lt "$apim_pf_n" ]; do
      apim_pf_m=$((apim_pf_m + 1))
      eval "[ \"\$apim_pf_todo_$apim_pf_m\" = 1 ] && apim_split_path \"\$apim_pf_path_$apim_pf_m\"" || continue
      [ "$APIM_DIR" = "$APIM_PUT_DIR" ] || continue
      eval "apim_pf_todo_$apim_pf_m=0 apim_pf_base_$apim_pf_m=\$APIM_BASE"
      apim_pf_here="$apim_pf_here $apim_pf_m"
    done
    apim_put_in_folder "$APIM_PUT_DIR" "$apim_pf_here" || return 1
  done
}
# apim_put_in_folder <folder> <numbers>: apim_put_files' work for the files of one folder.
apim_put_in_folder() {
  [ -d "$1" ] || mkdir -p "$1" || return 1
  apim_pf_priv=$(apim_private_dir "$1") || {
    apim_msg "cannot create a temporary folder in $1"
    return 1
  }
  (
    apim_enter_private "$apim_pf_priv" "$1" || { apim_msg "$apim_pf_priv changed while it was being written: refused"; exit 1; }
    apim_pf_list=$2
    set -C
    apim_pf_chown=
    apim_pf_chmod=
    apim_pf_src='' apim_pf_base='' apim_pf_mode='' apim_pf_own=''
    for apim_pf_m in $apim_pf_list; do
      eval "apim_pf_src=\$apim_pf_src_$apim_pf_m apim_pf_base=\$apim_pf_base_$apim_pf_m apim_pf_mode=\$apim_pf_mode_$apim_pf_m apim_pf_own=\$apim_pf_own_$apim_pf_m"
      if apim_umask_for "$apim_pf_mode"; then umask "$APIM_UMASK"; else
        umask 077
        apim_pf_chmod="$apim_pf_chmod $apim_pf_m"
      fi
      apim_put_content "$apim_pf_src" >"$apim_pf_base" || exit 1
      # The folder is 0700 (no setgid): new files are the program's.
      apim_is_own "${apim_pf_own%%:*}" "${apim_pf_own#*:}" || apim_pf_chown="$apim_pf_chown $apim_pf_m"
    done
    # One chown per owner among the files (chown clears set-id bits: the chmod comes after).
    while [ -n "$apim_pf_chown" ]; do
      apim_pf_left=$apim_pf_chown
      apim_pf_chown=
      apim_pf_pair=
      set --
      for apim_pf_m in $apim_pf_left; do
        eval "apim_pf_own=\$apim_pf_own_$apim_pf_m"
        [ -n "$apim_pf_pair" ] || apim_pf_pair=$apim_pf_own
        if [ "$apim_pf_own" = "$apim_pf_pair" ]; then
          eval "set -- \"\$@\" \"\$apim_pf_base_$apim_pf_m\""
        else
          apim_pf_chown="$apim_pf_chown $apim_pf_m"
        fi
      done
      chown -h -- "$apim_pf_pair" "$@" || exit 1
    done
    for apim_pf_m in $apim_pf_chmod; do
      eval "chmod -- \"\$apim_pf_mode_$apim_pf_m\" \"\$apim_pf_base_$apim_pf_m\"" || exit 1
    done
    set --
    for apim_pf_m in $apim_pf_list; do eval "set -- \"\$@\" \"\$apim_pf_base_$apim_pf_m\""; done
    # mv into a folder: a symbolic link at a name is replaced, a folder there is an error.
    mv -f -- "$@" ..
  )
  apim_pf_rc=$?
  rm -rf -- "$apim_pf_priv"
  return "$apim_pf_rc"
}
# apim_is_own <owner> <group>: are they (names or numbers) this program's user and group, which a
# file or folder it creates gets (in a folder without the setgid bit)?
apim_is_own() {
  apim_euser
  case $1:$2 in
    "$APIM_EUID:$APIM_EGID" | "$APIM_EUID:$APIM_EGROUP" | "$APIM_EUSER:$APIM_EGID" | "$APIM_EUSER:$APIM_EGROUP") return 0 ;;
  esac
  return 1
}
# APIM_UMASK: the umask that creates a file (0666 asked) with mode $1; fails for a mode with a
# set-id, sticky or execute bit, which needs a chmod.
apim_umask_for() {
  case $1 in
    0[0246][0246][0246]) apim_uf=${1#0} ;;
    [0246][0246][0246]) apim_uf=$1 ;;
    *) return 1 ;;
  esac
  apim_uf_o=${apim_uf#??}
  apim_uf_g=${apim_uf#?}
  APIM_UMASK=$((7 - ${apim_uf%??}))$((7 - ${apim_uf_g%?}))$((7 - apim_uf_o))
}
# apim_put_link <target> <path>: replaces <path> with a symbolic link to <target>, the same way.
apim_put_link() {
  apim_split_path "$2"
  apim_euid
  apim_pl_priv=$(apim_private_dir "$APIM_DIR") || return 1
  (
    apim_enter_private "$apim_pl_priv" "$APIM_DIR" || exit 1
    ln -s -- "$1" new && apim_rename_over new "../$APIM_BASE"
  )
  apim_pl_rc=$?
  rm -rf -- "$apim_pl_priv"
  return "$apim_pl_rc"
}
# apim_set_attrs <path> <mode|-> <owner|-> <group|->: sets the mode and owner of an existing file or
# folder without following a symbolic link, and through the object itself (a folder entered with
# cd, a file opened once: /proc/self/fd), so nothing swapped in after the check is ever changed.
apim_set_attrs() {
  if [ -L "$1" ]; then
    apim_msg "$1 is a symbolic link: not following it"
    return 1
  fi
  if [ -d "$1" ]; then
    (
      cd -P -- "$1" 2>/dev/null || exit 1
      [ "$(stat -c '%d:%i' .)" = "$(apim_id_of "$1")" ] || { apim_msg "$1 changed while its mode and owner were set"; exit 1; }
      apim_chattrs . "$2" "$3" "$4"
    )
    return
  fi
  if [ ! -f "$1" ]; then
    apim_msg "$1 is neither a regular file nor a folder"
    return 1
  fi
  if [ ! -d /proc/self/fd ]; then
    # No /proc: the check above and the change below are separate steps.
    apim_chattrs "$1" "$2" "$3" "$4"
    return
  fi
  (
    exec 8<"$1" || exit 1
    [ "$(stat -L -c '%d:%i' /proc/self/fd/8)" = "$(apim_id_of "$1")" ] || { apim_msg "$1 changed while its mode and owner were set"; exit 1; }
    apim_chattrs /proc/self/fd/8 "$2" "$3" "$4"
  )
}
apim_chattrs() {
  if [ "$2" != - ]; then chmod "$2" "$1" || return 1; fi
  if [ "$3" != - ] && [ "$4" != - ]; then
    chown "$3:$4" "$1"
  elif [ "$3" != - ]; then
    chown "$3" "$1"
  elif [ "$4" != - ]; then
    chgrp "$4" "$1"
  fi
}
# apim_read_file <path> [<command>...]: the content of a regular file on stdout (or on the stdin of
# <command>, which saves a cat), read through one open file checked to be the file at the path
# (never a link, never something swapped in after the check). APIM_READ_ID: the `<device>:<inode>`
# a stat of the path (not following a link) found a regular file at, which the open file may match
# instead of the path stated again (a stat fewer); any other identity is checked against the path.
apim_read_file() {
  (
    [ -f "$1" ] && [ ! -L "$1" ] || exit 1
    exec 8<"$1" || exit 1
    if [ -d /proc/self/fd ]; then
      apim_rf_id=$(stat -L -c '%d:%i' /proc/self/fd/8) && [ -n "$apim_rf_id" ] || exit 1
      [ "$apim_rf_id" = "${APIM_READ_ID:-}" ] || [ "$apim_rf_id" = "$(apim_id_of "$1")" ] || exit 1
    fi
    shift
    if [ $# -gt 0 ]; then "$@" <&8; else cat <&8; fi
  )
}
