import { describe, expect, it } from 'vitest';
import {
  installScript,
  parseInstallResult,
  repositoryFiles,
  type InstallSpec,
} from '../../../src/remote/index.js';
import { installs } from './fixtures.js';

function decodedPayloads(script: string): string[] {
  return [...script.matchAll(/<<'APIM_PAYLOAD_END'[^\n]*\n([\s\S]*?)\nAPIM_PAYLOAD_END/g)].map((m) =>
    Buffer.from((m[1] ?? '').replace(/\n/g, ''), 'base64').toString('utf8'),
  );
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
    expect(decodedPayloads(script)).toEqual(files.map((f) => f.content));
    expect(script).toContain("FPRS='8540A6F18833A80E9C1653A42FD21310B49F6B46'");
    expect(script).toContain('gpg --batch --show-keys --with-colons');
    expect(script).toContain("KEY_URL='https://nginx.org/keys/nginx_signing.key'");
    // the fingerprint is checked before the key is imported or written anywhere
    const check = script.indexOf('apim_check_key\n');
    expect(check).toBeGreaterThan(0);
    expect(script.indexOf('apim_put_file "$WORK/repo-file-0"')).toBeGreaterThan(check);
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
    expect(script).toContain(
      'KEY_OWNER=root; [ "$PM" != apt ] || ! id -u _apt >/dev/null 2>&1 || KEY_OWNER=_apt',
    );
    expect(script).toContain(
      'apim_put_file "$WORK/repo.key" /etc/ssl/nginx/nginx-repo.key 0600 "$KEY_OWNER" root',
    );
    expect(script).toContain('apim_put_file "$WORK/license.jwt" /etc/nginx/license.jwt 0640 root root');
    expect(script).toContain("PKG='nginx-plus'");
    expect(script).toMatch(
      /rm -f '\/etc\/ssl\/nginx\/nginx-repo.crt' '\/etc\/ssl\/nginx\/nginx-repo.key' '\/etc\/apt\/apt.conf.d\/90pkgs-nginx'/,
    );
    // the armored key was given: nothing is downloaded
    expect(script).not.toMatch(/^apim_fetch_key$/m);
  });

  it('distro package: no repository, apt-get update only when apt knows no candidate', () => {
    const script = installScript(installs['apt-distro']!);
    expect(script).not.toContain('apim_check_key\n');
    expect(script).not.toContain('sources.list.d');
    expect(script).toMatch(/^apim_apt_refresh_if_unknown "\$PKG"$/m);
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
    expect(script).toContain(
      "FPRS='8540A6F18833A80E9C1653A42FD21310B49F6B46 573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62'",
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
    expect(script).toContain("PM='dnf'");
    expect(script).toContain('gpg --batch --armor --export $FPRS');
  });

  it('Plus on yum: client certificate in the repo file, credentials kept when asked', () => {
    const spec = installs['yum-plus']!;
    const [repo] = repositoryFiles(spec);
    expect(repo!.path).toBe('/etc/yum.repos.d/nginx-plus.repo');
    expect(repo!.content).toContain('sslclientcert=/etc/ssl/nginx/nginx-repo.crt');
    expect(repo!.content).toContain('sslclientkey=/etc/ssl/nginx/nginx-repo.key');
    expect(repo!.content).toContain('baseurl=https://pkgs.nginx.com/plus/centos/$releasever/$basearch/');
    expect(installScript(spec)).not.toContain('credentials_removed');
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
