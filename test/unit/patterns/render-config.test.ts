import { describe, expect, it } from 'vitest';
import type { Deployment, RenderOptions } from '../../../src/domain/types.js';
import { planUpstreams, renderConfig } from '../../../src/patterns/index.js';
import { deployment, GOLDEN_CASES, goldenVariants, nodes } from '../../golden/cases.js';
import { all, one, parseConf, servers, walk, type ParsedDirective } from './conf-parse.js';

const OLD: RenderOptions = {
  edition: 'oss',
  nginxVersion: '1.22.1',
  sticky: 'ip_hash',
  confPrefix: '/etc/nginx',
};
const NEW: RenderOptions = {
  edition: 'oss',
  nginxVersion: '1.30.0',
  sticky: 'sticky-cookie',
  confPrefix: '/etc/nginx',
};

/** Every 3.x distributed component at once: the combination the docs' shared sticky zone breaks. */
const combined3x = deployment(
  '3.x',
  'distributed',
  {
    gateway_manager: nodes('m', 2, 2),
    gateway: nodes('g', 3, 2),
    publisher: nodes('p', 4, 2),
    devportal: nodes('s', 5, 2),
    keymanager: nodes('k', 6, 2),
  },
  { websocket: true, passthrough: true },
);
const distributed4x = GOLDEN_CASES.find((c) => c.name === '4x-distributed')!.deployment;

function parsed(d: Deployment, opts: RenderOptions): ParsedDirective[] {
  return parseConf(renderConfig(d, opts).content);
}

function serverFor(conf: ParsedDirective[], name: string, port = '443') {
  const s = servers(conf).find((x) => x.names.includes(name) && x.ports.includes(port));
  if (!s) throw new Error(`no server ${name}:${port}`);
  return s;
}

/** The `location /` of a server body. */
function location(body: ParsedDirective[]): ParsedDirective[] {
  return all(body, 'location').find((l) => l.args.join(' ') === '/')?.children ?? [];
}

const everyVariant = [
  ...goldenVariants().map((v) => ({
    name: v.file,
    d: v.case.deployment,
    opts: { ...v.options, confPrefix: '/etc/nginx' },
  })),
  { name: 'combined 3.x @1.22.1', d: combined3x, opts: OLD },
  { name: 'combined 3.x @1.30.0', d: combined3x, opts: NEW },
  {
    name: 'combined 3.x Plus',
    d: combined3x,
    opts: { ...NEW, edition: 'plus' as const, nginxVersion: '1.25.3 (nginx-plus-r31)' },
  },
];

describe('renderConfig: the docs defects are absent', () => {
  it.each(everyVariant.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const r = renderConfig(v.d, v.opts);
    const conf = parseConf(r.content); // throws on unbalanced braces
    const every = walk(conf);

    // 1: never `ssl on`
    expect(r.content).not.toMatch(/^\s*ssl\s+on\s*;/m);
    expect(every.filter((n) => n.name === 'ssl')).toEqual([]);

    // 2: sticky zones unique
    const zones = every
      .filter((n) => n.name === 'sticky')
      .map((n) => n.args.find((a) => a.startsWith('zone='))!);
    expect(new Set(zones).size).toBe(zones.length);

    for (const s of servers(conf)) {
      // 3: no header set at server level (it would never be sent), every location sends X-Forwarded-*
      expect(all(s.body, 'proxy_set_header')).toEqual([]);
      expect(all(s.body, 'add_header')).toEqual([]);
      for (const l of all(s.body, 'location').filter((x) => one(x.children, 'proxy_pass'))) {
        const loc = l.children ?? [];
        const headers = all(loc, 'proxy_set_header').map((h) => h.args.join(' '));
        expect(headers).toContain('X-Forwarded-Port $server_port');
        expect(headers).toContain('X-Forwarded-Proto $scheme');
        expect(headers).toContain('X-Forwarded-For $proxy_add_x_forwarded_for');
        expect(headers).toContain('X-Forwarded-Host $host');
        expect(headers).toContain('Host $http_host');
        // 6: WebSocket upgrades work through every proxy
        expect(headers).toContain('Upgrade $http_upgrade');
        expect(headers).toContain('Connection $apim_connection_upgrade');
        expect(one(loc, 'proxy_http_version')?.args).toEqual(['1.1']);
        // WebSocket listeners have their own idle timeout; everything else the docs' 5m.
        const websocket = s.ports.includes('8099') || s.ports.includes('9099');
        expect(one(loc, 'proxy_read_timeout')?.args).toEqual([
          websocket ? v.d.extras.websocketTimeout : '5m',
        ]);
      }
      // 7: TLS 1.2/1.3 only
      const protocols = one(s.body, 'ssl_protocols');
      if (protocols) expect(protocols.args).toEqual(['TLSv1.2', 'TLSv1.3']);
      if (s.ports.some((p) => p.startsWith('443') || p === '8243' || p === '8099'))
        expect(protocols).toBeDefined();
    }
    expect(r.content).not.toMatch(/TLSv1(\.1)?[ ;]/);

    // 4: no `/etc/nginx/logs` typo; every log folder is listed for creation
    expect(r.content).not.toContain('/logs/');
    const logs = every.filter(
      (n) => (n.name === 'access_log' || n.name === 'error_log') && n.args[0] !== 'off',
    );
    for (const log of logs) {
      const dir = log.args[0]!.replace(/\/[^/]+$/, '');
      expect(r.directories).toContain(dir);
    }

    // each map is declared once (no clash between two variables), and never ip_hash next to backup
    const mapped = all(conf, 'map').map((m) => m.args[1]);
    expect(new Set(mapped).size).toBe(mapped.length);
    expect(mapped).toContain('$apim_connection_upgrade');
    for (const u of all(conf, 'upstream')) {
      const backup = all(u.children ?? [], 'server').some((s) => s.args.includes('backup'));
      if (backup) {
        expect(one(u.children, 'ip_hash')).toBeUndefined();
        expect(one(u.children, 'sticky')).toBeUndefined();
      }
    }
  });
});

describe('renderConfig: components and upstreams', () => {
  it('proxies the Store to the Developer Portal upstream and logs in the store folder', () => {
    const conf = parsed(combined3x, OLD);
    const store = serverFor(conf, 'store.am.wso2.com');
    expect(one(location(store.body), 'proxy_pass')?.args).toEqual(['https://wso2_apim_devportal_9443']);
    expect(one(store.body, 'error_log')?.args).toEqual(['/etc/nginx/log/store/https/error.log']);
    expect(one(store.body, 'access_log')?.args).toEqual(['/etc/nginx/log/store/https/access.log']);
    const publisher = serverFor(conf, 'publisher.am.wso2.com');
    expect(one(location(publisher.body), 'proxy_pass')?.args).toEqual(['https://wso2_apim_publisher_9443']);
  });

  it('logs the 4.x Control Plane into the cp folder', () => {
    const conf = parsed(distributed4x, OLD);
    const cp = serverFor(conf, 'cp.am.wso2.com');
    expect(one(cp.body, 'error_log')?.args).toEqual(['/etc/nginx/log/cp/https/error.log']);
    expect(one(location(cp.body), 'proxy_pass')?.args).toEqual(['https://wso2_apim_control_plane_9443']);
  });

  it('serves 4.x gwm from the gateway nodes as fail-over, and tm as fail-over', () => {
    const conf = parsed(distributed4x, OLD);
    const gwm = serverFor(conf, 'gwm.am.wso2.com');
    expect(one(location(gwm.body), 'proxy_pass')?.args).toEqual(['https://wso2_apim_gateway_9443']);
    const ups = Object.fromEntries(
      all(conf, 'upstream').map((u) => [u.args[0] ?? '', u.children ?? []] as const),
    );
    const passive = ['max_fails=3', 'fail_timeout=30s'];
    expect(all(ups.wso2_apim_gateway_9443 ?? [], 'server').map((s) => s.args)).toEqual([
      ['10.0.3.11:9443', ...passive],
      ['10.0.3.12:9443', ...passive, 'backup'],
    ]);
    expect(all(ups.wso2_apim_traffic_manager_9443 ?? [], 'server').map((s) => s.args)).toEqual([
      ['10.0.8.11:9443', ...passive],
      ['10.0.8.12:9443', ...passive, 'backup'],
    ]);
    expect(one(ups.wso2_apim_control_plane_9443, 'ip_hash')).toBeDefined();
  });

  it('uses the Gateway Managers for gw when there are no workers', () => {
    const d = deployment('3.x', 'distributed', { gateway_manager: nodes('m', 2, 2) });
    const conf = parsed(d, OLD);
    expect(one(location(serverFor(conf, 'gw.am.wso2.com').body), 'proxy_pass')?.args).toEqual([
      'https://wso2_apim_gateway_manager_8243',
    ]);
  });

  it('only renders components that have nodes', () => {
    const d = deployment('3.x', 'distributed', { publisher: nodes('p', 4, 2) });
    const r = renderConfig(d, OLD);
    expect(r.serverNames).toEqual(['publisher.am.wso2.com']);
    expect(all(parseConf(r.content), 'upstream').map((u) => u.args[0])).toEqual(['wso2_apim_publisher_9443']);
  });

  it('adds every port offset, and writes IPv6 backends in brackets', () => {
    const d = deployment(
      '3.x',
      'active-active',
      {
        all_in_one: [
          { name: 'a', address: '10.0.0.1', portOffset: 0 },
          { name: 'b', address: '10.0.0.1', portOffset: 1 },
          { name: 'c', address: 'fd00::3', portOffset: 10 },
        ],
      },
      { websocket: true, passthrough: true },
    );
    const conf = parsed(d, OLD);
    const ups = Object.fromEntries(
      all(conf, 'upstream').map(
        (u) => [u.args[0] ?? '', all(u.children ?? [], 'server').map((s) => s.args[0])] as const,
      ),
    );
    expect(ups).toEqual({
      wso2_apim_all_in_one_9443: ['10.0.0.1:9443', '10.0.0.1:9444', '[fd00::3]:9453'],
      wso2_apim_all_in_one_8243: ['10.0.0.1:8243', '10.0.0.1:8244', '[fd00::3]:8253'],
      wso2_apim_all_in_one_8099: ['10.0.0.1:8099', '10.0.0.1:8100', '[fd00::3]:8109'],
      wso2_apim_all_in_one_9099: ['10.0.0.1:9099', '10.0.0.1:9100', '[fd00::3]:9109'],
      wso2_apim_all_in_one_8280: ['10.0.0.1:8280', '10.0.0.1:8281', '[fd00::3]:8290'],
    });
  });

  it('exposes WebSocket (8099 TLS, 9099 plain) and pass-through (8243 TLS, 8280 plain) on the gw hostname', () => {
    const conf = parsed(combined3x, OLD);
    const expectations: [string, string, boolean][] = [
      ['8099', 'https://wso2_apim_gateway_8099', true],
      ['9099', 'http://wso2_apim_gateway_9099', false],
      ['8243', 'https://wso2_apim_gateway_8243', true],
      ['8280', 'http://wso2_apim_gateway_8280', false],
    ];
    for (const [port, pass, tls] of expectations) {
      const s = serverFor(conf, 'gw.am.wso2.com', port);
      expect(one(location(s.body), 'proxy_pass')?.args).toEqual([pass]);
      expect(all(s.body, 'listen').every((l) => l.args.includes('ssl') === tls)).toBe(true);
    }
    // no HTTP/2 where WebSocket upgrades arrive
    expect(one(serverFor(conf, 'gw.am.wso2.com', '8099').body, 'listen')?.args).toEqual(['8099', 'ssl']);
  });

  it('redirects port 80 for every hostname except gw, keeping the request URI', () => {
    const conf = parsed(combined3x, OLD);
    const redirects = servers(conf).filter((s) => s.ports.includes('80') && one(s.body, 'return'));
    const byName = Object.fromEntries(
      redirects.map((s) => [s.names[0] ?? '', one(s.body, 'return')?.args ?? []] as const),
    );
    expect(byName).toEqual({
      'apim-provision.invalid': ['421'],
      'km.am.wso2.com': ['301', 'https://$host$request_uri'],
      'mgtgw.am.wso2.com': ['301', 'https://$host$request_uri'],
      'publisher.am.wso2.com': ['301', 'https://$host$request_uri'],
      'store.am.wso2.com': ['301', 'https://$host$request_uri'],
    });
  });

  it('sends HSTS from the browser-facing names only, and not at all when turned off', () => {
    const conf = parsed(combined3x, OLD);
    const hsts = (name: string, port = '443') =>
      all(location(serverFor(conf, name, port).body), 'add_header').map((h) => h.args.join(' '));
    expect(hsts('publisher.am.wso2.com')).toEqual(['Strict-Transport-Security "max-age=63072000" always']);
    expect(hsts('store.am.wso2.com')).toHaveLength(1);
    for (const machine of ['gw.am.wso2.com', 'km.am.wso2.com', 'mgtgw.am.wso2.com'])
      expect(hsts(machine), machine).toEqual([]);
    const sites = Object.fromEntries(
      Object.entries(combined3x.sites).map(([k, v]) => [k, { ...v, hsts: false }]),
    ) as Deployment['sites'];
    const off = parsed({ ...combined3x, sites }, OLD);
    expect(walk(off).filter((n) => n.name === 'add_header')).toEqual([]);
  });

  it('uses the deployment certificate paths and the conf prefix', () => {
    const r = renderConfig(combined3x, { ...OLD, confPrefix: '/opt/nginx/' });
    expect(r.path).toBe('/opt/nginx/conf.d/apim.conf');
    expect(r.directories.every((d) => d.startsWith('/opt/nginx/log/'))).toBe(true);
    expect(r.directories).toContain('/opt/nginx/log/store/https');
    expect(r.directories).toContain('/opt/nginx/log/store/http');
    const pub = serverFor(parseConf(r.content), 'publisher.am.wso2.com');
    expect(one(pub.body, 'ssl_certificate')?.args).toEqual(['/etc/nginx/ssl/apim.crt']);
    expect(one(pub.body, 'ssl_certificate_key')?.args).toEqual(['/etc/nginx/ssl/apim.key']);
  });
});

describe('renderConfig: version-aware syntax', () => {
  const d = GOLDEN_CASES[0]!.deployment;
  const at = (v: string) => parsed(d, { edition: 'oss', nginxVersion: v, confPrefix: '/etc/nginx' });

  it('uses `listen ... http2` before 1.25.1 and `http2 on` from 1.25.1', () => {
    for (const v of ['1.22.1', '1.25.0']) {
      const api = serverFor(at(v), 'api.am.wso2.com');
      expect(all(api.body, 'listen').map((l) => l.args)).toEqual([
        ['443', 'ssl', 'http2'],
        ['[::]:443', 'ssl', 'http2'],
      ]);
      expect(one(api.body, 'http2')).toBeUndefined();
    }
    for (const v of ['1.25.1', '1.26.3', '1.25.3 (nginx-plus-r31)']) {
      const api = serverFor(at(v), 'api.am.wso2.com');
      expect(all(api.body, 'listen').map((l) => l.args)).toEqual([
        ['443', 'ssl'],
        ['[::]:443', 'ssl'],
      ]);
      expect(one(api.body, 'http2')?.args).toEqual(['on']);
    }
  });

  it('listens on IPv6 too unless the host has none (nginx refuses [::] there)', () => {
    const withIpv6 = at('1.26.3');
    const withoutIpv6 = parsed(d, {
      edition: 'oss',
      nginxVersion: '1.26.3',
      confPrefix: '/etc/nginx',
      ipv6: false,
    });
    const listens = (conf: ParsedDirective[]) =>
      servers(conf).flatMap((srv) => all(srv.body, 'listen').map((l) => l.args[0]!));
    expect(listens(withIpv6)).toContain('[::]:443');
    expect(listens(withIpv6)).toContain('[::]:80');
    expect(listens(withoutIpv6).filter((a) => a.startsWith('['))).toEqual([]);
    expect(listens(withoutIpv6).sort()).toEqual(
      listens(withIpv6)
        .filter((a) => !a.startsWith('['))
        .sort(),
    );
  });

  it('turns session tickets off only before 1.23.2', () => {
    expect(one(serverFor(at('1.23.1'), 'api.am.wso2.com').body, 'ssl_session_tickets')?.args).toEqual([
      'off',
    ]);
    expect(one(serverFor(at('1.23.2'), 'api.am.wso2.com').body, 'ssl_session_tickets')).toBeUndefined();
  });

  it('declares one shared session cache with the Mozilla intermediate settings', () => {
    const conf = at('1.22.1');
    const caches = new Set(
      walk(conf)
        .filter((n) => n.name === 'ssl_session_cache')
        .map((n) => n.args.join(' ')),
    );
    expect([...caches]).toEqual(['shared:wso2_apim_tls:10m']);
    const api = serverFor(conf, 'api.am.wso2.com').body;
    expect(one(api, 'ssl_prefer_server_ciphers')?.args).toEqual(['off']);
    expect(one(api, 'ssl_session_timeout')?.args).toEqual(['1d']);
    const ciphers = one(api, 'ssl_ciphers')!.args[0]!.split(':');
    expect(ciphers.every((c) => c.startsWith('ECDHE-') && /GCM|CHACHA20/.test(c))).toBe(true);
  });
});

describe('renderConfig: stickiness', () => {
  it('writes a unique sticky learn zone per upstream with the cookie', () => {
    const conf = parsed(combined3x, NEW);
    const sticky = Object.fromEntries(
      all(conf, 'upstream')
        .filter((u) => one(u.children, 'sticky'))
        .map((u) => [u.args[0] ?? '', one(u.children, 'sticky')?.args ?? []] as const),
    );
    expect(Object.keys(sticky).sort()).toEqual([
      'wso2_apim_devportal_9443',
      'wso2_apim_gateway_manager_9443',
      'wso2_apim_keymanager_9443',
      'wso2_apim_publisher_9443',
    ]);
    for (const [name, args] of Object.entries(sticky)) {
      expect(args).toEqual([
        'learn',
        'create=$upstream_cookie_jsessionid',
        'lookup=$cookie_jsessionid',
        `zone=${name}_sticky:1m`,
      ]);
    }
    expect(walk(conf).some((n) => n.name === 'ip_hash')).toBe(false);
  });

  it('falls back to ip_hash when no method is given and the version has no sticky, with a warning', () => {
    const r = renderConfig(combined3x, { edition: 'oss', nginxVersion: '1.26.3', confPrefix: '/etc/nginx' });
    const ipHash = all(parseConf(r.content), 'upstream').filter((u) => one(u.children, 'ip_hash'));
    expect(ipHash.map((u) => u.args[0])).toEqual(
      planUpstreams(combined3x)
        .filter((u) => u.balancing === 'sticky')
        .map((u) => u.name),
    );
    expect(r.warnings.join('\n')).toMatch(/ip_hash.*1\.29\.6/s);
  });

  it('refuses a sticky cookie that the nginx cannot load', () => {
    expect(() =>
      renderConfig(combined3x, {
        edition: 'oss',
        nginxVersion: '1.29.5',
        sticky: 'sticky-cookie',
        confPrefix: '/x',
      }),
    ).toThrow(/1\.29\.6/);
    expect(() =>
      renderConfig(combined3x, {
        edition: 'plus',
        nginxVersion: '1.25.3',
        sticky: 'sticky-cookie',
        confPrefix: '/x',
      }),
    ).not.toThrow();
  });

  it('writes no sticky directive when only one node sits behind 9443', () => {
    const single = GOLDEN_CASES[0]!.deployment;
    const r = renderConfig(single, NEW);
    expect(r.content).not.toMatch(/^\s*(sticky|ip_hash)\b/m);
    expect(r.content).toContain('# Sticky sessions: not needed');
  });
});

describe('renderConfig: output', () => {
  it('is deterministic', () => {
    const a = renderConfig(combined3x, NEW);
    const b = renderConfig(structuredClone(combined3x), { ...NEW });
    expect(b).toEqual(a);
  });

  it('starts with a header naming the generator, version, pattern and edition', () => {
    const head = renderConfig(combined3x, OLD).content.split('\n').slice(0, 5).join('\n');
    expect(head).toMatch(/Generated by apim-provision/);
    expect(head).toMatch(/Do not edit by hand/);
    expect(head).toMatch(/API Manager 3\.x, pattern distributed/);
    expect(head).toMatch(/NGINX Community \(oss\), written for nginx 1\.22\.1/);
  });

  it('lists every server name once, in file order', () => {
    expect(renderConfig(distributed4x, OLD).serverNames).toEqual([
      'gw.am.wso2.com',
      'gwm.am.wso2.com',
      'cp.am.wso2.com',
      'tm.am.wso2.com',
    ]);
  });

  it('refuses values that would change the configuration', () => {
    const bad = (patch: Partial<Deployment>) => () => renderConfig({ ...combined3x, ...patch }, OLD);
    expect(bad({ hostnames: { ...combined3x.hostnames, store: 'store.example.com; evil' } })).toThrow(
      /hostname store/,
    );
    expect(bad({ tlsPaths: { certificate: '/etc/$x.crt', key: '/k' } })).toThrow(/certificate path/);
    expect(bad({ confFileName: '../nginx.conf' })).toThrow(/plain file name/);
    expect(bad({ nodes: { publisher: [{ name: 'p', address: '10.0.0.1 backup', portOffset: 0 }] } })).toThrow(
      /backend address/,
    );
  });

  it('comments a node name safely even with a newline in it', () => {
    const d = deployment('3.x', 'distributed', {
      publisher: [{ name: 'p1\n}\nserver {', address: '10.0.0.1', portOffset: 0 }],
    });
    expect(() => parseConf(renderConfig(d, OLD).content)).not.toThrow();
  });

  it('warns about HA groups with one node and about roles the layout does not use', () => {
    const d = deployment('4.x', 'distributed', {
      gateway: nodes('g', 3, 1),
      control_plane: nodes('c', 7, 2),
      publisher: nodes('p', 4, 2),
    });
    const w = renderConfig(d, OLD).warnings.join('\n');
    expect(w).toMatch(/apim_gateway has a single node/);
    expect(w).toMatch(/apim_publisher .* not part of the API-M 4\.x distributed layout/);
    const aa = renderConfig(
      deployment('3.x', 'active-active', { all_in_one: nodes('a', 1, 1) }),
      OLD,
    ).warnings;
    expect(aa.join('\n')).toMatch(/single all-in-one node/);
  });

  it('refuses a deployment with nothing to proxy', () => {
    expect(() =>
      renderConfig(deployment('4.x', 'distributed', { publisher: nodes('p', 4, 2) }), OLD),
    ).toThrow(/no nodes this layout proxies to/);
  });
});
