import { assertStrictUrl } from '../domain/url.js';
import type { InstallSpec } from './install-spec.js';

/** Text of the repository configuration files the install script writes (pure; unit-tested). */

export const KEYRING_PATH = '/usr/share/keyrings/nginx-archive-keyring.gpg';
export const RPM_KEY_PATH = '/etc/pki/rpm-gpg/RPM-GPG-KEY-nginx';
export const REPO_CERT_PATH = '/etc/ssl/nginx/nginx-repo.crt';
export const REPO_KEY_PATH = '/etc/ssl/nginx/nginx-repo.key';
export const REPO_CA_PATH = '/etc/ssl/nginx/repo-ca.crt';
export const APT_AUTH_CONF_PATH = '/etc/apt/apt.conf.d/90pkgs-nginx';
export const APT_PIN_PATH = '/etc/apt/preferences.d/99nginx';
export const LICENSE_JWT_PATH = '/etc/nginx/license.jwt';

export interface RepoFile {
  path: string;
  content: string;
  mode: string;
}

/** Distribution folder name in the vendor repositories. */
function distroDir(spec: InstallSpec): string {
  if (spec.os.family === 'debian') return spec.os.id === 'ubuntu' ? 'ubuntu' : 'debian';
  return 'centos';
}

export function repoBaseUrl(spec: InstallSpec): string {
  // Checked at the inventory edge too; checked again here, where it becomes a line of a file.
  if (spec.repoUrl !== undefined) {
    assertStrictUrl(spec.repoUrl, 'repository URL');
    return spec.repoUrl.replace(/\/+$/, '');
  }
  return spec.edition === 'plus'
    ? `https://pkgs.nginx.com/plus/${distroDir(spec)}`
    : `https://nginx.org/packages/${distroDir(spec)}`;
}

export function repoHost(spec: InstallSpec): string {
  return new URL(repoBaseUrl(spec)).hostname;
}

export function aptListPath(spec: InstallSpec): string {
  return spec.edition === 'plus'
    ? '/etc/apt/sources.list.d/nginx-plus.list'
    : '/etc/apt/sources.list.d/nginx.list';
}

export function yumRepoPath(spec: InstallSpec): string {
  return spec.edition === 'plus' ? '/etc/yum.repos.d/nginx-plus.repo' : '/etc/yum.repos.d/nginx.repo';
}

/** The repository files for a signed repository (nginx.org or Plus); none for distro packages. */
export function repositoryFiles(spec: InstallSpec): RepoFile[] {
  const base = repoBaseUrl(spec);
  const host = repoHost(spec);
  const plus = spec.edition === 'plus';
  const files: RepoFile[] = [];
  if (spec.packageManager === 'apt') {
    if (!spec.os.codename)
      throw new Error('the host reports no VERSION_CODENAME: cannot write an apt source');
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(spec.os.codename))
      throw new Error(
        `the host reports VERSION_CODENAME ${JSON.stringify(spec.os.codename)}: not a codename`,
      );
    const component = plus ? 'nginx-plus' : 'nginx';
    files.push({
      path: aptListPath(spec),
      content: `deb [signed-by=${KEYRING_PATH}] ${base} ${spec.os.codename} ${component}\n`,
      mode: '0644',
    });
    // Pin the repository above the distribution so its package always wins.
    files.push({
      path: APT_PIN_PATH,
      content: `Package: *\nPin: origin "${host}"\nPin-Priority: 900\n`,
      mode: '0644',
    });
    const auth: string[] = [];
    if (plus || spec.repoCaPem) {
      auth.push(
        `Acquire::https::${host}::Verify-Peer "true";`,
        `Acquire::https::${host}::Verify-Host "true";`,
      );
    }
    if (plus) {
      auth.push(
        `Acquire::https::${host}::SslCert "${REPO_CERT_PATH}";`,
        `Acquire::https::${host}::SslKey "${REPO_KEY_PATH}";`,
      );
    }
    if (spec.repoCaPem) auth.push(`Acquire::https::${host}::CaInfo "${REPO_CA_PATH}";`);
    if (auth.length > 0)
      files.push({ path: APT_AUTH_CONF_PATH, content: `${auth.join('\n')}\n`, mode: '0644' });
  } else {
    const id = plus ? 'nginx-plus' : 'nginx-stable';
    const lines = [
      `[${id}]`,
      `name=${plus ? 'NGINX Plus' : 'nginx stable'} repository`,
      `baseurl=${base}/$releasever/$basearch/`,
      'gpgcheck=1',
      'enabled=1',
      `gpgkey=file://${RPM_KEY_PATH}`,
      // RHEL 8+ modular filtering would otherwise hide these packages behind the distro's nginx module.
      'module_hotfixes=true',
      'priority=9',
    ];
    if (plus) lines.push(`sslclientcert=${REPO_CERT_PATH}`, `sslclientkey=${REPO_KEY_PATH}`);
    if (spec.repoCaPem) lines.push(`sslcacert=${REPO_CA_PATH}`);
    files.push({ path: yumRepoPath(spec), content: `${lines.join('\n')}\n`, mode: '0644' });
  }
  return files;
}

/** Fingerprints pinned by the spec: one or more, separated by spaces or commas; upper-case hex. */
export function pinnedFingerprints(spec: InstallSpec): string[] {
  const fprs = spec.signingKeyFingerprint
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((f) => f.toUpperCase());
  if (fprs.length === 0 || fprs.some((f) => !/^[0-9A-F]{40}$/.test(f))) {
    throw new Error(
      `signingKeyFingerprint must be 40-hex-digit fingerprints: ${JSON.stringify(spec.signingKeyFingerprint)}`,
    );
  }
  return fprs;
}
