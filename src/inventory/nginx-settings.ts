import { checkCertificateFiles } from '../certs/index.js';
import type { EditionChoice, NginxInstallSource, PlusLicence } from '../domain/types.js';
import { readText } from './local-file.js';
import type { VarReader } from './var-reader.js';

export interface NginxSettings {
  editionChoice: EditionChoice;
  listenIpv6: boolean | 'auto';
  plusLicence?: PlusLicence;
  install: NginxInstallSource;
}

const LICENCE_VARS = ['nginx_plus_repo_cert', 'nginx_plus_repo_key', 'nginx_plus_jwt'];

/** Edition choice, NGINX Plus licence files and where packages come from. */
export function nginxSettings(r: VarReader): NginxSettings {
  const editionChoice = r.oneOf('nginx_edition', ['auto', 'oss', 'plus'] as const, 'auto');
  const install: NginxInstallSource = {
    ossSource: r.oneOf('nginx_oss_source', ['distro', 'nginx.org'] as const, 'distro'),
  };
  const repoUrl = r.string('nginx_repo_url');
  if (repoUrl !== undefined) {
    if (isHttpUrl(repoUrl)) install.repoUrl = repoUrl;
    else
      r.report(
        'nginx_repo_url',
        `nginx_repo_url "${repoUrl}" is not an http:// or https:// URL`,
        'write the full repository URL, e.g. https://mirror.example.com/nginx/debian',
      );
  }
  const signingKeyFile = r.readableFile('nginx_repo_signing_key');
  if (signingKeyFile) install.signingKeyFile = signingKeyFile;
  const fingerprint = r.string('nginx_repo_signing_key_fingerprint');
  if (fingerprint !== undefined) {
    const normalised = fingerprint.replace(/\s+/g, '').toUpperCase();
    if (/^[0-9A-F]{40}$/.test(normalised)) install.signingKeyFingerprint = normalised;
    else
      r.report(
        'nginx_repo_signing_key_fingerprint',
        `nginx_repo_signing_key_fingerprint "${fingerprint}" is not a 40-hex-digit OpenPGP fingerprint`,
        'copy the fingerprint from `gpg --show-keys <key file>`',
      );
  }
  const repoCaFile = r.readableFile('nginx_repo_ca_file');
  if (repoCaFile) install.repoCaFile = repoCaFile;
  const settings: NginxSettings = { editionChoice, install, listenIpv6: r.boolOrAuto('nginx_listen_ipv6') };

  const hasCert = r.has('nginx_plus_repo_cert');
  const hasKey = r.has('nginx_plus_repo_key');
  if (editionChoice === 'plus' && !hasCert && !hasKey) {
    r.report(
      'nginx_edition',
      `Plus edition without licence: ${r.ctx.hostName} has nginx_edition: plus but no nginx_plus_repo_cert / nginx_plus_repo_key`,
      'set nginx_plus_repo_cert and nginx_plus_repo_key to the nginx-repo.crt and nginx-repo.key files from MyF5 (and nginx_plus_jwt for R33+), or use nginx_edition: auto',
    );
  } else if (hasCert !== hasKey) {
    const missing = hasCert ? 'nginx_plus_repo_key' : 'nginx_plus_repo_cert';
    r.report(
      hasCert ? 'nginx_plus_repo_cert' : 'nginx_plus_repo_key',
      `the NGINX Plus licence needs both nginx_plus_repo_cert and nginx_plus_repo_key; ${missing} is not set`,
      `set ${missing} to the matching file from MyF5`,
    );
  }
  if (editionChoice === 'oss') {
    for (const name of LICENCE_VARS.filter((n) => r.has(n))) {
      r.report(
        name,
        `${name} has no effect with nginx_edition: oss`,
        `remove ${name}, or use nginx_edition: auto`,
        'warning',
      );
    }
  }
  const repoCertificateFile = r.readableFile('nginx_plus_repo_cert');
  const repoKeyFile = r.readableFile('nginx_plus_repo_key');
  const jwtFile = r.readableFile('nginx_plus_jwt');
  const keepRepoCredentials = r.bool('nginx_plus_keep_repo_credentials', false);
  if (repoCertificateFile && repoKeyFile && editionChoice !== 'oss') {
    settings.plusLicence = { repoCertificateFile, repoKeyFile, keepRepoCredentials };
    if (jwtFile) settings.plusLicence.jwtFile = jwtFile;
    checkPlusLicence(r, settings.plusLicence);
  }
  return settings;
}

/**
 * The NGINX Plus licence, before anything is contacted: the key matches the certificate and it has
 * not expired (a repository client certificate is not a server certificate: names do not matter).
 * Skipped for commands that contact no host (render, certs).
 */
function checkPlusLicence(r: VarReader, licence: PlusLicence): void {
  if (r.ctx.secrets === 'ignore') return;
  const name = 'nginx_plus_repo_cert';
  try {
    const check = checkCertificateFiles({
      certPem: readText(licence.repoCertificateFile, 'nginx_plus_repo_cert'),
      keyPem: readText(licence.repoKeyFile, 'nginx_plus_repo_key'),
      serverNames: [],
    });
    for (const e of check.errors.filter((e) => !/server name|SAN/i.test(e)))
      r.report(name, `NGINX Plus licence: ${e}`, 'download a current nginx-repo.crt/.key pair from MyF5');
    for (const w of check.warnings.filter((w) => /expire/i.test(w)))
      r.report(name, `NGINX Plus licence: ${w}`, 'renew the NGINX Plus subscription', 'warning');
  } catch (err) {
    r.report(name, (err as Error).message, 'check nginx_plus_repo_cert and nginx_plus_repo_key');
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
