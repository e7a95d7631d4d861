#!/bin/sh
# STAND-IN for WSO2 API-M's start script (lab only), installed by standin-ctl as
# <home>/bin/api-manager.sh (4.x) or <home>/bin/wso2server.sh (2.6/3.x). It takes the real
# script's verbs (start|-start|--start, stop, restart, version; no verb: run in the foreground),
# keeps the pid in <home>/wso2carbon.pid and starts the stand-in with -Dcarbon.home=<home> on its
# command line, as Carbon's java process carries it. Run it as the node's user (wso2carbon).
set -eu

CARBON_HOME="$(cd "$(dirname "$0")/.." && pwd)"
PID_FILE="$CARBON_HOME/wso2carbon.pid"
LOG_FILE="$CARBON_HOME/repository/logs/wso2carbon.log"
STANDIN=/opt/apim-lab/standin/apim_standin.py
SECURITY="$CARBON_HOME/repository/resources/security"
# shellcheck source=/dev/null # written by standin-ctl: STANDIN_NAME, STANDIN_ROLE
. "$CARBON_HOME/.standin"

# Lab only: when the node went down and came up, so tests can see restarts roll one at a time.
event() {
  printf '%s %s\n' "$1" "$(date +%s.%N)" >>"$CARBON_HOME/repository/logs/standin-lifecycle.log" 2>/dev/null || :
}

running_pid() {
  [ -s "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

run() {
  exec python3 "$STANDIN" "$STANDIN_NAME" --role "$STANDIN_ROLE" --home "$CARBON_HOME" \
    "-Dcarbon.home=$CARBON_HOME" --cert "$SECURITY/standin-tls.crt" --key "$SECURITY/standin-tls.key"
}

start() {
  if pid="$(running_pid)"; then
    echo "Process is already running (pid $pid)"
    return 0
  fi
  mkdir -p "$(dirname "$LOG_FILE")"
  echo "Starting WSO2 Carbon (in background) ..."
  # setsid + nohup: the node outlives the SSH session that started it.
  setsid nohup "$0" >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  event start
}

stop() {
  if pid="$(running_pid)"; then
    echo "Stopping WSO2 Carbon (pid $pid) ..."
    event stop
    kill "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  start | -start | --start) start ;;
  stop | -stop | --stop) stop ;;
  restart | -restart | --restart)
    stop
    start
    ;;
  version | -version | --version) cat "$CARBON_HOME/bin/version.txt" ;;
  '') run ;;
  *)
    echo "Usage: $0 [start|stop|restart|version]" >&2
    exit 2
    ;;
esac
