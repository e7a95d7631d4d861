import { CORE_FUNCTIONS, PRELUDE, PUT_FILE_FUNCTION } from './shell-lib.js';
import { Records } from './output-protocol.js';
import {
  APT_AUTH_CONF_PATH,
  KEYRING_PATH,
  LICENSE_JWT_PATH,
  REPO_CA_PATH,
  REPO_CERT_PATH,
  REPO_KEY_PATH,
  RPM_KEY_PATH,
  aptListPath,
  pinnedFingerprints,
  repositoryFiles,
  yumRepoPath,
} from './install-files.js';
import type { InstallSpec } from './install-spec.js';
import { assembleScript, base64Lines, sh, shQuote } from './shell.js';

export type { InstallSpec };

export type InstallFailure =
  'prerequisites' | 'signing_key' | 'fingerprint' | 'repository' | 'package' | 'start';

export interface InstallResult {
  ok: boolean;
  status: 'installed' | 'unchanged' | 'failed';
  /** nginx version now installed. */
  version?: string;
  plus: boolean;
  started: boolean;
  credentialsRemoved: boolean;
  failure?: InstallFailure;
  /** Package manager output (tail) when it failed. */
  output?: string;
  messages: string[];
  /** One text for the task result: what happened, or why it failed. */
  message: string;
}

const DEFAULT_KEY_URL = 'https://nginx.org/keys/nginx_signing.key';
const PLUS_KEY_URL = 'https://cs.nginx.com/static/keys/nginx_signing.key';

/** Private payload: decoded into the scratch folder, never echoed (no `set -x` anywhere). */
function payload(name: string, content: string): string {
  return `(umask 077 && apim_b64dec >"$WORK/${name}") <<'APIM_PAYLOAD_END' || apim_fail prerequisites "could not unpack ${name}"\n${base64Lines(content)}\nAPIM_PAYLOAD_END`;
}

/**
 * Installs nginx (distro or nginx.org Community, or Plus) the way the vendor documents it: signed-by
 * keyring with a pinned fingerprint, apt pin / module_hotfixes, Plus client certificate and licence
 * JWT, credentials removed afterwards unless kept. Idempotent: an installed package is left alone.
 */
export function installScript(spec: InstallSpec): string {
  const pkg = spec.packageName ?? (spec.edition === 'plus' ? 'nginx-plus' : 'nginx');
  if (!/^[a-z0-9][a-z0-9+.-]*$/.test(pkg)) throw new Error(`invalid package name ${JSON.stringify(pkg)}`);
  const signed = spec.edition === 'plus' || spec.ossSource === 'nginx.org';
  if (spec.edition === 'plus' && !spec.plus)
    throw new Error('NGINX Plus needs the repository certificate and key');
  const lines: string[] = [
    PRELUDE,
    'RUN_ID="install-$$"',
    `PM=${shQuote(spec.packageManager)}`,
    `PKG=${shQuote(pkg)}`,
    `EDITION=${shQuote(spec.edition)}`,
    `SIGNED=${signed ? 1 : 0}`,
    `START=${spec.startAfterInstall ? 1 : 0}`,
    CORE_FUNCTIONS,
    PUT_FILE_FUNCTION,
    INSTALL_FUNCTIONS,
    INSTALL_START,
  ];
  if (signed) {
    const fprs = pinnedFingerprints(spec);
    const keyUrl = spec.signingKeyUrl ?? (spec.edition === 'plus' ? PLUS_KEY_URL : DEFAULT_KEY_URL);
    lines.push(`FPRS=${shQuote(fprs.join(' '))}`, `KEY_URL=${shQuote(keyUrl)}`);
    lines.push(`LIST_FILE=${shQuote(spec.packageManager === 'apt' ? aptListPath(spec) : yumRepoPath(spec))}`);
    lines.push('apim_prerequisites');
    if (spec.repoCaPem) {
      lines.push(payload('repo-ca.crt', spec.repoCaPem));
      lines.push(
        `apim_put_file "$WORK/repo-ca.crt" ${REPO_CA_PATH} 0644 root root || apim_fail repository "could not write ${REPO_CA_PATH}"`,
      );
    }
    if (spec.signingKeyArmored) lines.push(payload('key.asc', spec.signingKeyArmored));
    else lines.push('apim_fetch_key');
    lines.push('apim_check_key');
    if (spec.plus) {
      lines.push(payload('repo.crt', spec.plus.repoCertPem), payload('repo.key', spec.plus.repoKeyPem));
      lines.push(
        `apim_put_file "$WORK/repo.crt" ${REPO_CERT_PATH} 0644 root root || apim_fail repository "could not write ${REPO_CERT_PATH}"`,
        // apt downloads as the sandbox user _apt: it must be able to read the client key.
        `KEY_OWNER=root; [ "$PM" != apt ] || ! id -u _apt >/dev/null 2>&1 || KEY_OWNER=_apt`,
        `apim_put_file "$WORK/repo.key" ${REPO_KEY_PATH} 0600 "$KEY_OWNER" root || apim_fail repository "could not write ${REPO_KEY_PATH}"`,
      );
      if (spec.plus.jwt) {
        lines.push(payload('license.jwt', `${spec.plus.jwt.trim()}\n`));
        lines.push(
          `apim_put_file "$WORK/license.jwt" ${LICENSE_JWT_PATH} 0640 root root || apim_fail repository "could not write ${LICENSE_JWT_PATH}"`,
        );
      }
    }
    repositoryFiles(spec).forEach((f, i) => {
      lines.push(payload(`repo-file-${i}`, f.content));
      lines.push(
        `apim_put_file "$WORK/repo-file-${i}" ${shQuote(f.path)} ${f.mode} root root || apim_fail repository ${shQuote(`could not write ${f.path}`)}`,
      );
    });
    lines.push(spec.packageManager === 'apt' ? 'apim_apt_refresh_repo' : ':');
  } else if (spec.packageManager === 'apt') {
    lines.push('apim_apt_refresh_if_unknown "$PKG"');
  }
  lines.push('apim_install_package');
  if (spec.plus && !spec.plus.keepRepoCredentials) {
    const remove = [
      REPO_CERT_PATH,
      REPO_KEY_PATH,
      ...(spec.packageManager === 'apt' ? [APT_AUTH_CONF_PATH] : []),
    ];
    // The repository refuses clients without the certificate: drop its definition too.
    remove.push(spec.packageManager === 'apt' ? aptListPath(spec) : yumRepoPath(spec));
    lines.push(`rm -f ${remove.map(shQuote).join(' ')} && apim_emit credentials_removed 1`);
  }
  lines.push(INSTALL_END);
  return assembleScript(
    'apim-provision nginx install: may contain repository credentials; keep private.',
    lines,
  );
}

const INSTALL_FUNCTIONS = sh`
WORK=$(mktemp -d "$\{TMPDIR:-/tmp}/apim-install.XXXXXX") || { echo "mktemp failed" >&2; exit 1; }
chmod 700 "$WORK"
trap 'rm -rf "$WORK"' EXIT
apim_fail() {
  apim_emit failure "$1"
  apim_msg "$2"
  apim_emit status failed
  exit 1
}
# Runs a package-manager command quietly; on failure its last lines go out as 'output'.
apim_logged() {
  if "$@" >>"$WORK/pm.log" 2>&1; then return 0; fi
  apim_emit_b64 output "$(tail -n 40 "$WORK/pm.log")"
  return 1
}
apim_apt() { DEBIAN_FRONTEND=noninteractive apim_logged apt-get -y -q "$@"; }
apim_apt_lists_present() { ls /var/lib/apt/lists/ 2>/dev/null | grep -q '_Packages'; }
apim_pkg_installed() {
  case $PM in
    apt) dpkg-query -W -f='$\{Status}' "$1" 2>/dev/null | grep -q 'install ok installed' ;;
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
apim_prerequisites() {
  missing=
  command -v gpg >/dev/null 2>&1 || missing="$missing gnupg"
  [ -d /etc/ssl/certs ] && [ -n "$(ls /etc/ssl/certs 2>/dev/null)" ] || missing="$missing ca-certificates"
  [ -n "$missing" ] || return 0
  if [ "$PM" = apt ]; then
    apim_apt_lists_present || apim_apt update || apim_fail prerequisites "apt-get update failed"
    apim_pm_install $missing || apim_fail prerequisites "could not install$missing"
  else
    case $missing in *gnupg*) missing=$(echo "$missing" | sed 's/gnupg/gnupg2/') ;; esac
    apim_pm_install $missing || apim_fail prerequisites "could not install$missing"
  fi
}
apim_fetch_key() {
  command -v curl >/dev/null 2>&1 || apim_pm_install curl || apim_fail prerequisites "curl is needed to fetch the signing key"
  if [ -f /etc/ssl/nginx/repo-ca.crt ]; then
    curl -fsS --max-time 60 --cacert /etc/ssl/nginx/repo-ca.crt -o "$WORK/key.asc" "$KEY_URL"
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
  found=$(gpg --batch --show-keys --with-colons "$WORK/key.asc" 2>/dev/null ||
    gpg --batch --with-colons --with-fingerprint "$WORK/key.asc" 2>/dev/null)
  found=$(printf '%s\n' "$found" | awk -F: '$1 == "pub" { p = 1; next } p && $1 == "fpr" { print toupper($10); p = 0 }')
  for f in $FPRS; do
    if ! printf '%s\n' "$found" | grep -Fxq "$f"; then
      apim_emit_b64 key_fingerprints "$found"
      apim_fail fingerprint "the signing key does not have the pinned fingerprint $f (found: $(echo $found)); refusing to trust it"
    fi
  done
  gpg --batch --quiet --import "$WORK/key.asc" >/dev/null 2>&1 || apim_fail signing_key "gpg could not import the signing key"
  if [ "$PM" = apt ]; then
    gpg --batch --export $FPRS >"$WORK/keyring.gpg" && [ -s "$WORK/keyring.gpg" ] || apim_fail signing_key "could not export the keyring"
    apim_put_file "$WORK/keyring.gpg" ${KEYRING_PATH} 0644 root root || apim_fail repository "could not write ${KEYRING_PATH}"
  else
    gpg --batch --armor --export $FPRS >"$WORK/rpm-key.asc" && [ -s "$WORK/rpm-key.asc" ] || apim_fail signing_key "could not export the key"
    apim_put_file "$WORK/rpm-key.asc" ${RPM_KEY_PATH} 0644 root root || apim_fail repository "could not write ${RPM_KEY_PATH}"
    rpm --import ${RPM_KEY_PATH} >/dev/null 2>&1 || :
  fi
  apim_emit key_verified 1
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
`;

const INSTALL_START = sh`
apim_require_tools || apim_fail prerequisites "base64/sha256 tools missing"
if apim_pkg_installed "$PKG"; then
  apim_emit installed "$(apim_nginx_version)"
  case $(nginx -v 2>&1) in *nginx-plus*) apim_emit plus 1 ;; esac
  apim_emit status unchanged
  exit 0
fi
`;

const INSTALL_END = sh`
version=$(apim_nginx_version)
[ -n "$version" ] || apim_fail package "nginx -v does not work after installing $PKG"
apim_emit installed "$version"
case $(nginx -v 2>&1) in *nginx-plus*) apim_emit plus 1 ;; esac
if [ "$START" = 1 ]; then
  pidf=$(nginx -V 2>&1 | sed -n 's/.*--pid-path=\([^ ]*\).*/\1/p')
  pid=$(cat "$\{pidf:-/run/nginx.pid}" 2>/dev/null | tr -cd '0-9')
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    if [ -d /run/systemd/system ]; then apim_logged systemctl enable --now nginx
    elif command -v service >/dev/null 2>&1; then apim_logged service nginx start
    else apim_logged nginx; fi || apim_fail start "nginx was installed but did not start"
    apim_emit started 1
  fi
fi
apim_emit status installed
`;

export function parseInstallResult(stdout: string, stderr: string): InstallResult {
  const r = Records.parse(stdout);
  const reported = r.get('status');
  const status = reported === 'installed' || reported === 'unchanged' ? reported : 'failed';
  const messages = r.messages();
  if (reported === undefined) messages.push('the install script ended without reporting a status');
  if (status === 'failed' && stderr.trim()) messages.push(stderr.trim().split('\n').slice(-20).join('\n'));
  const failure = r.get('failure') as InstallFailure | undefined;
  const output = r.text('output');
  const version = r.get('installed');
  const ok = status !== 'failed';
  const message = ok
    ? status === 'installed'
      ? `installed nginx ${version ?? ''}`.trim()
      : `nginx ${version ?? ''} already installed`.trim()
    : [...messages, output ?? ''].join('\n').trim();
  return {
    ok,
    status,
    ...(version ? { version } : {}),
    plus: r.flag('plus'),
    started: r.flag('started'),
    credentialsRemoved: r.flag('credentials_removed'),
    ...(failure ? { failure } : {}),
    ...(output ? { output } : {}),
    messages,
    message,
  };
}
