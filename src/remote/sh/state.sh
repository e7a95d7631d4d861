# shellcheck shell=sh
# The tool's state folder on the host ($STATE, root only): lock, leftovers of killed runs, the
# records of which module manages which files, and the nginx build the last transaction saw.
# Input: STATE, APIM_RUN_LOGS_KEEP; NGINX, APIM_NGINX_ID and APIM_NGINX_V for apim_record_nginx_v.

# Exclusive lock on $STATE: flock(1) on $STATE/lock when present, else an atomic mkdir lock whose
# holder pid is checked so a crashed run does not block forever. Emits `lock_busy 1` when it had to
# wait and `lock_acquired 1` once held (no time: nothing read it, and it was a date process). $1:
# seconds to wait.
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
      if [ "$apim_lk_busy" = 0 ]; then
        apim_emit lock_busy 1
        apim_lk_busy=1
      fi
      [ "$apim_lk_waited" -ge "$1" ] && return 1
      sleep 1
      apim_lk_waited=$((apim_lk_waited + 1))
    done
    echo $$ >"$STATE/lock.d/pid"
    APIM_LOCK_MODE=dir
  fi
  apim_emit lock_acquired 1
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
  apim_tidy_runs
  return 0
}
# The newest APIM_RUN_LOGS_KEEP run logs by mtime are kept, the ones `ls -t` lists first (ties: by
# name). Their names do not sort by time (rollback's are `rollback-<local time>`, the others' UTC),
# so they are counted by the shell and, in the usual case of one too many (each run adds its own),
# the oldest is found by the shell's -nt (the last of ls -t: the greatest name among the oldest): an
# ls and a tail every run before. More than one too many (the limit lowered): ls -t sorts them.
apim_tidy_runs() {
  set -- "$STATE/runs"/*
  [ $# -gt "$APIM_RUN_LOGS_KEEP" ] || return 0
  if [ $# -eq $((APIM_RUN_LOGS_KEEP + 1)) ]; then
    apim_tr_old=$1
    for apim_tr_f do
      # shellcheck disable=SC3013 # -nt: POSIX since 2024, and in dash, bash and busybox ash
      [ "$apim_tr_f" -nt "$apim_tr_old" ] || apim_tr_old=$apim_tr_f
    done
    rm -f -- "$apim_tr_old"
    return 0
  fi
  # shellcheck disable=SC2012 # run log names are run ids: no newlines, ls -t is the simplest sort
  ls -1t "$STATE/runs" 2>/dev/null | tail -n +"$((APIM_RUN_LOGS_KEEP + 1))" | while IFS= read -r apim_td; do
    rm -f "$STATE/runs/$apim_td"
  done
}

# Records: $STATE/records holds one `<manager> <base64 path> <sha256> [<base64 note>]` line per file
# a module manages: the module that wrote it (the only one that may retire it), what it wrote (a file
# changed since is never retired) and, optionally, what the module noted about those bytes (a
# certificate's names and expiry, so that a later run need not parse it again). Files recorded by earlier versions in
# $STATE/managed-files (one list for everything) are kept as manager `legacy` until a module claims
# them: a legacy file is never removed.
# apim_write_records <managers that ran> <their records, lines>: replaces those managers' lines and
# keeps every other manager's, sorted and unique as `sort -u` leaves them (C locale), in one awk that
# also compares the result with the file (an awk, an awk, a sort, a cmp and two rm before): an
# unchanged file is not written again.
apim_write_records() {
  [ -n "$1" ] || return 0
  apim_wr_add=
  if [ -f "$STATE/managed-files" ]; then
    while IFS= read -r apim_wr_p; do
      case $apim_wr_p in /*) apim_wr_add="${apim_wr_add}legacy $(printf '%s' "$apim_wr_p" | apim_b64enc)
" ;; esac
    done <"$STATE/managed-files"
  fi
  apim_wr_had=0
  apim_wr_old=/dev/null
  if [ -f "$STATE/records" ]; then
    apim_wr_had=1
    apim_wr_old=$STATE/records
  fi
  # The file is read whole (RS: a byte no record holds), so that a last line without its newline
  # differs, as cmp would find. Exit 0: unchanged; 10: records.tmp written.
  # shellcheck disable=SC2016 # awk's own variables
  APIM_WR_ADD="$apim_wr_add$2" APIM_WR_OUT="$STATE/records.tmp" awk -v ran=" $1 " -v had="$apim_wr_had" '
    BEGIN { RS = "\001" }
    { old = old (NR > 1 ? RS : "") $0 }
    END {
      n = 0
      c = split(old, line, "\n")
      for (i = 1; i <= c; i++)
        if (split(line[i], f) >= 2 && index(ran, " " f[1] " ") == 0) all[++n] = line[i]
      c = split(ENVIRON["APIM_WR_ADD"], line, "\n")
      for (i = 1; i <= c; i++) all[++n] = line[i]
      k = 0
      for (i = 1; i <= n; i++) {
        if (split(all[i], f) < 2) continue
        if (f[1] == "legacy") legacy[f[2]] = 1
        else {
          owned[f[2]] = 1
          rec[++k] = all[i] ""
        }
      }
      for (p in legacy) if (!(p in owned)) rec[++k] = "legacy " p
      # Sorted by insertion: a few lines.
      for (i = 2; i <= k; i++) {
        v = rec[i]
        for (j = i - 1; j >= 1 && rec[j] > v; j--) rec[j + 1] = rec[j]
        rec[j + 1] = v
      }
      text = ""
      for (i = 1; i <= k; i++) if (i == 1 || rec[i] != rec[i - 1]) text = text rec[i] "\n"
      if (had && text == old) exit 0
      out = ENVIRON["APIM_WR_OUT"]
      printf "%s", text >out
      if (close(out) != 0) exit 1
      exit 10
    }' "$apim_wr_old"
  case $? in
    0) ;;
    10) mv -f "$STATE/records.tmp" "$STATE/records" || return 1 ;;
    *) return 1 ;;
  esac
  [ ! -f "$STATE/managed-files" ] || rm -f "$STATE/managed-files"
}

# $STATE/nginx-v: the identity of the nginx binary (`<device> <inode> <size> <mtime> <ctime>`, as
# stat prints them), then what `nginx -V` printed for it. The facts program prints that text
# instead of running nginx while the binary has that identity (facts.sh, apim_recorded_nginx_v).
# APIM_NGINX_ID, the identity, was taken before APIM_NGINX_V, the text (run now when empty): a binary
# replaced in between is recorded under the old identity, which no longer matches, so the next
# facts run nginx -V again. Only this function, in the transaction, writes the file; it is
# replaced, never edited, and written again only when the identity changed. A binary that is no
# regular file (a link) has no identity and is not recorded.
apim_record_nginx_v() {
  [ -n "$APIM_NGINX_ID" ] || return 0
  apim_rn_old=
  [ -f "$STATE/nginx-v" ] && IFS= read -r apim_rn_old <"$STATE/nginx-v"
  [ "$apim_rn_old" != "$APIM_NGINX_ID" ] || return 0
  [ -n "$APIM_NGINX_V" ] || APIM_NGINX_V=$("$NGINX" -V 2>&1) || return 0
  case $APIM_NGINX_V in 'nginx version: '*) ;; *) return 0 ;; esac
  printf '%s\n%s\n' "$APIM_NGINX_ID" "$APIM_NGINX_V" >"$STATE/nginx-v.tmp" && mv -f "$STATE/nginx-v.tmp" "$STATE/nginx-v"
}
