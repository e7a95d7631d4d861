# shellcheck shell=sh
# Finding, testing, starting and reloading nginx, and proving a reload took effect.
# Input: NGINX (binary), NGINX_P (optional -p prefix), CONF (nginx.conf), SVC (systemd | sysv |
# none), PID_FILE and ERROR_LOG (empty: derived), WORK (scratch folder).
#
# A reload is sent as HUP to the master pid we recorded, which is exactly what `nginx -s reload`
# and `systemctl reload nginx` do, without re-parsing the config to find the pid file. Neither
# reports whether nginx accepted the new configuration, so success is proven afterwards: same
# master alive, a worker that did not exist before, and no new [emerg] line in the error log.

apim_nginx() {
  if [ -n "$NGINX_P" ]; then "$NGINX" -p "$NGINX_P" "$@"; else "$NGINX" "$@"; fi
}
# APIM_CV: the first main-context (unindented) value of directive $2 in file $1 (a line
# `<directive> <value...>;`), quotes removed, its first word; empty when there is none. Shell
# builtins only: this runs in every facts program.
apim_conf_value() {
  APIM_CV=
  [ -r "$1" ] || return 0
  apim_cv_name=$2
  while IFS= read -r apim_cv_line || [ -n "$apim_cv_line" ]; do
    case $apim_cv_line in
      "$apim_cv_name"[[:space:]]*\;*) ;;
      *) continue ;;
    esac
    apim_cv_v=${apim_cv_line#"$apim_cv_name"}
    apim_cv_v=${apim_cv_v%%;*}
    while :; do
      case $apim_cv_v in
        *[\"\']*) apim_cv_v=${apim_cv_v%%[\"\']*}${apim_cv_v#*[\"\']} ;;
        *) break ;;
      esac
    done
    set -f
    # shellcheck disable=SC2086 # split into words on purpose; globbing is off
    set -- $apim_cv_v
    set +f
    APIM_CV=${1-}
    return 0
  done <"$1"
}
# APIM_ARG: the value of `--$1=` in apim_np_v (`nginx -V`: the last one, up to a space or line end).
# Word by word: `${apim_np_v##*--prefix=}` on the whole text took dash ~2.7 ms a call (its longest
# prefix match is quadratic in the text's length), three calls in every facts program.
apim_configure_arg() {
  APIM_ARG=
  apim_ca_name=$1
  set -f
  # shellcheck disable=SC2086 # split into words on purpose; globbing is off
  set -- $apim_np_v
  set +f
  for apim_ca_w do
    case $apim_ca_w in *"--$apim_ca_name="*) APIM_ARG=${apim_ca_w##*--"$apim_ca_name"=} ;; esac
  done
  APIM_ARG=${APIM_ARG%%[[:space:]]*}
}
# APIM_NGINX_V: the output of `nginx -V` when the caller has it already.
apim_nginx_paths() {
  apim_np_v=${APIM_NGINX_V:-$("$NGINX" -V 2>&1)}
  apim_np_prefix=$NGINX_P
  if [ -z "$apim_np_prefix" ]; then
    apim_configure_arg prefix
    apim_np_prefix=${APIM_ARG:-/usr/local/nginx}
  fi
  if [ -z "$PID_FILE" ]; then
    apim_conf_value "$CONF" pid
    PID_FILE=$APIM_CV
    [ -n "$PID_FILE" ] || { apim_configure_arg pid-path && PID_FILE=$APIM_ARG; }
    [ -n "$PID_FILE" ] || PID_FILE=logs/nginx.pid
  fi
  case $PID_FILE in /*) ;; *) PID_FILE=${apim_np_prefix%/}/$PID_FILE ;; esac
  if [ -z "$ERROR_LOG" ]; then
    apim_conf_value "$CONF" error_log
    ERROR_LOG=$APIM_CV
    [ -n "$ERROR_LOG" ] || { apim_configure_arg error-log-path && ERROR_LOG=$APIM_ARG; }
    [ -n "$ERROR_LOG" ] || ERROR_LOG=logs/error.log
  fi
  case $ERROR_LOG in
    stderr | syslog:* | memory:*) ERROR_LOG= ;;
    /*) ;;
    *) ERROR_LOG=${apim_np_prefix%/}/$ERROR_LOG ;;
  esac
}
# APIM_MASTER_PID: the live master pid, or empty when nginx is not running (the pid file's
# digits). Set, not printed: a `$(...)` around it was a fork for nothing.
apim_master_pid() {
  APIM_MASTER_PID=
  [ -r "$PID_FILE" ] && IFS= read -r APIM_MASTER_PID <"$PID_FILE" 2>/dev/null
  while :; do
    case $APIM_MASTER_PID in
      *[!0-9]*) APIM_MASTER_PID=${APIM_MASTER_PID%%[!0-9]*}${APIM_MASTER_PID#*[!0-9]} ;;
      *) break ;;
    esac
  done
  if [ -n "$APIM_MASTER_PID" ] && ! kill -0 "$APIM_MASTER_PID" 2>/dev/null; then APIM_MASTER_PID=; fi
  return 0
}
# APIM_CHILDREN: the child pids of $1 (the workers, cache manager/loader) on one line, in no
# particular order (they are compared as sets): set, not printed, and joined by the shell (a sort
# and a tr in a subshell before). Read by the shell from the kernel's list of each thread's
# children where it has one (a ps per look before), else from ps or /proc.
apim_children() {
  if [ -r "/proc/$1/task/$1/children" ]; then
    apim_ch=
    for apim_ch_f in /proc/"$1"/task/*/children; do
      apim_ch_l=
      IFS= read -r apim_ch_l <"$apim_ch_f" 2>/dev/null
      apim_ch="$apim_ch $apim_ch_l"
    done
  else
    apim_ch=$(ps -o pid= --ppid "$1" 2>/dev/null) || apim_ch=$(apim_children_proc "$1")
  fi
  # shellcheck disable=SC2086 # one pid per word
  set -- $apim_ch
  APIM_CHILDREN=$*
}
apim_children_proc() {
  apim_cp_parent=$1
  for apim_cp_dir in /proc/[0-9]*; do
    IFS= read -r apim_cp_stat <"$apim_cp_dir/stat" 2>/dev/null || continue
    apim_cp_stat=${apim_cp_stat##*) }
    # shellcheck disable=SC2086 # the stat fields, one per word
    set -- $apim_cp_stat
    [ "${2:-}" = "$apim_cp_parent" ] && printf '%s\n' "${apim_cp_dir#/proc/}"
  done
  return 0
}
# APIM_LOG_SIZE: the error log's size in bytes (0 without one); wc's padding dropped by the shell.
apim_log_size() {
  APIM_LOG_SIZE=0
  if [ -n "$ERROR_LOG" ] && [ -f "$ERROR_LOG" ]; then
    apim_lz=$(wc -c <"$ERROR_LOG")
    # shellcheck disable=SC2086 # the number, without the blanks around it
    set -- $apim_lz
    APIM_LOG_SIZE=${1:-0}
  fi
}
# Error-log text written after byte offset $1 (all of it when the log was rotated meanwhile).
apim_log_since() {
  apim_log_size
  apim_log_after "$1"
}
# The same with APIM_LOG_SIZE measured already: nothing to read (no tail) when it is the offset.
apim_log_after() {
  [ -n "$ERROR_LOG" ] && [ -f "$ERROR_LOG" ] && [ "$APIM_LOG_SIZE" != "$1" ] || return 0
  if [ "$APIM_LOG_SIZE" -lt "$1" ]; then cat "$ERROR_LOG"; else tail -c +"$(($1 + 1))" "$ERROR_LOG"; fi
}
# After a refused reload the master may still be busy (it retries a failed bind() for ~2.5 s, logging
# each try): wait until the error log stops growing for a second, at most $1 s, before the next one.
apim_log_settle() {
  apim_now
  apim_ls_end=$((APIM_NOW + $1))
  apim_log_size
  apim_ls_last=$APIM_LOG_SIZE
  while apim_now && [ "$APIM_NOW" -lt "$apim_ls_end" ]; do
    sleep 1
    apim_log_size
    [ "$APIM_LOG_SIZE" = "$apim_ls_last" ] && return 0
    apim_ls_last=$APIM_LOG_SIZE
  done
}
# Records what a reload must change: APIM_MASTER, APIM_WORKERS, APIM_LOG_OFFSET.
apim_nginx_before() {
  apim_master_pid
  APIM_MASTER=$APIM_MASTER_PID
  APIM_WORKERS=
  if [ -n "$APIM_MASTER" ]; then
    apim_children "$APIM_MASTER"
    APIM_WORKERS=$APIM_CHILDREN
  fi
  apim_log_size
  APIM_LOG_OFFSET=$APIM_LOG_SIZE
}
# Reloads and waits up to $1 seconds for proof; on failure APIM_NGINX_OUT says why.
apim_reload_confirm() {
  APIM_NGINX_OUT=
  if ! kill -HUP "$APIM_MASTER" 2>/dev/null; then
    APIM_NGINX_OUT="could not signal the nginx master process $APIM_MASTER"
    return 1
  fi
  apim_now
  apim_rc_end=$((APIM_NOW + $1))
  # A look every 0.2 s (a wc and the children list; a tail and a grep only when the log grew). Not
  # sooner: new workers show 20-90 ms after the signal, but the old ones may still be accepting
  # until the master has told them to quit; a first look at 0.05 s let the next request reach an old
  # worker (test/integration/remote-scripts.test.ts got the old page after `committed`).
  while :; do
    apim_nap
    apim_log_size
    if [ "$APIM_LOG_SIZE" != "$APIM_LOG_OFFSET" ]; then
      apim_rc_emerg=$(apim_log_after "$APIM_LOG_OFFSET" | grep '\[emerg\]')
      if [ -n "$apim_rc_emerg" ]; then
        APIM_NGINX_OUT=$apim_rc_emerg
        return 1
      fi
    fi
    if ! kill -0 "$APIM_MASTER" 2>/dev/null; then
      APIM_NGINX_OUT="the nginx master process $APIM_MASTER exited during the reload"
      return 1
    fi
    apim_children "$APIM_MASTER"
    for apim_rc_w in $APIM_CHILDREN; do
      case " $APIM_WORKERS " in *" $apim_rc_w "*) ;; *) return 0 ;; esac
    done
    apim_now
    if [ "$APIM_NOW" -ge "$apim_rc_end" ]; then
      APIM_NGINX_OUT="nginx started no new worker processes within $1 s: the new configuration was not applied"
      return 1
    fi
  done
}
# Starts nginx (fd 9, the lock, is closed so the daemon does not hold it) and waits up to $1 s.
apim_start_nginx() {
  APIM_NGINX_OUT=
  apim_log_size
  apim_sn_offset=$APIM_LOG_SIZE
  case $SVC in
    systemd) systemctl start nginx >"$WORK/start.out" 2>&1 9>&- ;;
    sysv) service nginx start >"$WORK/start.out" 2>&1 9>&- ;;
    *) apim_nginx -c "$CONF" >"$WORK/start.out" 2>&1 9>&- ;;
  esac
  apim_sn_rc=$?
  apim_now
  apim_sn_end=$((APIM_NOW + $1))
  while :; do
    apim_master_pid
    APIM_MASTER=$APIM_MASTER_PID
    if [ -n "$APIM_MASTER" ]; then
      apim_children "$APIM_MASTER"
      [ -n "$APIM_CHILDREN" ] && return 0
    fi
    apim_now
    if [ "$apim_sn_rc" != 0 ] || [ "$APIM_NOW" -ge "$apim_sn_end" ]; then
      APIM_NGINX_OUT=$(cat "$WORK/start.out" 2>/dev/null; apim_log_since "$apim_sn_offset" | grep '\[emerg\]')
      [ -n "$APIM_NGINX_OUT" ] || APIM_NGINX_OUT="nginx did not start within $1 s"
      return 1
    fi
    apim_nap
  done
}
# Optional request through the load balancer: any HTTP answer proves nginx serves the new
# configuration (a 5xx from a backend that is down is not the load balancer's fault).
apim_health() {
  [ -n "$HEALTH_URL" ] || return 0
  if ! command -v curl >/dev/null 2>&1; then
    apim_msg "curl is not installed: health check skipped"
    return 0
  fi
  if [ -n "$HEALTH_HOST" ]; then
    apim_hc=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 10 -H "Host: $HEALTH_HOST" "$HEALTH_URL" 2>/dev/null)
  else
    apim_hc=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 10 "$HEALTH_URL" 2>/dev/null)
  fi
  apim_emit health_status "${apim_hc:-000}"
  case ${apim_hc:-000} in
    000) APIM_NGINX_OUT="health check: no HTTP answer from $HEALTH_URL"; return 1 ;;
  esac
  return 0
}
# nginx -t passes a configuration in which a server name is claimed twice on one address ("[warn]
# conflicting server name ... ignored"), then serves only the first block: a candidate that does
# that is refused. $1: the output of nginx -t. Prints the offending lines.
apim_nginx_conflicts() {
  printf '%s\n' "$1" | grep 'conflicting server name'
}
