# shellcheck shell=sh
# Finding, testing, starting and reloading nginx, and proving a reload took effect.
# Input: NGINX (binary), NGINX_P (optional -p prefix), CONF (nginx.conf), SVC (systemd | sysv |
# none), PID_FILE and ERROR_LOG (empty: derived), WORK (scratch folder).
#
# A reload is sent as HUP to the master pid we recorded, which is exactly what `nginx -s reload`
# and `systemctl reload nginx` do, without re-parsing the config to find the pid file. Neither
# reports whether nginx accepted the new configuration, so success is proven afterwards: same
# master alive, a worker that did not exist before, no new [emerg] line in the error log, and no
# old worker still accepting connections (apim_old_open).

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
# APIM_TITLES: 1 when this host shows nginx's process titles (/proc/<pid>/cmdline as nginx's
# ngx_setproctitle writes it: Linux, /proc not hidden from us), else empty.
apim_nginx_titles() {
  APIM_TITLES=
  apim_nt_t=
  IFS= read -r apim_nt_t <"/proc/$APIM_MASTER/cmdline" 2>/dev/null
  case $apim_nt_t in *': master process'*) APIM_TITLES=1 ;; esac
}
# APIM_OLD_OPEN: the old workers (APIM_WORKERS) that may still accept new connections, among the
# master's children APIM_CHILDREN; $1 = 1 also counts a titled-shutting-down one that was never
# seen asleep as closed. nginx's worker, told to quit, sets the title "worker process is shutting
# down" and then closes its listening sockets in one synchronous block with no accept and no
# sleeping call in between (ngx_worker_process_cycle in src/os/unix/ngx_process_cycle.c, nginx
# 3f6f782). So that title and the worker asleep (S), or a zombie, prove it accepts no more; the
# title alone does not (it may be preempted before the close). What is queued on a socket at its
# close stays for the new workers: ngx_init_cycle passes every old socket of an address the new
# config listens on to the new cycle, reuseport ones too (each kept one serves a new worker); only
# a socket the new config drops loses its queue, as under any wait. Exited workers and children of
# another kind (cache manager and loader close the listening sockets when they start) count as
# closed.
apim_old_open() {
  APIM_OLD_OPEN=
  for apim_oo_p in $APIM_WORKERS; do
    case " $APIM_CHILDREN " in *" $apim_oo_p "*) ;; *) continue ;; esac
    # read answers 1 at the end of a title without a newline: what it read is what counts; nothing
    # read, the worker has exited meanwhile.
    apim_oo_t=
    IFS= read -r apim_oo_t <"/proc/$apim_oo_p/cmdline" 2>/dev/null
    case $apim_oo_t in
      '') continue ;;
      *': worker process is shutting down') ;;
      *': worker process') APIM_OLD_OPEN="$APIM_OLD_OPEN $apim_oo_p" && continue ;;
      *) continue ;;
    esac
    [ "$1" = 1 ] && continue
    apim_oo_s=
    IFS= read -r apim_oo_s <"/proc/$apim_oo_p/stat" 2>/dev/null
    apim_oo_s=${apim_oo_s##*) }
    case $apim_oo_s in '' | S* | Z* | X*) ;; *) APIM_OLD_OPEN="$APIM_OLD_OPEN $apim_oo_p" ;; esac
  done
}
# APIM_QUIT_NAP: how long until the master tells the old workers to quit, 100 ms after it started
# the last of the new children in APIM_CHILDREN (ngx_master_process_cycle's ngx_msleep(100) follows
# their forks), as a sleep argument; empty when that is past or unknown. From their start
# times (/proc/<pid>/stat field 22, in the 1/100 s ticks Linux gives user space) and /proc/uptime
# (1/100 s); a value off that scale (another tick) is not used.
apim_quit_nap() {
  APIM_QUIT_NAP=
  apim_qn_last=0
  for apim_qn_p in $APIM_CHILDREN; do
    case " $APIM_WORKERS " in *" $apim_qn_p "*) continue ;; esac
    apim_qn_s=
    IFS= read -r apim_qn_s <"/proc/$apim_qn_p/stat" 2>/dev/null
    # shellcheck disable=SC2086 # the stat fields after the name, one per word
    set -- ${apim_qn_s##*) }
    [ $# -ge 20 ] && [ "${20}" -gt "$apim_qn_last" ] && apim_qn_last=${20}
  done
  apim_qn_up=
  read -r apim_qn_up _ </proc/uptime 2>/dev/null
  case $apim_qn_up in *.[0-9][0-9]) ;; *) return 0 ;; esac
  # The start was within its tick, the quit comes 100 ms later: 0.11 s after the tick's start.
  apim_qn_cs=$((apim_qn_last + 11 - ${apim_qn_up%.*}${apim_qn_up#*.}))
  [ "$apim_qn_cs" -gt 0 ] && [ "$apim_qn_cs" -le 11 ] || return 0
  APIM_QUIT_NAP=0.0$apim_qn_cs
  [ "$apim_qn_cs" -ge 10 ] && APIM_QUIT_NAP=0.$apim_qn_cs
  return 0
}
# The reload's error-log check: 1 (APIM_NGINX_OUT set) when the log grew by an [emerg] line.
apim_reload_emerg() {
  apim_log_size
  [ "$APIM_LOG_SIZE" != "$APIM_LOG_OFFSET" ] || return 1
  apim_rc_emerg=$(apim_log_after "$APIM_LOG_OFFSET" | grep '\[emerg\]')
  [ -n "$apim_rc_emerg" ] || return 1
  APIM_NGINX_OUT=$apim_rc_emerg
}
# Reloads and waits up to $1 seconds for proof: the same master alive, a child that did not exist
# before, no new [emerg] line, and, where the titles show, no old worker still accepting (else the
# next request could reach one and get the old configuration). On failure APIM_NGINX_OUT says why.
apim_reload_confirm() {
  APIM_NGINX_OUT=
  if ! kill -HUP "$APIM_MASTER" 2>/dev/null; then
    APIM_NGINX_OUT="could not signal the nginx master process $APIM_MASTER"
    return 1
  fi
  apim_now
  apim_rc_end=$((APIM_NOW + $1))
  apim_nginx_titles
  # With titles: the first look after 0.1 s (the master sleeps 100 ms after starting the new workers
  # before it tells the old ones to quit: ngx_master_process_cycle's ngx_msleep(100)), then every
  # 0.02 s but for one nap to the end of those 100 ms once the new workers show (apim_quit_nap),
  # the error log (a wc) every fifth look and before success. Without: a look every 0.2 s,
  # the margin that usually covers the old workers' quitting, each with the log.
  apim_rc_nap=0.2
  [ -n "$APIM_TITLES" ] && apim_rc_nap=0.1
  apim_rc_n=0
  apim_rc_seen=
  while :; do
    apim_nap "$apim_rc_nap"
    [ -n "$APIM_TITLES" ] && apim_rc_nap=0.02
    apim_rc_n=$((apim_rc_n + 1))
    if { [ -z "$APIM_TITLES" ] || [ $((apim_rc_n % 5)) = 0 ]; } && apim_reload_emerg; then return 1; fi
    if ! kill -0 "$APIM_MASTER" 2>/dev/null; then
      APIM_NGINX_OUT="the nginx master process $APIM_MASTER exited during the reload"
      return 1
    fi
    apim_now
    apim_children "$APIM_MASTER"
    apim_rc_new=
    for apim_rc_w in $APIM_CHILDREN; do
      case " $APIM_WORKERS " in *" $apim_rc_w "*) ;; *) apim_rc_new=1 && break ;; esac
    done
    if [ -n "$apim_rc_new" ]; then
      [ -z "$APIM_TITLES" ] && return 0
      # At the deadline, a worker that took its quit title long ago has closed its sockets.
      apim_rc_late=
      [ "$APIM_NOW" -ge "$apim_rc_end" ] && apim_rc_late=1
      apim_old_open "$apim_rc_late"
      if [ -z "$APIM_OLD_OPEN" ]; then
        apim_reload_emerg && return 1
        return 0
      fi
      # The first look that sees the new children: no quit before the master's 100 ms are over.
      if [ -z "$apim_rc_seen" ]; then
        apim_rc_seen=1
        apim_quit_nap
        [ -n "$APIM_QUIT_NAP" ] && apim_rc_nap=$APIM_QUIT_NAP
      fi
    fi
    if [ "$APIM_NOW" -ge "$apim_rc_end" ]; then
      if [ -n "$apim_rc_new" ]; then
        APIM_NGINX_OUT="old nginx worker processes ($APIM_OLD_OPEN ) still accept connections $1 s after the reload"
      else
        APIM_NGINX_OUT="nginx started no new worker processes within $1 s: the new configuration was not applied"
      fi
      return 1
    fi
  done
}
# Starts nginx (fd 9, the lock, is closed so the daemon does not hold it) and waits up to $1 s,
# looking every 0.02 s (builtins only): there are no old workers to outwait, any child is a worker
# of the new configuration, on listening sockets the master opened before it started them.
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
    apim_nap 0.02
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
