import { lstatSync, statSync } from 'node:fs';
import type { InstallSpec, RollbackOptions, TransactionSpec } from '../../../src/remote/index.js';

/**
 * A file's identity as the remote programs state it (`stat -c '%d %i %s %Y %Z'`: the times truncated
 * to whole seconds). Read in nanoseconds: Node's `mtime`/`ctime` Dates round to the nearest
 * millisecond, so a time in a second's last half millisecond would read as the next second.
 */
export function fileIdentity(path: string, follow = false): string {
  const st = (follow ? statSync : lstatSync)(path, { bigint: true });
  const s = (ns: bigint) => ns / 1_000_000_000n;
  return `${st.dev} ${st.ino} ${st.size} ${s(st.mtimeNs)} ${s(st.ctimeNs)}`;
}

/** Specs shared by the remote unit tests. */
export const baseTransaction: TransactionSpec = {
  runId: 'run-1',
  stateDir: '/var/lib/apim-provision',
  confPrefix: '/etc/nginx',
  confPath: '/etc/nginx/nginx.conf',
  nginxBinary: '/usr/sbin/nginx',
  serviceManager: 'systemd',
  files: [
    {
      path: "/etc/nginx/conf.d/it's a $file.conf",
      content: Buffer.from('server { }\n'),
      mode: '0644',
      owner: 'root',
      group: 'root',
      expected: 'absent',
    },
    {
      path: '/etc/ssl/apim/lb.key',
      content: Buffer.from('-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n'),
      mode: '0600',
      owner: 'root',
      group: 'root',
      expected: 'a'.repeat(64),
    },
  ],
  directories: [{ path: '/var/log/nginx/apim', mode: '0755', owner: 'root', group: 'adm' }],
  deletes: [{ path: '/etc/nginx/conf.d/old.conf', expected: 'b'.repeat(64) }],
  records: {
    managers: ['apim_lb_config', 'apim_tls_certificates'],
    files: [
      { manager: 'apim_lb_config', path: "/etc/nginx/conf.d/it's a $file.conf" },
      { manager: 'apim_tls_certificates', path: '/etc/ssl/apim/lb.key' },
    ],
  },
  reload: true,
  validate: true,
  snapshotsToKeep: 5,
  lockWaitSeconds: 60,
  healthCheck: { url: 'https://127.0.0.1/', hostHeader: 'gw.example.com' },
};

export const os = {
  id: 'debian',
  versionId: '12',
  codename: 'bookworm',
  family: 'debian' as const,
  prettyName: 'Debian 12',
};
export const rhel = {
  id: 'rocky',
  versionId: '9.4',
  codename: '',
  family: 'rhel' as const,
  prettyName: 'Rocky Linux 9.4',
};

export const installs: Record<string, InstallSpec> = {
  'apt-distro': {
    edition: 'oss',
    packageManager: 'apt',
    os,
    ossSource: 'distro',
    signingKeyFingerprint: '8540A6F18833A80E9C1653A42FD21310B49F6B46',
    startAfterInstall: true,
  },
  'apt-nginx-org': {
    edition: 'oss',
    packageManager: 'apt',
    os,
    ossSource: 'nginx.org',
    signingKeyFingerprint: '8540A6F18833A80E9C1653A42FD21310B49F6B46',
    startAfterInstall: false,
  },
  'apt-plus': {
    edition: 'plus',
    packageManager: 'apt',
    os,
    ossSource: 'distro',
    signingKeyArmored: '-----BEGIN PGP PUBLIC KEY BLOCK-----\nx\n-----END PGP PUBLIC KEY BLOCK-----\n',
    signingKeyFingerprint: '8540A6F18833A80E9C1653A42FD21310B49F6B46',
    repoCaPem: 'CA',
    plus: { repoCertPem: 'CERT', repoKeyPem: 'KEY', jwt: 'JWT', keepRepoCredentials: false },
    startAfterInstall: true,
  },
  'dnf-nginx-org': {
    edition: 'oss',
    packageManager: 'dnf',
    os: rhel,
    ossSource: 'nginx.org',
    signingKeyFingerprint: '8540A6F18833A80E9C1653A42FD21310B49F6B46',
    startAfterInstall: true,
  },
  'yum-plus': {
    edition: 'plus',
    packageManager: 'yum',
    os: rhel,
    ossSource: 'distro',
    signingKeyFingerprint: '8540A6F18833A80E9C1653A42FD21310B49F6B46',
    plus: { repoCertPem: 'CERT', repoKeyPem: 'KEY', keepRepoCredentials: true },
    startAfterInstall: false,
  },
};

export const rollbackOptions: RollbackOptions = {
  stateDir: '/var/lib/apim-provision',
  confPath: '/etc/nginx/nginx.conf',
  nginxBinary: '/usr/sbin/nginx',
  serviceManager: 'sysv',
};
