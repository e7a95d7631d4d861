# shellcheck shell=sh
# An API-M node's process: is it running, restart it the way it is started (its systemd unit, its
# init script, or its bin script as its own user, never root), and wait until it is healthy (its
# HTTPS port answers, or the health URL answers 2xx/3xx), seen from the node itself.
# Input: METHOD (systemd|init|script), SERVICE, SCRIPT, RUN_AS, CARBON_HOME, HTTPS_PORT,
# HEALTH_URL (empty: the HTTPS port answering is enough), HEALTH_TIMEOUT (seconds).

# What a restart and a health wait report (read by the transaction's messages).
# shellcheck disable=SC2034 # read by node-transaction.sh
APIM_OLD_PIDS=
APIM_RESTART_OUT=
APIM_HEALTH_OUT=

# Pids of the Carbon processes running from CARBON_HOME (their -Dcarbon.home, links resolved).
# One grep reads every process's arguments, one record per argument (-z), the first -Dcarbon.home
# of each (-m 1): three processes per process on the host (tr, sed, head) before, ~500 on a node.
# Its exit status is not looked at: a process that ends meanwhile is an unreadable file.
apim_node_pids() {
  grep -zsHm 1 -e '^-Dcarbon\.home=' /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' '\n' | {
    while IFS= read -r apim_np_line; do
      apim_np_pid=${apim_np_line#/proc/}
      apim_np_pid=${apim_np_pid%%/*}
      apim_np_home=${apim_np_line#*/cmdline:-Dcarbon.home=}
      [ -n "$apim_np_home" ] || continue
      [ "$(readlink -f -- "$apim_np_home" 2>/dev/null)" = "$CARBON_HOME" ] && printf '%s\n' "$apim_np_pid"
    done
    return 0
  }
}
apim_node_running() {
  [ -n "$(apim_node_pids)" ] && return 0
  [ "$METHOD" = systemd ] && systemctl is-active --quiet "$SERVICE" 2>/dev/null
}
# Runs a command as RUN_AS (the API-M user): never as root.
apim_as_node_user() {
  if [ "$(id -un)" = "$RUN_AS" ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$RUN_AS" -- "$@"
  elif command -v setpriv >/dev/null 2>&1; then
    apim_au_uid=$(id -u "$RUN_AS") && apim_au_gid=$(id -g "$RUN_AS") &&
      setpriv --reuid="$apim_au_uid" --regid="$apim_au_gid" --init-groups -- "$@"
  else
    # su runs `sh -c` with the command as its positional arguments: nothing is parsed as shell text.
    # shellcheck disable=SC2016 # expanded by that inner shell
    su -s /bin/sh -c '"$0" "$@"' "$RUN_AS" "$@"
  fi
}
# Waits until none of the pids in $1 is alive; $2 seconds at most.
apim_wait_gone() {
  apim_wg_end=$(($(date +%s) + $2))
  while :; do
    apim_wg_alive=0
    for apim_wg_pid in $1; do
      kill -0 "$apim_wg_pid" 2>/dev/null && apim_wg_alive=1
    done
    [ "$apim_wg_alive" = 0 ] && return 0
    [ "$(date +%s)" -ge "$apim_wg_end" ] && return 1
    apim_nap
  done
}
# Restarts API-M; APIM_OLD_PIDS are the processes it replaces. Output goes to APIM_RESTART_OUT.
# Every command runs with the lock's fd 9 closed: a daemon started from here must not inherit
# (and hold forever) the node's lock, or every later run would wait for it.
apim_restart_node() {
  APIM_OLD_PIDS=$(apim_node_pids | tr '\n' ' ')
  case $METHOD in
    systemd) APIM_RESTART_OUT=$(systemctl restart "$SERVICE" 9>&- 2>&1) ;;
    init) APIM_RESTART_OUT=$(service "$SERVICE" restart 9>&- 2>&1) ;;
    script)
      APIM_RESTART_OUT=$(apim_as_node_user "$SCRIPT" stop 9>&- 2>&1) || return 1
      if ! apim_wait_gone "$APIM_OLD_PIDS" "$HEALTH_TIMEOUT"; then
        APIM_RESTART_OUT="$APIM_RESTART_OUT
API-M (pids $APIM_OLD_PIDS) did not stop within $HEALTH_TIMEOUT s"
        return 1
      fi
      APIM_RESTART_OUT="$APIM_RESTART_OUT
$(apim_as_node_user "$SCRIPT" start 9>&- 2>&1)"
      ;;
    *)
      APIM_RESTART_OUT="unknown start method $METHOD"
      return 1
      ;;
  esac
}
# One probe: the health URL answers 2xx/3xx, or (without one) the HTTPS port answers HTTP at all.
apim_health_once() {
  apim_ho_url=${HEALTH_URL:-https://127.0.0.1:$HTTPS_PORT/}
  apim_ho_code=
  if command -v curl >/dev/null 2>&1; then
    apim_ho_code=$(curl -ks -o /dev/null -m 5 -w '%{http_code}' "$apim_ho_url" 2>/dev/null)
  elif command -v wget >/dev/null 2>&1; then
    apim_ho_code=$(wget -q -S -T 5 -t 1 --no-check-certificate -O /dev/null "$apim_ho_url" 2>&1 |
      awk '/^ *HTTP\// { code = $2 } END { print code }')
  elif [ -z "$HEALTH_URL" ] && command -v openssl >/dev/null 2>&1; then
    apim_ho_code=$(printf 'HEAD / HTTP/1.0\r\n\r\n' | openssl s_client -quiet -connect "127.0.0.1:$HTTPS_PORT" 2>/dev/null |
      awk 'NR == 1 && /^HTTP\// { print $2 }')
  fi
  case $apim_ho_code in '' | 000) return 1 ;; esac
  [ -z "$HEALTH_URL" ] && return 0
  case $apim_ho_code in 2?? | 3??) return 0 ;; *) return 1 ;; esac
}
# Waits until API-M answers, from a new process when the old ones were visible. Fails early when
# no Carbon process runs for 15 s (a start that died). APIM_HEALTH_OUT says why it failed.
# shellcheck disable=SC2034 # APIM_HEALTH_OUT is read by node-transaction.sh
apim_wait_healthy() {
  apim_wh_start=$(date +%s)
  apim_wh_end=$((apim_wh_start + HEALTH_TIMEOUT))
  apim_wh_seen=$apim_wh_start
  while :; do
    apim_wh_new=
    for apim_wh_pid in $(apim_node_pids); do
      case " $APIM_OLD_PIDS " in *" $apim_wh_pid "*) ;; *) apim_wh_new=$apim_wh_pid ;; esac
    done
    apim_wh_now=$(date +%s)
    if [ -n "$apim_wh_new" ] || [ -z "$(printf '%s' "$APIM_OLD_PIDS" | tr -d ' ')" ]; then
      apim_wh_seen=$apim_wh_now
      apim_health_once && return 0
    elif [ $((apim_wh_now - apim_wh_seen)) -ge 15 ]; then
      APIM_HEALTH_OUT="no API-M process runs from $CARBON_HOME $((apim_wh_now - apim_wh_start)) s after the restart"
      return 1
    fi
    if [ "$apim_wh_now" -ge "$apim_wh_end" ]; then
      APIM_HEALTH_OUT="API-M did not answer ${HEALTH_URL:-on https://127.0.0.1:$HTTPS_PORT/} within $HEALTH_TIMEOUT s"
      return 1
    fi
    sleep 1
  done
}
# The end of API-M's own log, for a failure message.
apim_node_log() {
  tail -n 15 "$CARBON_HOME/repository/logs/wso2carbon.log" 2>/dev/null || :
}
