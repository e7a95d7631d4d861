import { describe, expect, it } from 'vitest';
import {
  RemoteOutputError,
  encodeValue,
  formatRecord,
  parseFacts,
  parseNginxV,
} from '../../../src/remote/index.js';

const rec = (k: string, v: string) => formatRecord(k, v);
const b64 = (s: string) => encodeValue(s);

const DEBIAN_OS =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const NGINX_V = `nginx version: nginx/1.22.1
built with OpenSSL 3.0.9 30 May 2023 (running with OpenSSL 3.0.11 19 Sep 2023)
TLS SNI support enabled
configure arguments: --with-cc-opt='-g -O2 -ffile-prefix-map=/build/nginx-AoTv4W/nginx-1.22.1=.' --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --http-log-path=/var/log/nginx/access.log --error-log-path=/var/log/nginx/error.log --pid-path=/run/nginx.pid --with-compat --with-http_ssl_module --with-http_v2_module --with-http_realip_module --with-stream=dynamic --with-stream_ssl_module
`;
const PLUS_V = `nginx version: nginx/1.27.4 (nginx-plus-r34)
configure arguments: --prefix=/etc/nginx --sbin-path=/usr/sbin/nginx --with-http_ssl_module
`;

function sample(lines: string[]): string {
  return [...lines, rec('done', '1')].join('\n');
}

describe('parseFacts', () => {
  it('parses a Debian host with a running nginx, files and tool state', () => {
    const facts = parseFacts(
      sample([
        rec('os_release', b64(DEBIAN_OS)),
        rec('arch', 'x86_64'),
        rec('pkg', 'apt'),
        rec('svc', 'systemd'),
        rec('uid', '0'),
        rec('user', b64('root')),
        rec('nginx_binary', b64('/usr/sbin/nginx')),
        rec('nginx_v', b64(NGINX_V)),
        rec('nginx_conf', b64('/etc/nginx/nginx.conf')),
        rec('nginx_pid_path', b64('/run/nginx.pid')),
        rec('nginx_error_log', b64('/var/log/nginx/error.log')),
        rec('nginx_master', '812'),
        rec('plus_package', '0'),
        rec('pending', b64('run-7\n')),
        rec('record', `apim_lb_config ${b64('/etc/nginx/conf.d/apim.conf')} ${'d'.repeat(64)}`),
        rec('record', `apim_tls_certificates ${b64('/etc/nginx/ssl/lb.key')} - ${b64('no sha, no note')}`),
        rec(
          'record',
          `apim_tls_certificates ${b64('/etc/nginx/ssl/lb.crt')} ${'e'.repeat(64)} ${b64('{"a":1}')}`,
        ),
        rec('record', `legacy ${b64('/etc/nginx/conf.d/old.conf')}`),
        rec('content', `${b64('/etc/nginx/ssl/lb.crt')} ${b64('PEM')}`),
        rec('missing', b64('/etc/nginx/ssl/none.crt')),
        rec('package', `nginx 1 ${b64('1.22.1-9')} ${b64('1.22.1-9+deb12u1')}`),
        rec('package', `curl 0 - -`),
        rec('service', 'nginx active enabled'),
        rec('service', 'cron unknown unknown'),
        rec('snapshot', 'run-5'),
        rec('snapshot', 'run-6'),
        rec('file', `${b64('/etc/nginx/conf.d/apim.conf')} 1 file 0644 root root 1234 ${'c'.repeat(64)}`),
        rec('file', `${b64('/etc/nginx/ssl')} 1 directory 0750 root root 4096 -`),
        rec('file', `${b64('/etc/nginx/sites-enabled/default')} 1 link 0777 root root 34 -`),
        rec('file', `${b64('/etc/nginx/conf.d/new file.conf')} 0`),
      ]),
    );
    // No ipv6 record (an older script, or /proc unreadable): assume IPv6, nginx's own default.
    expect(facts.ipv6).toBe(true);
    expect(facts.os).toEqual({
      id: 'debian',
      versionId: '12',
      codename: 'bookworm',
      family: 'debian',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(facts.packageManager).toBe('apt');
    expect(facts.serviceManager).toBe('systemd');
    expect(facts.user).toEqual({ uid: 0, name: 'root' });
    expect(facts.nginx).toMatchObject({
      binary: '/usr/sbin/nginx',
      version: '1.22.1',
      plus: false,
      prefix: '/usr/share/nginx',
      confPath: '/etc/nginx/nginx.conf',
      pidPath: '/run/nginx.pid',
      running: true,
      masterPid: 812,
    });
    expect(facts.nginx?.modules).toEqual([
      'http_ssl_module',
      'http_v2_module',
      'http_realip_module',
      'stream_ssl_module',
    ]);
    expect(facts.files['/etc/nginx/conf.d/apim.conf']).toEqual({
      exists: true,
      type: 'file',
      sha256: 'c'.repeat(64),
      mode: '0644',
      owner: 'root',
      group: 'root',
      size: 1234,
    });
    expect(facts.files['/etc/nginx/ssl']).toMatchObject({ type: 'directory', mode: '0750' });
    expect(facts.files['/etc/nginx/ssl']).not.toHaveProperty('sha256');
    expect(facts.files['/etc/nginx/sites-enabled/default']).toMatchObject({ type: 'link' });
    expect(facts.files['/etc/nginx/conf.d/new file.conf']).toEqual({ exists: false });
    expect(facts.state).toEqual({
      pendingReload: true,
      pendingReason: 'run-7',
      records: {
        apim_lb_config: ['/etc/nginx/conf.d/apim.conf'],
        apim_tls_certificates: ['/etc/nginx/ssl/lb.key', '/etc/nginx/ssl/lb.crt'],
      },
      recordedSha: { '/etc/nginx/conf.d/apim.conf': 'd'.repeat(64), '/etc/nginx/ssl/lb.crt': 'e'.repeat(64) },
      recordedNote: { '/etc/nginx/ssl/lb.crt': '{"a":1}' },
      legacyRecords: ['/etc/nginx/conf.d/old.conf'],
      legacyFile: false,
      snapshots: ['run-5', 'run-6'],
    });
    expect(facts.contents['/etc/nginx/ssl/lb.crt']?.toString()).toBe('PEM');
    expect(facts.contents['/etc/nginx/ssl/none.crt']).toBeNull();
    expect(facts.packages).toEqual({
      nginx: { installed: true, version: '1.22.1-9', candidate: '1.22.1-9+deb12u1' },
      curl: { installed: false },
    });
    expect(facts.services).toEqual({
      nginx: { active: 'active', enabled: 'enabled' },
      cron: { active: 'unknown', enabled: 'unknown' },
    });
  });

  it('parses a RHEL host without nginx', () => {
    const os =
      'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n';
    const facts = parseFacts(
      sample([
        rec('os_release', b64(os)),
        rec('arch', 'aarch64'),
        rec('ipv6', '0'),
        rec('pkg', 'dnf'),
        rec('svc', 'systemd'),
        rec('uid', '0'),
        rec('user', b64('root')),
        rec('plus_package', '0'),
      ]),
    );
    expect(facts.os).toMatchObject({ id: 'rocky', family: 'rhel', versionId: '9.4', codename: '' });
    expect(facts.arch).toBe('aarch64');
    expect(facts.ipv6).toBe(false);
    expect(facts.packageManager).toBe('dnf');
    expect(facts.nginx).toBeUndefined();
    expect(facts.state).toEqual({
      pendingReload: false,
      records: {},
      recordedSha: {},
      recordedNote: {},
      legacyRecords: [],
      legacyFile: false,
      snapshots: [],
    });
  });

  it('parses a container without systemd (sysv service, stopped nginx Plus)', () => {
    const os =
      'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\nPRETTY_NAME="Ubuntu 24.04 LTS"\n';
    const facts = parseFacts(
      sample([
        rec('os_release', b64(os)),
        rec('pkg', 'apt'),
        rec('svc', 'sysv'),
        rec('uid', '0'),
        rec('user', b64('root')),
        rec('nginx_binary', b64('/usr/sbin/nginx')),
        rec('nginx_v', b64(PLUS_V)),
        rec('plus_package', '1'),
      ]),
    );
    expect(facts.os).toMatchObject({ family: 'debian', codename: 'noble' });
    expect(facts.serviceManager).toBe('sysv');
    expect(facts.nginx).toMatchObject({
      version: '1.27.4',
      plus: true,
      running: false,
      prefix: '/etc/nginx',
    });
    expect(facts.nginx).not.toHaveProperty('masterPid');
  });

  it('reports plus from the package even when nginx -V does not say so', () => {
    const facts = parseFacts(
      sample([
        rec('nginx_binary', b64('/usr/sbin/nginx')),
        rec('nginx_v', b64(NGINX_V)),
        rec('plus_package', '1'),
        rec('svc', 'none'),
      ]),
    );
    expect(facts.nginx?.plus).toBe(true);
    expect(facts.serviceManager).toBe('none');
    expect(facts.packageManager).toBeNull();
  });

  it('refuses output of a script that did not finish', () => {
    expect(() => parseFacts(rec('arch', 'x86_64'))).toThrow(RemoteOutputError);
  });

  it('derives defaults from nginx -V when paths are not configured', () => {
    const v = parseNginxV('nginx version: nginx/1.25.0\nconfigure arguments: --with-http_ssl_module\n');
    expect(v).toMatchObject({
      prefix: '/usr/local/nginx',
      confPath: '/usr/local/nginx/conf/nginx.conf',
      plus: false,
    });
  });
});
