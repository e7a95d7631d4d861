/**
 * The settings production needs and no WSO2 sample has: body limits, upstream TLS verification,
 * health checks, the admin-path allow-list, the status endpoint, WebSocket idle timeouts.
 */
import { describe, expect, it } from 'vitest';
import type { Deployment, RenderOptions } from '../../../src/domain/types.js';
import { renderConfig } from '../../../src/patterns/index.js';
import { adminPathRegex } from '../../../src/patterns/admin-paths.js';
import { deployment, nodes, PLUS_VERSION, UPSTREAM_CA_PEM } from '../../golden/cases.js';
import { all, one, parseConf, servers, walk, type ParsedDirective } from './conf-parse.js';

const OSS: RenderOptions = {
  edition: 'oss',
  nginxVersion: '1.22.1',
  sticky: 'ip_hash',
  confPrefix: '/etc/nginx',
};
const PLUS: RenderOptions = {
  edition: 'plus',
  nginxVersion: PLUS_VERSION,
  sticky: 'sticky-cookie',
  confPrefix: '/etc/nginx',
};

const dist4 = (settings: Partial<Deployment> = {}, extras: Partial<Deployment['extras']> = {}) =>
  deployment(
    '4.x',
    'distributed',
    {
      gateway: nodes('gw', 3, 2),
      control_plane: nodes('cp', 7, 2),
      traffic_manager: [
        { name: 'tm1', address: '10.0.8.11', portOffset: 0 },
        { name: 'tm2', address: 'tm2.internal.example', portOffset: 0 },
      ],
    },
    { websocket: true, ...extras },
    settings,
  );

function server(c: ParsedDirective[], name: string, port: string): ParsedDirective[] {
  const s = servers(c).find((x) => x.names.includes(name) && x.ports.includes(port));
  if (!s) throw new Error(`no server ${name}:${port}`);
  return s.body;
}

function locationOf(body: ParsedDirective[], path: string): ParsedDirective[] {
  return all(body, 'location').find((l) => l.args.join(' ') === path)?.children ?? [];
}

describe('request body limits', () => {
  it('writes 100m on every proxying server by default, and a per-hostname value when set', () => {
    const d = dist4();
    d.sites = { ...d.sites, gw: { ...d.sites.gw, clientMaxBodySize: '0' } };
    const c = parseConf(renderConfig(d, OSS).content);
    for (const s of servers(c).filter((x) => all(x.body, 'location').length > 0)) {
      const expected = s.names.includes('gw.am.wso2.com') ? '0' : '100m';
      expect(one(s.body, 'client_max_body_size')?.args, `${s.names[0]}:${s.ports[0]}`).toEqual([expected]);
    }
  });
});

describe('WebSocket idle timeout', () => {
  it('gives ws/wss listeners their own timeout and leaves the docs’ 5m elsewhere', () => {
    const c = parseConf(renderConfig(dist4({}, { websocketTimeout: '2h' }), OSS).content);
    for (const port of ['8099', '9099']) {
      const loc = locationOf(server(c, 'gw.am.wso2.com', port), '/');
      expect(one(loc, 'proxy_read_timeout')?.args).toEqual(['2h']);
      expect(one(loc, 'proxy_send_timeout')?.args).toEqual(['2h']);
    }
    expect(one(locationOf(server(c, 'gw.am.wso2.com', '443'), '/'), 'proxy_read_timeout')?.args).toEqual([
      '5m',
    ]);
  });
});

describe('upstream TLS verification', () => {
  const verified = dist4({ upstreamTls: { verify: true, caFile: 'nodes-ca.pem', caPem: UPSTREAM_CA_PEM } });

  it('verifies the nodes against the CA file written next to the certificate, by each site’s name', () => {
    verified.sites = {
      ...verified.sites,
      cp: { ...verified.sites.cp, upstreamTlsName: 'cp.internal.example' },
    };
    const r = renderConfig(verified, OSS);
    expect(r.files).toEqual([
      { path: '/etc/nginx/ssl/apim-upstream-ca.crt', content: UPSTREAM_CA_PEM, mode: '0644' },
    ]);
    const c = parseConf(r.content);
    const cp = server(c, 'cp.am.wso2.com', '443');
    expect(one(cp, 'proxy_ssl_verify')?.args).toEqual(['on']);
    expect(one(cp, 'proxy_ssl_trusted_certificate')?.args).toEqual(['/etc/nginx/ssl/apim-upstream-ca.crt']);
    expect(one(cp, 'proxy_ssl_name')?.args).toEqual(['cp.internal.example']);
    expect(one(cp, 'proxy_ssl_server_name')?.args).toEqual(['on']);
    expect(one(server(c, 'gw.am.wso2.com', '8099'), 'proxy_ssl_name')?.args).toEqual(['gw.am.wso2.com']);
    // Plain-HTTP upstreams have no certificate to check.
    expect(one(server(c, 'gw.am.wso2.com', '9099'), 'proxy_ssl_verify')).toBeUndefined();
    expect(r.content).toMatch(/^# Upstream TLS: the nodes' certificates are verified against nodes-ca.pem$/m);
  });

  it('keeps today’s behaviour when off: no proxy_ssl_* and no extra file, and says so in the header', () => {
    const r = renderConfig(dist4(), OSS);
    expect(r.files).toEqual([]);
    expect(walk(parseConf(r.content)).filter((n) => n.name.startsWith('proxy_ssl'))).toEqual([]);
    expect(r.content).toMatch(/^# Upstream TLS: the nodes' certificates are NOT verified/m);
  });

  it('follows the certificate folder (the conf prefix nginx -V reports)', () => {
    const moved = {
      ...verified,
      tlsPaths: { certificate: '/opt/nginx/ssl/apim.crt', key: '/opt/nginx/ssl/apim.key' },
    };
    expect(renderConfig(moved, { ...OSS, confPrefix: '/opt/nginx' }).files[0]!.path).toBe(
      '/opt/nginx/ssl/apim-upstream-ca.crt',
    );
  });
});

describe('health checks', () => {
  it('writes passive checks on every server line and a shared zone in every upstream', () => {
    const d = dist4({ health: { maxFails: 0, failTimeout: '10s', active: true } });
    const c = parseConf(renderConfig(d, OSS).content);
    for (const u of all(c, 'upstream')) {
      expect(one(u.children, 'zone')?.args).toEqual([u.args[0], '64k']);
      for (const s of all(u.children ?? [], 'server')) expect(s.args).toContain('max_fails=0');
    }
    // Community has no active probes, whatever the setting.
    expect(walk(c).filter((n) => n.name === 'health_check' || n.name === 'match')).toEqual([]);
  });

  it('probes each upstream once on NGINX Plus, with what a healthy API-M node answers', () => {
    const c = parseConf(renderConfig(dist4(), PLUS).content);
    const probes = all(c, 'server').flatMap((s) =>
      all(s.children ?? [], 'location')
        .filter((l) => one(l.children, 'health_check'))
        .map((l) => [
          one(l.children, 'proxy_pass')!.args[0],
          one(l.children, 'health_check')!.args.slice(3).join(' '),
        ]),
    );
    expect(Object.fromEntries(probes)).toEqual({
      'https://wso2_apim_gateway_8243': 'uri=/ match=wso2_apim_responds',
      'https://wso2_apim_gateway_9443': 'uri=/services/Version match=wso2_apim_version',
      'https://wso2_apim_gateway_8099': 'uri=/health match=wso2_apim_responds',
      'http://wso2_apim_gateway_9099': 'uri=/health match=wso2_apim_responds',
      'https://wso2_apim_control_plane_9443': 'uri=/services/Version match=wso2_apim_version',
      'https://wso2_apim_traffic_manager_9443': 'uri=/services/Version match=wso2_apim_version',
      'http://wso2_apim_gateway_8280': 'uri=/ match=wso2_apim_responds',
    });
    expect(probes).toHaveLength(7);
    expect(all(c, 'match').map((m) => m.args[0])).toEqual(['wso2_apim_version', 'wso2_apim_responds']);
    // Per-server statistics only where the Plus API serves them.
    expect(one(server(c, 'cp.am.wso2.com', '443'), 'status_zone')).toBeUndefined();
    const withApi = parseConf(renderConfig(dist4({ statusPort: 8081 }), PLUS).content);
    expect(one(server(withApi, 'cp.am.wso2.com', '443'), 'status_zone')?.args).toEqual(['wso2_apim_cp_443']);
    const off = parseConf(
      renderConfig(dist4({ health: { maxFails: 3, failTimeout: '30s', active: false } }), PLUS).content,
    );
    expect(walk(off).filter((n) => n.name === 'health_check' || n.name === 'match')).toEqual([]);
  });
});

describe('status endpoint', () => {
  it('serves stub_status on 127.0.0.1 only, for Community', () => {
    const c = parseConf(renderConfig(dist4({ statusPort: 8081 }), OSS).content);
    const status = servers(c).find((s) => s.ports.includes('127.0.0.1:8081'))!;
    // Not [::1]: nginx cannot bind it where loopback has no IPv6 address.
    expect(status.ports).toEqual(['127.0.0.1:8081']);
    expect(all(status.body, 'allow').map((d) => d.args)).toEqual([['127.0.0.1']]);
    expect(all(status.body, 'deny').map((d) => d.args)).toEqual([['all']]);
    expect(one(locationOf(status.body, '= /nginx_status'), 'stub_status')).toBeDefined();
  });

  it('serves the Plus API without write access, for NGINX Plus', () => {
    const c = parseConf(renderConfig(dist4({ statusPort: 8081 }), PLUS).content);
    const status = servers(c).find((s) => s.ports.includes('127.0.0.1:8081'))!;
    expect(one(locationOf(status.body, '/api/'), 'api')?.args).toEqual(['write=off']);
  });

  it('is off unless asked for', () => {
    expect(
      servers(parseConf(renderConfig(dist4(), OSS).content)).some((s) =>
        s.ports.some((p) => p.startsWith('127.')),
      ),
    ).toBe(false);
  });
});

describe('admin path restriction', () => {
  const restricted = dist4({ adminAllow: ['10.20.0.0/16'] });

  it('lets in the allow-list and the nodes known by address, refuses the others on the servlet port only', () => {
    const c = parseConf(renderConfig(restricted, OSS).content);
    const geo = all(c, 'geo')[0]!;
    expect(all(geo.children ?? [], 'default')).toHaveLength(1);
    const allowed = (geo.children ?? []).filter((n) => n.name !== 'default').map((n) => n.name);
    expect(allowed).toEqual([
      '10.20.0.0/16',
      '10.0.3.11',
      '10.0.3.12',
      '10.0.7.11',
      '10.0.7.12',
      '10.0.8.11', // tm2 is known by name only: nginx cannot allow it (validate warns)
    ]);
    const refused = (body: ParsedDirective[], path: string) =>
      all(locationOf(body, path), 'if').some((i) => i.args.join(' ') === '($apim_admin_refused)');
    expect(refused(server(c, 'cp.am.wso2.com', '443'), '/')).toBe(true);
    expect(refused(server(c, 'tm.am.wso2.com', '443'), '/')).toBe(true);
    expect(refused(server(c, 'gw.am.wso2.com', '443'), '/services/')).toBe(true);
    // API contexts on the gateway are the APIs' own: /admin there may be an API.
    expect(refused(server(c, 'gw.am.wso2.com', '443'), '/')).toBe(false);
    expect(refused(server(c, 'gw.am.wso2.com', '8099'), '/')).toBe(false);
  });

  it('is absent unless an allow-list is given', () => {
    const c = parseConf(renderConfig(dist4(), OSS).content);
    expect(walk(c).filter((n) => n.name === 'geo' || n.name === 'if')).toEqual([]);
  });

  /** The map's regex as JavaScript (nginx's `~*` is PCRE, case-insensitive). */
  function matcher(d: Deployment): (uri: string) => boolean {
    const re = new RegExp(adminPathRegex(d).replace(/^~\*/, ''), 'i');
    return (uri) => re.test(uri);
  }

  it('matches each version’s admin paths, however they are spelt, and nothing else', () => {
    const four = matcher(dist4({ proxyContextPath: '/apim' }));
    for (const uri of [
      '/carbon',
      '/carbon/admin/login.jsp',
      '/Carbon/',
      '/carbon;jsessionid=ABC/admin/',
      '/services/Version',
      '/admin/',
      '/api/am/admin/v4/throttling',
      '/internal/data/v1/notify',
      '/apim/carbon/',
      '/apim/admin',
    ])
      expect(four(uri), uri).toBe(true);
    for (const uri of [
      '/',
      '/publisher/',
      '/devportal/apis',
      '/carbonara',
      '/api/am/publisher/v4/apis',
      '/x/carbon/',
      '/apim',
    ])
      expect(four(uri), uri).toBe(false);
    const three = matcher(deployment('3.x', 'distributed', { publisher: nodes('p', 4, 2) }));
    expect(three('/internal/data/v1/notify')).toBe(false);
    expect(three('/api/am/admin/v1/')).toBe(true);
    expect(three('/apim/carbon/')).toBe(false);
  });

  it('refuses Tomcat’s ..; traversal from outside the allow-list as well', () => {
    const c = parseConf(renderConfig(restricted, OSS).content);
    const map = all(c, 'map').find((m) => m.args[1] === '$apim_admin_path')!;
    expect((map.children ?? []).map((e) => e.name)).toContain('"~\\.\\.;"');
  });
});
