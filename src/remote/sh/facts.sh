# shellcheck shell=sh
# Facts, in one round trip: OS, tools, nginx build and process, the tool's own state and records,
# and the answers to the plan's queries. Reads only: nothing on the host is changed, no init
# script or service code is run unless APIM_PROBE_SYSV is 1.
# Input: STATE, CONF_OVERRIDE, NGINX_OVERRIDE (empty: found), APIM_PROBE_SYSV (0|1), APIM_BASICS
# (1: the basic facts too; 0: only the answers to the queries, for a plan that asks more), APIM_QUERIES:
# lines `file <b64 path>` (type, mode, owner, sha256), `content <b64 path>` (a regular file's
# bytes: never ask for a secret the controller must not see), `package <name>`, `service <name>`,
# `apim-home <b64 home|->` (API-M node discovery, node-facts.sh).

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

apim_os_facts() {
  for apim_f in /etc/os-release /usr/lib/os-release; do
    if [ -r "$apim_f" ]; then
      apim_emit os_release "$(apim_b64enc <"$apim_f")"
      break
    fi
  done
  apim_emit arch "$(uname -m)"
  # IPv6 in the kernel (disabled hosts have no if_inet6): nginx cannot bind [::] without it.
  if [ -e /proc/net/if_inet6 ]; then apim_emit ipv6 1; else apim_emit ipv6 0; fi
  apim_emit pkg "$APIM_PM"
  apim_emit svc "$APIM_SVC"
  apim_emit uid "$(id -u)"
  apim_emit_b64 user "$(id -un 2>/dev/null || echo unknown)"
}

apim_nginx_facts() {
  NGINX=$NGINX_OVERRIDE
  if [ -z "$NGINX" ]; then
    NGINX=$(command -v nginx 2>/dev/null || :)
    for apim_f in /usr/sbin/nginx /usr/local/sbin/nginx /usr/local/nginx/sbin/nginx; do
      [ -n "$NGINX" ] && break
      [ -x "$apim_f" ] && NGINX=$apim_f
    done
  fi
  if [ -n "$NGINX" ] && [ -x "$NGINX" ]; then
    apim_emit_b64 nginx_binary "$NGINX"
    APIM_NGINX_V=$("$NGINX" -V 2>&1)
    apim_nf_v=$APIM_NGINX_V
    apim_emit_b64 nginx_v "$apim_nf_v"
    CONF=$CONF_OVERRIDE
    [ -n "$CONF" ] || CONF=$(printf '%s\n' "$apim_nf_v" | sed -n 's/.*--conf-path=\([^ ]*\).*/\1/p')
    apim_nf_prefix=$(printf '%s\n' "$apim_nf_v" | sed -n 's/.*--prefix=\([^ ]*\).*/\1/p')
    [ -n "$apim_nf_prefix" ] || apim_nf_prefix=/usr/local/nginx
    [ -n "$CONF" ] || CONF=conf/nginx.conf
    case $CONF in /*) ;; *) CONF=${apim_nf_prefix%/}/$CONF ;; esac
    # The same derivation the transaction uses for its reload proof.
    # shellcheck disable=SC2034 # read by apim_nginx_paths (nginx.sh)
    NGINX_P=''
    PID_FILE=''
    ERROR_LOG=''
    apim_nginx_paths
    apim_emit_b64 nginx_conf "$CONF"
    apim_emit_b64 nginx_pid_path "$PID_FILE"
    apim_emit_b64 nginx_error_log "${ERROR_LOG:-stderr}"
    apim_nf_master=$(apim_master_pid)
    if [ -n "$apim_nf_master" ]; then apim_emit nginx_master "$apim_nf_master"; fi
  fi
  if [ -z "$NGINX" ] && command -v apt-cache >/dev/null 2>&1; then
    apim_nf_candidate=$(apt-cache policy nginx 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
    if [ -n "$apim_nf_candidate" ] && [ "$apim_nf_candidate" != "(none)" ]; then
      apim_emit nginx_candidate "$apim_nf_candidate"
    fi
  fi
  apim_nf_plus=0
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query -W -f='${Status}' nginx-plus 2>/dev/null | grep -q 'install ok installed' && apim_nf_plus=1
  elif command -v rpm >/dev/null 2>&1; then
    rpm -q nginx-plus >/dev/null 2>&1 && apim_nf_plus=1
  fi
  apim_emit plus_package "$apim_nf_plus"
}

apim_state_facts() {
  if [ -f "$STATE/pending-reload" ]; then apim_emit_b64 pending "$(cat "$STATE/pending-reload")"; fi
  if [ -f "$STATE/records" ]; then
    while read -r apim_sf_manager apim_sf_b64 apim_sf_sha; do
      [ -n "$apim_sf_b64" ] || continue
      apim_emit record "$apim_sf_manager $apim_sf_b64 ${apim_sf_sha:--}"
      # Retiring a recorded file is a compare-and-swap: the plan needs its current state.
      case "
$APIM_QUERIES
" in
        *"
file $apim_sf_b64
"*) ;;
        *) APIM_QUERIES="$APIM_QUERIES
file $apim_sf_b64" ;;
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
  if [ -f "$STATE/lock" ] && command -v flock >/dev/null 2>&1; then
    flock -n "$STATE/lock" true || apim_emit locked 1
  elif [ -d "$STATE/lock.d" ]; then
    apim_sf_holder=$(cat "$STATE/lock.d/pid" 2>/dev/null || :)
    if [ -z "$apim_sf_holder" ] || kill -0 "$apim_sf_holder" 2>/dev/null; then apim_emit locked 1; fi
  fi
}

# `file <b64> 0`, or `file <b64> 1 <type> <mode> <owner> <group> <size> <sha256|->`.
apim_file_fact() {
  apim_ff_p=$(apim_unb64 "$1")
  if [ ! -e "$apim_ff_p" ] && [ ! -L "$apim_ff_p" ]; then
    apim_emit file "$1 0"
    return 0
  fi
  if [ -L "$apim_ff_p" ]; then
    apim_ff_t='link'
  elif [ -f "$apim_ff_p" ]; then
    apim_ff_t='file'
  elif [ -d "$apim_ff_p" ]; then
    apim_ff_t='directory'
  else
    apim_ff_t='other'
  fi
  apim_ff_st=$(apim_stat "$apim_ff_p") || {
    apim_emit file "$1 0"
    return 0
  }
  # shellcheck disable=SC2086 # the stat fields, one per word
  set -- "$1" $apim_ff_st
  apim_ff_sum=-
  [ "$apim_ff_t" = file ] && apim_ff_sum=$(apim_sha256 "$apim_ff_p")
  apim_emit file "$1 1 $apim_ff_t $2 $3 $4 $7 $apim_ff_sum"
}
apim_content_fact() {
  apim_cf_p=$(apim_unb64 "$1")
  if apim_cf_data=$(apim_read_file "$apim_cf_p" | apim_b64enc) && [ -f "$apim_cf_p" ]; then
    apim_emit content "$1 $apim_cf_data"
  else
    apim_emit missing "$1"
  fi
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
# sysv the status is the init script's own code, run only when APIM_PROBE_SYSV allows it.
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
        if service "$1" status >/dev/null 2>&1; then apim_sv_active=active; else apim_sv_active=inactive; fi
      fi
      ;;
  esac
  apim_emit service "$1 $apim_sv_active $apim_sv_enabled"
}

apim_main() {
  apim_managers
  if [ "$APIM_BASICS" = 1 ]; then
    apim_os_facts
    apim_nginx_facts
    apim_state_facts
  fi
  printf '%s\n' "$APIM_QUERIES" | while read -r apim_q_kind apim_q_arg; do
    case $apim_q_kind in
      file) apim_file_fact "$apim_q_arg" ;;
      content) apim_content_fact "$apim_q_arg" ;;
      package) apim_package_fact "$apim_q_arg" ;;
      service) apim_service_fact "$apim_q_arg" ;;
      apim-home) apim_node_facts "$apim_q_arg" ;;
    esac
  done
  apim_emit 'done' 1
}
