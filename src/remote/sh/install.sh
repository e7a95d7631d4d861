# shellcheck shell=sh
# Installs nginx (distro or nginx.org Community, or NGINX Plus) the way the vendor documents it:
# signed-by keyring with a pinned fingerprint, apt pin / module_hotfixes, Plus client certificate
# and licence JWT. The Plus repository credentials are removed again on every way out of this
# script (success, any failure, a signal) unless KEEP_CREDS is 1. Idempotent: an installed package
# is left alone. The credentials travel in the input, on stdin with the program.
#
# Input: PM (apt|dnf|yum), PKG, SIGNED (0|1: a vendor repository), START (0|1), FPRS (pinned
# fingerprints), KEY_URL, LIST_FILE, KEEP_CREDS (0|1), the paths KEYRING_PATH, RPM_KEY_PATH,
# REPO_CA_PATH, REPO_CERT_PATH, REPO_KEY_PATH, LICENSE_JWT_PATH, and base64 payloads (empty: none)
# APIM_SIGNING_KEY (empty: fetched from KEY_URL), APIM_REPO_CA, APIM_PLUS_CERT, APIM_PLUS_KEY,
# APIM_PLUS_JWT; APIM_REPO_FILES lines `<b64 path> <mode> <b64 content>`; APIM_CREDENTIAL_FILES
# lines `<b64 path>`: what the Plus credentials leave on the host.

apim_fail() {
  apim_emit failure "$1"
  apim_msg "$2"
  apim_emit status failed
  exit 1
}
apim_install_cleanup() {
  if [ "$APIM_CREDS_WRITTEN" = 1 ] && [ "$KEEP_CREDS" != 1 ]; then
    # The repository refuses clients without the certificate: its definition goes with it.
    apim_ic_failed=0
    while read -r apim_ic_b64; do
      [ -n "$apim_ic_b64" ] || continue
      rm -f -- "$(apim_unb64 "$apim_ic_b64")" || apim_ic_failed=1
    done <<APIM_CREDS_END
$APIM_CREDENTIAL_FILES
APIM_CREDS_END
    if [ "$apim_ic_failed" = 0 ]; then apim_emit credentials_removed 1; fi
  fi
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
}
# Runs a package-manager command quietly; on failure its last lines go out as 'output'.
apim_logged() {
  if "$@" >>"$WORK/pm.log" 2>&1; then return 0; fi
  apim_emit_b64 output "$(tail -n 40 "$WORK/pm.log")"
  return 1
}
apim_apt() { DEBIAN_FRONTEND=noninteractive apim_logged apt-get -y -q "$@"; }
apim_apt_lists_present() {
  for apim_al in /var/lib/apt/lists/*_Packages*; do
    [ -e "$apim_al" ] && return 0
  done
  return 1
}
apim_pkg_installed() {
  case $PM in
    apt) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' ;;
    *) rpm -q "$1" >/dev/null 2>&1 ;;
  esac
}
apim_nginx_version() { nginx -v 2>&1 | sed -n 's#.*nginx/\([^ ]*\).*#\1#p'; }
apim_pm_install() {
  case $PM in
    apt) apim_apt install --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" ;;
    dnf) apim_logged dnf -y install "$@" ;;
    yum) apim_logged yum -y install "$@" ;;
  esac
}
# apim_payload <base64> <file in $WORK>: decoded privately, never echoed (nothing here traces commands).
apim_payload() {
  (umask 077 && printf '%s' "$1" | apim_b64dec >"$WORK/$2") || apim_fail prerequisites "could not unpack $2"
}
apim_prerequisites() {
  apim_pr_missing=
  command -v gpg >/dev/null 2>&1 || apim_pr_missing="$apim_pr_missing gnupg"
  { [ -d /etc/ssl/certs ] && [ -n "$(ls /etc/ssl/certs 2>/dev/null)" ]; } || apim_pr_missing="$apim_pr_missing ca-certificates"
  [ -n "$apim_pr_missing" ] || return 0
  if [ "$PM" = apt ]; then
    apim_apt_lists_present || apim_apt update || apim_fail prerequisites "apt-get update failed"
  else
    case $apim_pr_missing in *gnupg*) apim_pr_missing=$(echo "$apim_pr_missing" | sed 's/gnupg/gnupg2/') ;; esac
  fi
  # shellcheck disable=SC2086 # one package name per word
  apim_pm_install $apim_pr_missing || apim_fail prerequisites "could not install$apim_pr_missing"
}
apim_fetch_key() {
  command -v curl >/dev/null 2>&1 || apim_pm_install curl || apim_fail prerequisites "curl is needed to fetch the signing key"
  if [ -f "$REPO_CA_PATH" ]; then
    curl -fsS --max-time 60 --cacert "$REPO_CA_PATH" -o "$WORK/key.asc" "$KEY_URL"
  else
    curl -fsS --max-time 60 -o "$WORK/key.asc" "$KEY_URL"
  fi || apim_fail signing_key "could not download the signing key from $KEY_URL"
}
# Trust the key only when its primary fingerprints include every pinned one; the keyring then holds
# exactly the pinned keys (whatever else the file carried is dropped).
apim_check_key() {
  GNUPGHOME="$WORK/gnupg"
  export GNUPGHOME
  mkdir -m 700 "$GNUPGHOME"
  apim_ck_found=$(gpg --batch --show-keys --with-colons "$WORK/key.asc" 2>/dev/null ||
    gpg --batch --with-colons --with-fingerprint "$WORK/key.asc" 2>/dev/null)
  apim_ck_found=$(printf '%s\n' "$apim_ck_found" | awk -F: '$1 == "pub" { p = 1; next } p && $1 == "fpr" { print toupper($10); p = 0 }')
  for apim_ck_f in $FPRS; do
    if ! printf '%s\n' "$apim_ck_found" | grep -Fxq "$apim_ck_f"; then
      apim_emit_b64 key_fingerprints "$apim_ck_found"
      apim_fail fingerprint "the signing key does not have the pinned fingerprint $apim_ck_f (found: $(echo "$apim_ck_found" | tr '\n' ' ')); refusing to trust it"
    fi
  done
  gpg --batch --quiet --import "$WORK/key.asc" >/dev/null 2>&1 || apim_fail signing_key "gpg could not import the signing key"
  if [ "$PM" = apt ]; then
    # shellcheck disable=SC2086 # one fingerprint per word
    { gpg --batch --export $FPRS >"$WORK/keyring.gpg" && [ -s "$WORK/keyring.gpg" ]; } || apim_fail signing_key "could not export the keyring"
    apim_put_file "$WORK/keyring.gpg" "$KEYRING_PATH" 0644 root root || apim_fail repository "could not write $KEYRING_PATH"
  else
    # shellcheck disable=SC2086 # one fingerprint per word
    { gpg --batch --armor --export $FPRS >"$WORK/rpm-key.asc" && [ -s "$WORK/rpm-key.asc" ]; } || apim_fail signing_key "could not export the key"
    apim_put_file "$WORK/rpm-key.asc" "$RPM_KEY_PATH" 0644 root root || apim_fail repository "could not write $RPM_KEY_PATH"
    rpm --import "$RPM_KEY_PATH" >/dev/null 2>&1 || :
  fi
  apim_emit key_verified 1
}
# The Plus client certificate and key (and licence JWT). apt downloads as the sandbox user _apt:
# it must be able to read the client key.
apim_plus_credentials() {
  [ -n "$APIM_PLUS_CERT" ] || return 0
  apim_payload "$APIM_PLUS_CERT" repo.crt
  apim_payload "$APIM_PLUS_KEY" repo.key
  APIM_CREDS_WRITTEN=1
  apim_put_file "$WORK/repo.crt" "$REPO_CERT_PATH" 0644 root root || apim_fail repository "could not write $REPO_CERT_PATH"
  apim_pc_owner=root
  if [ "$PM" = apt ] && id -u _apt >/dev/null 2>&1; then apim_pc_owner=_apt; fi
  apim_put_file "$WORK/repo.key" "$REPO_KEY_PATH" 0600 "$apim_pc_owner" root || apim_fail repository "could not write $REPO_KEY_PATH"
  if [ -n "$APIM_PLUS_JWT" ]; then
    apim_payload "$APIM_PLUS_JWT" license.jwt
    apim_put_file "$WORK/license.jwt" "$LICENSE_JWT_PATH" 0640 root root || apim_fail repository "could not write $LICENSE_JWT_PATH"
  fi
}
apim_repository_files() {
  apim_rf_n=0
  while read -r apim_rf_b64 apim_rf_mode apim_rf_data; do
    [ -n "$apim_rf_b64" ] || continue
    apim_rf_path=$(apim_unb64 "$apim_rf_b64")
    apim_payload "$apim_rf_data" "repo-file-$apim_rf_n"
    apim_put_file "$WORK/repo-file-$apim_rf_n" "$apim_rf_path" "$apim_rf_mode" root root || apim_fail repository "could not write $apim_rf_path"
    apim_rf_n=$((apim_rf_n + 1))
  done <<APIM_FILES_END
$APIM_REPO_FILES
APIM_FILES_END
}
# Refreshes only the new repository when the distribution's lists are already present.
apim_apt_refresh_repo() {
  if apim_apt_lists_present; then
    apim_apt update -o Dir::Etc::sourcelist="$LIST_FILE" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 ||
      apim_fail repository "apt-get update of $LIST_FILE failed"
  else
    apim_apt update || apim_fail repository "apt-get update failed"
  fi
}
apim_apt_refresh_if_unknown() {
  if apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'; then return 0; fi
  apim_apt update || apim_fail repository "apt-get update failed"
}
apim_install_package() {
  apim_pm_install "$PKG" || apim_fail package "installing $PKG failed"
  apim_pkg_installed "$PKG" || apim_fail package "$PKG is not installed after the package manager ran"
}
apim_start() {
  apim_st_pidf=$(nginx -V 2>&1 | sed -n 's/.*--pid-path=\([^ ]*\).*/\1/p')
  apim_st_pid=$(tr -cd '0-9' 2>/dev/null <"${apim_st_pidf:-/run/nginx.pid}")
  if [ -z "$apim_st_pid" ] || ! kill -0 "$apim_st_pid" 2>/dev/null; then
    if [ -d /run/systemd/system ]; then
      apim_logged systemctl enable --now nginx
    elif command -v service >/dev/null 2>&1; then
      apim_logged service nginx start
    else
      apim_logged nginx
    fi || apim_fail start "nginx was installed but did not start"
    apim_emit started 1
  fi
}

apim_main() {
  APIM_CREDS_WRITTEN=0
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/apim-install.XXXXXX") || {
    echo "mktemp failed" >&2
    exit 1
  }
  chmod 700 "$WORK"
  trap 'apim_install_cleanup' EXIT
  trap 'exit 130' INT TERM
  apim_require_tools || apim_fail prerequisites "base64/sha256 tools missing"
  if apim_pkg_installed "$PKG"; then
    apim_emit installed "$(apim_nginx_version)"
    case $(nginx -v 2>&1) in *nginx-plus*) apim_emit plus 1 ;; esac
    apim_emit status unchanged
    exit 0
  fi
  if [ "$SIGNED" = 1 ]; then
    apim_prerequisites
    if [ -n "$APIM_REPO_CA" ]; then
      apim_payload "$APIM_REPO_CA" repo-ca.crt
      apim_put_file "$WORK/repo-ca.crt" "$REPO_CA_PATH" 0644 root root || apim_fail repository "could not write $REPO_CA_PATH"
    fi
    if [ -n "$APIM_SIGNING_KEY" ]; then apim_payload "$APIM_SIGNING_KEY" key.asc; else apim_fetch_key; fi
    apim_check_key
    apim_plus_credentials
    apim_repository_files
    if [ "$PM" = apt ]; then apim_apt_refresh_repo; fi
  elif [ "$PM" = apt ]; then
    apim_apt_refresh_if_unknown "$PKG"
  fi
  apim_install_package
  apim_in_version=$(apim_nginx_version)
  [ -n "$apim_in_version" ] || apim_fail package "nginx -v does not work after installing $PKG"
  apim_emit installed "$apim_in_version"
  case $(nginx -v 2>&1) in *nginx-plus*) apim_emit plus 1 ;; esac
  if [ "$START" = 1 ]; then apim_start; fi
  apim_emit status installed
}
