/**
 * The layouts the docs describe, per version, as rendered: which names, which nodes behind each
 * path, port 80 per version, log folders as the docs name them. Written from the WSO2 pages.
 */
import { describe, expect, it } from 'vitest';
import type { Deployment, RenderOptions } from '../../../src/domain/types.js';
import { needsSticky, planPattern, renderConfig, servedHostnameKeys } from '../../../src/patterns/index.js';
import { deployment, nodes } from '../../golden/cases.js';
import { all, one, parseConf, servers, type ParsedDirective } from './conf-parse.js';

const OLD: RenderOptions = {
  edition: 'oss',
  nginxVersion: '1.22.1',
  sticky: 'ip_hash',
  confPrefix: '/etc/nginx',
};

function conf(d: Deployment, opts: RenderOptions = OLD): ParsedDirective[] {
  return parseConf(renderConfig(d, opts).content);
}

function server(c: ParsedDirective[], name: string, port: string) {
  const s = servers(c).find((x) => x.names.includes(name) && x.ports.includes(port));
  if (!s) throw new Error(`no server ${name}:${port}`);
  return s;
}

/** Location path -> proxy_pass of one server. */
function routes(body: ParsedDirective[]): Record<string, string | undefined> {
  return Object.fromEntries(
    all(body, 'location').map((l) => [l.args.join(' '), one(l.children, 'proxy_pass')?.args[0]]),
  );
}

function upstreamServers(c: ParsedDirective[], name: string): string[][] {
  const u = all(c, 'upstream').find((x) => x.args[0] === name);
  if (!u) throw new Error(`no upstream ${name}`);
  return all(u.children ?? [], 'server').map((s) => s.args);
}

const passive = ['max_fails=3', 'fail_timeout=30s'];

describe('3.x layouts added from the distributed page', () => {
  it('fronts an HA Traffic Manager on tm, sticky on 9443 (policies deploy through admin services)', () => {
    const d = deployment('3.x', 'distributed', { traffic_manager: nodes('tm', 8, 2) });
    expect(needsSticky(d)).toBe(true);
    const c = conf(d);
    const tm = server(c, 'tm.am.wso2.com', '443');
    expect(routes(tm.body)).toEqual({ '/': 'https://wso2_apim_traffic_manager_9443' });
    expect(one(tm.body, 'access_log')?.args).toEqual(['/etc/nginx/log/tm/https/access.log']);
    const u = all(c, 'upstream').find((x) => x.args[0] === 'wso2_apim_traffic_manager_9443')!;
    expect(one(u.children, 'ip_hash')).toBeDefined();
    expect(one(server(c, 'tm.am.wso2.com', '80').body, 'return')?.args).toEqual([
      '301',
      'https://$host$request_uri',
    ]);
  });

  it('treats Gateways without a manager as a shared-file-system cluster: /services/ sticky on their 9443, with a warning', () => {
    const d = deployment('3.x', 'distributed', { gateway: nodes('gw', 3, 2) });
    const r = renderConfig(d, OLD);
    const c = parseConf(r.content);
    expect(routes(server(c, 'gw.am.wso2.com', '443').body)).toEqual({
      '/': 'https://wso2_apim_gateway_8243',
      '/services/': 'https://wso2_apim_gateway_9443',
    });
    const u = all(c, 'upstream').find((x) => x.args[0] === 'wso2_apim_gateway_9443')!;
    expect(one(u.children, 'ip_hash')).toBeDefined();
    expect(r.warnings.join('\n')).toMatch(/shared-file-system Gateway cluster.*rsync.*apim_gateway_manager/s);
    // With a manager (rsync), /services/ reaches the manager and nothing is assumed.
    const withManager = deployment('3.x', 'distributed', {
      gateway_manager: nodes('m', 2, 1),
      gateway: nodes('gw', 3, 2),
    });
    const rm = renderConfig(withManager, OLD);
    expect(routes(server(parseConf(rm.content), 'gw.am.wso2.com', '443').body)['/services/']).toBe(
      'https://wso2_apim_gateway_manager_9443',
    );
    expect(rm.warnings.join('\n')).not.toMatch(/shared-file-system/);
  });

  it('logs where the docs do: am for the all-in-one name, gwm for the Gateway Manager name', () => {
    const aa = conf(deployment('3.x', 'active-active', { all_in_one: nodes('a', 1, 2) }));
    expect(one(server(aa, 'api.am.wso2.com', '443').body, 'error_log')?.args).toEqual([
      '/etc/nginx/log/am/https/error.log',
    ]);
    const gw = conf(
      deployment('2.6', 'distributed', { gateway_manager: nodes('m', 2, 1), gateway: nodes('g', 3, 2) }),
    );
    expect(one(server(gw, 'mgtgw.am.wso2.com', '443').body, 'error_log')?.args).toEqual([
      '/etc/nginx/log/gwm/https/error.log',
    ]);
  });
});

describe('4.x layouts', () => {
  it('fronts a separate Key Manager on its own km name and upstream, next to the Control Plane', () => {
    const d = deployment('4.x', 'distributed', {
      control_plane: nodes('cp', 7, 2),
      keymanager: nodes('km', 6, 2),
    });
    expect(servedHostnameKeys(d)).toEqual(['cp', 'km']);
    const c = conf(d);
    expect(routes(server(c, 'km.am.wso2.com', '443').body)).toEqual({
      '/': 'https://wso2_apim_keymanager_9443',
    });
    expect(upstreamServers(c, 'wso2_apim_keymanager_9443')).toEqual([
      ['10.0.6.11:9443', ...passive],
      ['10.0.6.12:9443', ...passive],
    ]);
    expect(needsSticky(deployment('4.x', 'distributed', { keymanager: nodes('km', 6, 2) }))).toBe(true);
  });

  it('routes /services/ on gw to the gateway management upstream (fail-over), as the control plane’s service_url', () => {
    const c = conf(deployment('4.x', 'distributed', { gateway: nodes('gw', 3, 2) }));
    expect(routes(server(c, 'gw.am.wso2.com', '443').body)).toEqual({
      '/': 'https://wso2_apim_gateway_8243',
      '/services/': 'https://wso2_apim_gateway_9443',
    });
    expect(upstreamServers(c, 'wso2_apim_gateway_9443')[1]).toContain('backup');
  });

  it('listens for WebSub on 9021 (http) and 8021 (https) of the gateway name', () => {
    const d = deployment('4.x', 'distributed', { gateway: nodes('gw', 3, 2, [0, 5]) }, { websub: true });
    const c = conf(d);
    expect(routes(server(c, 'gw.am.wso2.com', '8021').body)).toEqual({
      '/': 'https://wso2_apim_gateway_8021',
    });
    expect(routes(server(c, 'gw.am.wso2.com', '9021').body)).toEqual({
      '/': 'http://wso2_apim_gateway_9021',
    });
    expect(all(server(c, 'gw.am.wso2.com', '9021').body, 'listen').some((l) => l.args.includes('ssl'))).toBe(
      false,
    );
    expect(upstreamServers(c, 'wso2_apim_gateway_9021').map((s) => s[0])).toEqual([
      '10.0.3.11:9021',
      '10.0.3.12:9026',
    ]);
  });

  it('supports the simple scalable layout: All-in-One nodes on api, Universal Gateways on gw and gwm', () => {
    const d = deployment('4.x', 'simple-scalable', {
      all_in_one: nodes('a', 1, 2),
      gateway: nodes('g', 3, 2),
    });
    expect(servedHostnameKeys(d)).toEqual(['api', 'gw', 'mgtgw']);
    const c = conf(d);
    expect(routes(server(c, 'api.am.wso2.com', '443').body)).toEqual({
      '/': 'https://wso2_apim_all_in_one_9443',
    });
    expect(routes(server(c, 'gw.am.wso2.com', '443').body)).toEqual({
      '/': 'https://wso2_apim_gateway_8243',
      '/services/': 'https://wso2_apim_gateway_9443',
    });
    expect(routes(server(c, 'gwm.am.wso2.com', '443').body)).toEqual({
      '/': 'https://wso2_apim_gateway_9443',
    });
    // The page advertises http_endpoint = "http://<gateway LB host>".
    expect(routes(server(c, 'gw.am.wso2.com', '80').body)).toEqual({ '/': 'http://wso2_apim_gateway_8280' });
  });
});

describe('port 80 per version', () => {
  it('serves plain HTTP to 8280 on gw where the distributed pages advertise http://<gateway LB host>', () => {
    for (const version of ['3.x', '4.x'] as const) {
      const c = conf(deployment(version, 'distributed', { gateway: nodes('gw', 3, 2) }));
      const gw80 = server(c, 'gw.am.wso2.com', '80');
      expect(routes(gw80.body), version).toEqual({ '/': 'http://wso2_apim_gateway_8280' });
      expect(one(gw80.body, 'return')).toBeUndefined();
      expect(upstreamServers(c, 'wso2_apim_gateway_8280')).toHaveLength(2);
    }
  });

  it('refuses plain HTTP on gw (403, no redirect) where the docs serve API calls over HTTPS only', () => {
    const cases = [
      deployment('3.x', 'single-node', { all_in_one: nodes('a', 1, 1) }),
      deployment('4.x', 'active-active', { all_in_one: nodes('a', 1, 2) }),
      deployment('2.6', 'distributed', { gateway: nodes('gw', 3, 2) }),
    ];
    for (const d of cases) {
      const gw80 = server(conf(d), 'gw.am.wso2.com', '80');
      expect(one(gw80.body, 'return')?.args, `${d.version} ${d.pattern}`).toEqual(['403']);
      expect(all(gw80.body, 'location')).toEqual([]);
    }
  });

  it('redirects gw with 308 (method and body kept) when asked, like the 4.x HA Gateway tab', () => {
    const d = {
      ...deployment('4.x', 'distributed', { gateway: nodes('gw', 3, 2) }),
      gatewayHttp: 'redirect' as const,
    };
    const gw80 = server(conf(d), 'gw.am.wso2.com', '80');
    expect(one(gw80.body, 'return')?.args).toEqual(['308', 'https://$host$request_uri']);
    expect(planPattern(d).proxies.some((p) => p.listenPort === 80)).toBe(false);
  });

  it('makes the default server on :80 explicit: a catch-all first, answering 421, default_server on request', () => {
    const d = deployment('3.x', 'distributed', { publisher: nodes('p', 4, 2) });
    const c = conf(d);
    const port80 = servers(c).filter((s) => s.ports.includes('80'));
    expect(port80[0]!.names).toEqual(['apim-provision.invalid']);
    expect(one(port80[0]!.body, 'return')?.args).toEqual(['421']);
    expect(all(port80[0]!.body, 'listen').map((l) => l.args)).toEqual([['80'], ['[::]:80']]);
    const flagged = conf({ ...d, defaultServer: true });
    expect(all(servers(flagged)[0]!.body, 'listen').map((l) => l.args)).toEqual([
      ['80', 'default_server'],
      ['[::]:80', 'default_server'],
    ]);
    // Exactly one block per name and port: nginx would ignore a second one.
    const ids = servers(c).flatMap((s) => s.names.flatMap((n) => s.ports.map((p) => `${n}:${p}`)));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('custom proxy context path', () => {
  const d = deployment(
    '3.x',
    'active-active',
    { all_in_one: nodes('a', 1, 2) },
    {},
    { proxyContextPath: '/apim' },
  );

  it('serves the portals under /apim/ too, with the docs’ proxy_redirect lines', () => {
    const api = server(conf(d), 'api.am.wso2.com', '443');
    const r = routes(api.body);
    expect(r['/']).toBe('https://wso2_apim_all_in_one_9443');
    expect(r['/apim/']).toBe('https://wso2_apim_all_in_one_9443/');
    const apim = all(api.body, 'location').find((l) => l.args[0] === '/apim/')!;
    expect(all(apim.children ?? [], 'proxy_redirect').map((p) => p.args)).toEqual([
      [
        'https://api.am.wso2.com/authenticationendpoint/',
        'https://api.am.wso2.com/apim/authenticationendpoint/',
      ],
      ['https://api.am.wso2.com/oauth2/', 'https://api.am.wso2.com/apim/oauth2/'],
      ['https://api.am.wso2.com/carbon/', 'https://api.am.wso2.com/apim/carbon/'],
    ]);
    const slash = all(api.body, 'location').find((l) => l.args[0] === '~')!;
    expect(slash.args[1]).toBe('^/apim/(publisher|devportal|admin)$');
    expect(one(slash.children, 'return')?.args).toEqual(['301', '/apim/$1/']);
  });

  it('leaves the API port alone: contexts there belong to the APIs', () => {
    expect(Object.keys(routes(server(conf(d), 'gw.am.wso2.com', '443').body))).toEqual(['/']);
  });

  it('uses the 2.6 portal names for the trailing-slash redirect', () => {
    const old = deployment(
      '2.6',
      'distributed',
      { devportal: nodes('s', 5, 2) },
      {},
      { proxyContextPath: '/x/y' },
    );
    const store = server(conf(old), 'store.am.wso2.com', '443');
    expect(all(store.body, 'location').find((l) => l.args[0] === '~')!.args[1]).toBe(
      '^/x/y/(publisher|store|admin)$',
    );
  });
});
