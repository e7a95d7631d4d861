import { describe, expect, it } from 'vitest';
import {
  installScript,
  parseInstallResult,
  repositoryFiles,
  type InstallSpec,
} from '../../../src/remote/index.js';
import { field, inputRows, scriptInputs } from '../../support/script-input.js';
import { installs } from './fixtures.js';

/** The repository files the install program is handed: path, mode, content. */
function repoFilesOf(script: string): { path: string; mode: string; content: string }[] {
  return inputRows(scriptInputs(script), 'APIM_REPO_FILES').map(([path, mode, content]) => ({
    path: field(path!),
    mode: mode!,
    content: field(content!),
  }));
}

describe('install script: apt', () => {
  it('nginx.org: pinned signing key in a signed-by keyring, pinned repository, fingerprint checked before trust', () => {
    const spec = installs['apt-nginx-org']!;
    const script = installScript(spec);
    const files = repositoryFiles(spec);
    expect(files.map((f) => f.path)).toEqual([
      '/etc/apt/sources.list.d/nginx.list',
      '/etc/apt/preferences.d/99nginx',
    ]);
    expect(files[0]!.content).toBe(
      'deb [signed-by=/usr/share/keyrings/nginx-archive-keyring.gpg] https://nginx.org/packages/debian bookworm nginx\n',
    );
    expect(files[1]!.content).toContain('Pin: origin "nginx.org"\nPin-Priority: 900');
    expect(repoFilesOf(script)).toEqual(
      files.map((f) => ({ path: f.path, mode: f.mode, content: f.content })),
    );
    const inputs = scriptInputs(script);
    expect(inputs.FPRS).toBe('8540A6F18833A80E9C1653A42FD21310B49F6B46');
    expect(inputs.KEY_URL).toBe('https://nginx.org/keys/nginx_signing.key');
    expect(inputs.SIGNED).toBe('1');
    expect(inputs.APIM_SIGNING_KEY).toBe('');
    expect(script).toContain('gpg --batch --show-keys --with-colons');
    // the fingerprint is checked before the key is imported or the repository written anywhere
    const main = script.slice(script.indexOf('apim_main() {'));
    expect(main.indexOf('apim_check_key')).toBeGreaterThan(0);
    expect(main.indexOf('apim_repository_files')).toBeGreaterThan(main.indexOf('apim_check_key'));
    expect(script).toMatch(/refusing to trust it/);
    expect(script).toContain('DEBIAN_FRONTEND=noninteractive');
    expect(script).toContain('-o Dir::Etc::sourceparts=-');
  });

  it('Plus: client certificate for apt, CA for the mirror, JWT, credentials removed afterwards', () => {
    const spec = installs['apt-plus']!;
    const script = installScript(spec);
    const files = repositoryFiles(spec);
    expect(files.map((f) => f.path)).toContain('/etc/apt/apt.conf.d/90pkgs-nginx');
    const auth = files.find((f) => f.path.endsWith('90pkgs-nginx'))!.content;
    expect(auth).toContain('Acquire::https::pkgs.nginx.com::SslCert "/etc/ssl/nginx/nginx-repo.crt";');
    expect(auth).toContain('Acquire::https::pkgs.nginx.com::SslKey "/etc/ssl/nginx/nginx-repo.key";');
    expect(auth).toContain('Acquire::https::pkgs.nginx.com::CaInfo "/etc/ssl/nginx/repo-ca.crt";');
    expect(auth).toContain('Verify-Peer "true"');
    expect(files[0]!.content).toContain('https://pkgs.nginx.com/plus/debian bookworm nginx-plus');
    // Readable by apt's download sandbox user (_apt) where it exists, by nobody else.
    expect(script).toContain('if [ "$PM" = apt ] && id -u _apt >/dev/null 2>&1; then apim_pc_owner=_apt; fi');
    expect(script).toContain('apim_put_file "$WORK/repo.key" "$REPO_KEY_PATH" 0600 "$apim_pc_owner" root');
    expect(script).toContain('apim_put_file "$WORK/license.jwt" "$LICENSE_JWT_PATH" 0640 root root');
    const inputs = scriptInputs(script);
    expect(inputs.PKG).toBe('nginx-plus');
    expect(inputs.REPO_KEY_PATH).toBe('/etc/ssl/nginx/nginx-repo.key');
    expect(inputs.KEEP_CREDS).toBe('0');
    // removed on every way out: an EXIT trap, not a last line a failure would skip
    expect(inputRows(inputs, 'APIM_CREDENTIAL_FILES').map(([p]) => field(p!))).toEqual([
      '/etc/ssl/nginx/nginx-repo.crt',
      '/etc/ssl/nginx/nginx-repo.key',
      '/etc/apt/apt.conf.d/90pkgs-nginx',
      '/etc/apt/sources.list.d/nginx-plus.list',
    ]);
    expect(script).toContain("trap 'apim_install_cleanup' EXIT");
    // the armored key was given: nothing is downloaded
    expect(field(inputs.APIM_SIGNING_KEY!)).toContain('BEGIN PGP PUBLIC KEY BLOCK');
  });

  it('distro package: no repository, apt-get update only when apt knows no candidate', () => {
    const script = installScript(installs['apt-distro']!);
    const inputs = scriptInputs(script);
    expect(inputs.SIGNED).toBe('0');
    expect(inputs.APIM_REPO_FILES).toBe('');
    expect(inputs.APIM_CREDENTIAL_FILES).toBe('');
    expect(script).toContain('apt-cache policy "$1" 2>/dev/null | grep -q \'Candidate: [^(]\'');
  });

  it('refuses a malformed pinned fingerprint and Plus without credentials', () => {
    expect(() => installScript({ ...installs['apt-nginx-org']!, signingKeyFingerprint: 'ABCD' })).toThrow(
      /fingerprint/,
    );
    const { plus: _plus, ...noCreds } = installs['apt-plus']!;
    expect(() => installScript(noCreds as InstallSpec)).toThrow(/certificate/);
  });

  it('accepts several pinned fingerprints', () => {
    const fprs = '8540A6F18833A80E9C1653A42FD21310B49F6B46, 573bfd6b3d8fbc641079a6ababf5bd827bd9bf62';
    const script = installScript({ ...installs['apt-nginx-org']!, signingKeyFingerprint: fprs });
    expect(scriptInputs(script).FPRS).toBe(
      '8540A6F18833A80E9C1653A42FD21310B49F6B46 573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62',
    );
  });
});

describe('install script: dnf/yum', () => {
  it('nginx.org on dnf: repo file with module_hotfixes and the pinned key file', () => {
    const spec = installs['dnf-nginx-org']!;
    const [repo] = repositoryFiles(spec);
    expect(repo!.path).toBe('/etc/yum.repos.d/nginx.repo');
    expect(repo!.content).toContain('baseurl=https://nginx.org/packages/centos/$releasever/$basearch/');
    expect(repo!.content).toContain('module_hotfixes=true');
    expect(repo!.content).toContain('gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-nginx');
    expect(repo!.content).not.toContain('sslclientcert');
    const script = installScript(spec);
    expect(scriptInputs(script).PM).toBe('dnf');
    expect(script).toContain('gpg --batch --armor --export $FPRS');
  });

  it('Plus on yum: client certificate in the repo file, credentials kept when asked', () => {
    const spec = installs['yum-plus']!;
    const [repo] = repositoryFiles(spec);
    expect(repo!.path).toBe('/etc/yum.repos.d/nginx-plus.repo');
    expect(repo!.content).toContain('sslclientcert=/etc/ssl/nginx/nginx-repo.crt');
    expect(repo!.content).toContain('sslclientkey=/etc/ssl/nginx/nginx-repo.key');
    expect(repo!.content).toContain('baseurl=https://pkgs.nginx.com/plus/centos/$releasever/$basearch/');
    expect(scriptInputs(installScript(spec)).KEEP_CREDS).toBe('1');
  });

  it('uses a mirror URL when given', () => {
    const [repo] = repositoryFiles({
      ...installs['dnf-nginx-org']!,
      repoUrl: 'https://mirror.example/nginx/rhel/',
    });
    expect(repo!.content).toContain('baseurl=https://mirror.example/nginx/rhel/$releasever/$basearch/');
  });
});

describe('parseInstallResult', () => {
  it('reads a successful install', () => {
    const r = parseInstallResult(
      '@@APIM key_verified 1\n@@APIM installed 1.26.2\n@@APIM started 1\n@@APIM credentials_removed 1\n@@APIM status installed\n',
      '',
    );
    expect(r).toMatchObject({
      ok: true,
      status: 'installed',
      version: '1.26.2',
      started: true,
      credentialsRemoved: true,
      plus: false,
    });
    expect(r.message).toBe('installed nginx 1.26.2');
  });

  it('reads a refused key with its reason', () => {
    const msg = Buffer.from('the signing key does not have the pinned fingerprint X').toString('base64');
    const r = parseInstallResult(
      `@@APIM failure fingerprint\n@@APIM message ${msg}\n@@APIM status failed\n`,
      '',
    );
    expect(r).toMatchObject({ ok: false, status: 'failed', failure: 'fingerprint' });
    expect(r.message).toContain('pinned fingerprint');
  });

  it('treats output without a status as a failure', () => {
    const r = parseInstallResult('', 'sh: 1: apt-get: killed');
    expect(r.ok).toBe(false);
    expect(r.messages.join('\n')).toContain('apt-get: killed');
  });
});
