# shellcheck shell=sh
# API-M node discovery, the facts program's `apim-home` query: the carbon homes on the host (the
# one given, else the running Carbon processes' -Dcarbon.home, /opt/wso2am-*, /usr/lib/wso2/* and
# ~wso2*/wso2am-*), each with its owner, bin/version.txt, configuration file (state and content),
# start scripts, the Carbon processes running from it, the systemd units and init scripts that name
# it, and keytool; then the tools a restart and a health check can use. Reads only.
#
# Records: `apim_home <b64 home> <owner> <b64 version line>`, `apim_script <b64 home> <b64 path>`,
# `apim_process <b64 home> <pid> <user> <b64 keytool next to its java, or -> <systemd unit or ->`,
# `apim_unit <b64 home> <unit> <b64 User= value>`, `apim_init <b64 home> <name>`,
# `apim_searched <b64 place>`, `apim_keytool <b64 path>`, `apim_tool <name>`.

# `<pid> <home>` for every process whose command line has -Dcarbon.home=<home>.
apim_carbon_processes() {
  for apim_cp_dir in /proc/[0-9]*; do
    [ -r "$apim_cp_dir/cmdline" ] || continue
    apim_cp_home=$(tr '\0' '\n' <"$apim_cp_dir/cmdline" 2>/dev/null | sed -n 's/^-Dcarbon\.home=//p' | head -n 1)
    [ -n "$apim_cp_home" ] && printf '%s %s\n' "${apim_cp_dir#/proc/}" "$apim_cp_home"
  done
  return 0
}
# The canonical path of a carbon home (links resolved), or nothing when it is not one.
apim_canonical_home() {
  apim_ch=$(readlink -f -- "$1" 2>/dev/null) || return 0
  [ -d "$apim_ch/repository/conf" ] && printf '%s\n' "$apim_ch"
  return 0
}
# Every candidate home, canonical, once each: the processes' first, then the usual places.
apim_candidate_homes() {
  {
    apim_carbon_processes | while read -r _ apim_ch_home; do
      apim_canonical_home "$apim_ch_home"
    done
    for apim_ch_d in /opt/wso2am-* /usr/lib/wso2/* /usr/lib/wso2/*/*; do
      [ -d "$apim_ch_d" ] && apim_canonical_home "$apim_ch_d"
    done
    getent passwd 2>/dev/null | awk -F: '$1 ~ /^wso2/ { print $6 }' | while IFS= read -r apim_ch_user_home; do
      for apim_ch_d in "$apim_ch_user_home"/wso2am-*; do
        [ -d "$apim_ch_d" ] && apim_canonical_home "$apim_ch_d"
      done
    done
  } | awk '!seen[$0]++'
}
# An extended regular expression matching the text literally, for grep -E.
apim_ere_literal() {
  printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}
apim_describe_home() {
  apim_dh=$1
  apim_dh_b64=$(printf '%s' "$apim_dh" | apim_b64enc)
  apim_dh_owner=$(stat -c %U "$apim_dh" 2>/dev/null || echo -)
  apim_dh_version=$(head -n 1 "$apim_dh/bin/version.txt" 2>/dev/null || :)
  apim_emit apim_home "$apim_dh_b64 $apim_dh_owner $(printf '%s' "$apim_dh_version" | apim_b64enc)"
  for apim_dh_f in repository/conf/deployment.toml repository/conf/carbon.xml; do
    if [ -f "$apim_dh/$apim_dh_f" ]; then
      apim_dh_fb64=$(printf '%s' "$apim_dh/$apim_dh_f" | apim_b64enc)
      apim_file_fact "$apim_dh_fb64"
      apim_content_fact "$apim_dh_fb64"
    fi
  done
  for apim_dh_s in bin/api-manager.sh bin/wso2server.sh; do
    [ -f "$apim_dh/$apim_dh_s" ] && apim_emit apim_script "$apim_dh_b64 $(printf '%s' "$apim_dh/$apim_dh_s" | apim_b64enc)"
  done
  apim_carbon_processes | while read -r apim_dh_pid apim_dh_phome; do
    [ "$(readlink -f -- "$apim_dh_phome" 2>/dev/null)" = "$apim_dh" ] || continue
    apim_dh_puser=$(stat -c %U "/proc/$apim_dh_pid" 2>/dev/null || echo -)
    apim_dh_java=$(readlink "/proc/$apim_dh_pid/exe" 2>/dev/null || :)
    apim_dh_kt=-
    [ -n "$apim_dh_java" ] && [ -x "${apim_dh_java%/*}/keytool" ] &&
      apim_dh_kt=$(printf '%s' "${apim_dh_java%/*}/keytool" | apim_b64enc)
    # The systemd service it runs in (not a login's: ssh, cron, user@), from its cgroup.
    apim_dh_unit=$(sed -n 's#^.*/\([^/]*\.service\)$#\1#p' "/proc/$apim_dh_pid/cgroup" 2>/dev/null |
      grep -Evx '(ssh|sshd|cron|crond|user@.*)\.service' | head -n 1)
    apim_emit apim_process "$apim_dh_b64 $apim_dh_pid $apim_dh_puser $apim_dh_kt ${apim_dh_unit:--}"
  done
  # A unit or init script names the home followed by a separator (not a longer sibling's name).
  apim_dh_re="$(apim_ere_literal "$apim_dh")([/\"' ]|\$)"
  if [ -d /run/systemd/system ]; then
    for apim_dh_u in /etc/systemd/system/*.service /lib/systemd/system/*.service /usr/lib/systemd/system/*.service; do
      if [ ! -f "$apim_dh_u" ] || ! grep -qE -- "$apim_dh_re" "$apim_dh_u" 2>/dev/null; then continue; fi
      apim_dh_uuser=$(sed -n 's/^[[:space:]]*User=[[:space:]]*//p' "$apim_dh_u" | tail -n 1)
      apim_emit apim_unit "$apim_dh_b64 ${apim_dh_u##*/} $(printf '%s' "$apim_dh_uuser" | apim_b64enc)"
    done
  fi
  for apim_dh_i in /etc/init.d/*; do
    if [ ! -f "$apim_dh_i" ] || ! grep -qE -- "$apim_dh_re" "$apim_dh_i" 2>/dev/null; then continue; fi
    apim_emit apim_init "$apim_dh_b64 ${apim_dh_i##*/}"
  done
}
# $1: base64 of the home the inventory gives, or `-` to look for one.
apim_node_facts() {
  if [ "$1" != - ]; then
    apim_nf_given=$(apim_unb64 "$1")
    apim_emit_b64 apim_searched "$apim_nf_given"
    apim_nf_homes=$(apim_canonical_home "$apim_nf_given")
  else
    for apim_nf_place in 'running Carbon processes (-Dcarbon.home)' '/opt/wso2am-*' '/usr/lib/wso2/*' '~wso2*/wso2am-*'; do
      apim_emit_b64 apim_searched "$apim_nf_place"
    done
    apim_nf_homes=$(apim_candidate_homes)
  fi
  printf '%s\n' "$apim_nf_homes" | while IFS= read -r apim_nf_home; do
    [ -n "$apim_nf_home" ] && apim_describe_home "$apim_nf_home"
  done
  apim_nf_kt=$(command -v keytool 2>/dev/null || :)
  [ -n "$apim_nf_kt" ] && apim_emit apim_keytool "$(printf '%s' "$apim_nf_kt" | apim_b64enc)"
  for apim_nf_tool in curl wget openssl runuser setpriv su systemctl service; do
    command -v "$apim_nf_tool" >/dev/null 2>&1 && apim_emit apim_tool "$apim_nf_tool"
  done
  return 0
}
