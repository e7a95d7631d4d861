import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../src/domain/types.js';
import { deriveNodeSettings, settingKeyLabel, type NodeConfigPlan } from '../../../src/nodes/index.js';
import { planPattern } from '../../../src/patterns/index.js';
import { deployment, nodes } from '../../golden/cases.js';

const derive = (d: Deployment, lb = 'lb1') =>
  deriveNodeSettings([{ name: lb, deployment: d, plan: planPattern(d) }]);

/** file -> "label = value" lines, for readable expectations. */
function table(plan: NodeConfigPlan | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of plan?.files ?? [])
    out[f.path] = f.settings.map((s) => `${settingKeyLabel(s.key)} = ${JSON.stringify(s.value)}`);
  return out;
}

const node = (r: ReturnType<typeof derive>, name: string) => r.nodes.find((n) => n.node === name);
/** A node's deployment.toml settings as "label = value" lines. */
const tomlOf = (r: ReturnType<typeof derive>, name: string): string[] =>
  table(node(r, name))['repository/conf/deployment.toml'] ?? [];

describe('deriveNodeSettings: single node and active-active', () => {
  it('3.x single node: hostname and proxy ports, gateway URLs on what the load balancer exposes, devportal URL', () => {
    const r = derive(
      deployment('3.x', 'single-node', { all_in_one: nodes('apim', 1, 1) }, { websocket: true }),
    );
    const apim1 = node(r, 'apim1');
    expect(apim1?.proxy).toEqual({ hostname: 'api.am.wso2.com', proxyPort: 443 });
    expect(apim1?.servedBy).toEqual(['api', 'gw']);
    expect(table(apim1)).toEqual({
      'repository/conf/deployment.toml': [
        '[server] hostname = "api.am.wso2.com"',
        '[transport.https.properties] proxyPort = 443',
        '[transport.http.properties] proxyPort = 80',
        '[[apim.gateway.environment]] (first) http_endpoint = "http://gw.am.wso2.com"',
        '[[apim.gateway.environment]] (first) https_endpoint = "https://gw.am.wso2.com"',
        '[[apim.gateway.environment]] (first) ws_endpoint = "ws://gw.am.wso2.com:9099"',
        '[[apim.gateway.environment]] (first) wss_endpoint = "wss://gw.am.wso2.com:8099"',
        '[apim.devportal] url = "https://api.am.wso2.com/devportal"',
      ],
    });
    expect(apim1?.warnings).toEqual([]);
    expect(apim1?.truststore).toEqual({
      path: 'repository/resources/security/client-truststore.jks',
      alias: 'apim-provision-lb-ca',
    });
  });

  it('4.x active-active: both nodes get the same public names, websub URLs, and a warning without WebSocket listeners', () => {
    const r = derive(deployment('4.x', 'active-active', { all_in_one: nodes('apim', 1, 2, [0, 1]) }));
    expect(r.nodes.map((n) => n.node)).toEqual(['apim1', 'apim2']);
    expect(table(node(r, 'apim1'))).toEqual(table(node(r, 'apim2')));
    expect(table(node(r, 'apim1'))['repository/conf/deployment.toml']).toEqual(
      expect.arrayContaining([
        '[[apim.gateway.environment]] (first) websub_event_receiver_http_endpoint = "http://gw.am.wso2.com:9021"',
        '[[apim.gateway.environment]] (first) websub_event_receiver_https_endpoint = "https://gw.am.wso2.com:8021"',
      ]),
    );
    // All-in-one nodes publish to their own gateway: service_url stays localhost (AA step 6).
    expect(JSON.stringify(table(node(r, 'apim1')))).not.toContain('service_url');
    expect(node(r, 'apim1')?.warnings).toEqual([
      'the load balancer has no WebSocket listeners (apim_websocket is false): ws://gw.am.wso2.com:9099 and wss://gw.am.wso2.com:8099 are advertised but not served',
    ]);
  });
});

describe('deriveNodeSettings: 3.x distributed', () => {
  const d = deployment('3.x', 'distributed', {
    gateway_manager: nodes('gwm', 2, 1),
    gateway: nodes('gw', 3, 2),
    publisher: nodes('pub', 4, 2),
    devportal: nodes('store', 5, 2),
    keymanager: nodes('km', 6, 2),
  });
  const r = derive(d);

  it('names each node after the host that fronts its servlet port, gateway workers after gw', () => {
    expect(r.nodes.map((n) => [n.node, n.proxy?.hostname])).toEqual([
      ['gw1', 'gw.am.wso2.com'],
      ['gw2', 'gw.am.wso2.com'],
      ['gwm1', 'mgtgw.am.wso2.com'],
      ['pub1', 'publisher.am.wso2.com'],
      ['pub2', 'publisher.am.wso2.com'],
      ['store1', 'store.am.wso2.com'],
      ['store2', 'store.am.wso2.com'],
      ['km1', 'km.am.wso2.com'],
      ['km2', 'km.am.wso2.com'],
    ]);
  });

  it('routes the Publisher to the gateway manager, and gateways and portals to the Key Manager, through their names', () => {
    const toml = (n: string) => tomlOf(r, n);
    expect(toml('pub1')).toEqual(
      expect.arrayContaining([
        '[[apim.gateway.environment]] (first) service_url = "https://mgtgw.am.wso2.com/services/"',
        '[apim.devportal] url = "https://store.am.wso2.com/devportal"',
      ]),
    );
    expect(toml('gw1')).toContain('[apim.key_manager] service_url = "https://km.am.wso2.com/services/"');
    expect(toml('store1')).toEqual(
      expect.arrayContaining([
        '[apim.key_manager] service_url = "https://km.am.wso2.com/services/"',
        '[apim.oauth_config] revoke_endpoint = "https://km.am.wso2.com/oauth2/revoke"',
        '[[apim.gateway.environment]] (first) https_endpoint = "https://gw.am.wso2.com"',
      ]),
    );
    expect(toml('store1').some((l) => l.includes('service_url = "https://mgtgw'))).toBe(false);
    expect(toml('km1')).toEqual([
      '[server] hostname = "km.am.wso2.com"',
      '[transport.https.properties] proxyPort = 443',
      '[transport.http.properties] proxyPort = 80',
    ]);
  });

  it('routes gateways (manager and workers) to the Traffic Manager through its name (DIST-3), nothing else', () => {
    const r2 = derive(
      deployment('3.x', 'distributed', {
        gateway_manager: nodes('gwm', 2, 1),
        gateway: nodes('gw', 3, 1),
        keymanager: nodes('km', 6, 1),
        traffic_manager: nodes('tm', 7, 1),
      }),
    );
    for (const gw of ['gwm1', 'gw1'])
      expect(tomlOf(r2, gw)).toEqual(
        expect.arrayContaining([
          '[apim.key_manager] service_url = "https://km.am.wso2.com/services/"',
          '[apim.throttling] service_url = "https://tm.am.wso2.com/services/"',
        ]),
      );
    for (const n of ['km1', 'tm1'])
      expect(
        tomlOf(r2, n).some((l) => l.includes('service_url')),
        n,
      ).toBe(false);
    // Without a traffic manager group nothing is guessed.
    expect(tomlOf(r, 'gw1').some((l) => l.includes('throttling'))).toBe(false);
  });
});

describe('deriveNodeSettings: 4.x distributed', () => {
  const d = deployment('4.x', 'distributed', {
    gateway: nodes('gw', 1, 2),
    gateway_manager: nodes('gw', 1, 2),
    control_plane: nodes('cp', 2, 2),
    traffic_manager: nodes('tm', 3, 2),
  });
  const r = derive(d);
  const toml = (n: string) => tomlOf(r, n);

  it('gives a node that is in two role groups one plan, named after the host fronting its 9443', () => {
    expect(r.nodes.map((n) => n.node)).toEqual(['gw1', 'gw2', 'cp1', 'cp2', 'tm1', 'tm2']);
    expect(node(r, 'gw1')?.roles).toEqual(['gateway', 'gateway_manager']);
    expect(node(r, 'gw1')?.proxy?.hostname).toBe('gwm.am.wso2.com');
    expect(node(r, 'gw1')?.servedBy).toEqual(['gw', 'mgtgw']);
  });

  it('points gateways at the control plane and traffic manager names, the control plane at gwm for deployment', () => {
    expect(toml('gw1')).toEqual(
      expect.arrayContaining([
        '[apim.key_manager] service_url = "https://cp.am.wso2.com/services/"',
        '[apim.event_hub] service_url = "https://cp.am.wso2.com/services/"',
        '[apim.throttling] service_url = "https://tm.am.wso2.com/services/"',
      ]),
    );
    expect(toml('tm1')).toContain('[apim.event_hub] service_url = "https://cp.am.wso2.com/services/"');
    expect(toml('cp1')).toEqual(
      expect.arrayContaining([
        '[server] hostname = "cp.am.wso2.com"',
        '[[apim.gateway.environment]] (first) service_url = "https://gwm.am.wso2.com/services/"',
        '[apim.devportal] url = "https://cp.am.wso2.com/devportal"',
        '[[event_listener]] (id = "token_revocation") [properties] notification_endpoint = "https://cp.am.wso2.com/internal/data/v1/notify"',
      ]),
    );
  });

  it('without a traffic manager group, throttling goes to the control plane', () => {
    const r2 = derive(
      deployment('4.x', 'distributed', { gateway: nodes('gw', 1, 2), control_plane: nodes('cp', 2, 2) }),
    );
    expect(table(node(r2, 'gw1'))['repository/conf/deployment.toml']).toContain(
      '[apim.throttling] service_url = "https://cp.am.wso2.com/services/"',
    );
  });
});

describe('deriveNodeSettings: 4.x with a separate Key Manager (DIST-4-KM)', () => {
  const r = derive(
    deployment('4.x', 'distributed', {
      gateway: nodes('gw', 1, 1),
      control_plane: nodes('cp', 2, 1),
      keymanager: nodes('km', 3, 1),
    }),
  );
  const toml = (n: string) => tomlOf(r, n);

  it('points gateways and the control plane at the Key Manager name, the Key Manager at the control plane event hub', () => {
    for (const n of ['gw1', 'cp1'])
      expect(toml(n), n).toContain('[apim.key_manager] service_url = "https://km.am.wso2.com/services/"');
    expect(toml('gw1')).toContain('[apim.event_hub] service_url = "https://cp.am.wso2.com/services/"');
    expect(toml('km1')).toEqual([
      '[server] hostname = "km.am.wso2.com"',
      '[transport.https.properties] proxyPort = 443',
      '[transport.http.properties] proxyPort = 80',
      '[apim.event_hub] service_url = "https://cp.am.wso2.com/services/"',
    ]);
  });
});

describe('deriveNodeSettings: 2.6', () => {
  it('writes carbon.xml, catalina-server.xml, api-manager.xml and the portals site.json per role', () => {
    const r = derive(
      deployment('2.6', 'distributed', {
        gateway: nodes('gw', 1, 2),
        publisher: nodes('pub', 2, 1),
        devportal: nodes('store', 3, 1),
        keymanager: nodes('km', 4, 1),
      }),
    );
    expect(Object.keys(table(node(r, 'pub1')))).toEqual([
      'repository/conf/carbon.xml',
      'repository/conf/tomcat/catalina-server.xml',
      'repository/conf/api-manager.xml',
      'repository/deployment/server/jaggeryapps/publisher/site/conf/site.json',
      'repository/deployment/server/jaggeryapps/admin/site/conf/site.json',
    ]);
    expect(
      table(node(r, 'store1'))['repository/deployment/server/jaggeryapps/store/site/conf/site.json'],
    ).toEqual([
      'reverseProxy.enabled = true',
      'reverseProxy.host = "store.am.wso2.com"',
      'reverseProxy.context = "/store"',
    ]);
    expect(table(node(r, 'gw1'))).toEqual({
      'repository/conf/carbon.xml': [
        'Server/HostName = "gw.am.wso2.com"',
        'Server/MgtHostName = "gw.am.wso2.com"',
      ],
      'repository/conf/tomcat/catalina-server.xml': [
        'Server/Service/Connector[@port="9443"]/@proxyPort = "443"',
        'Server/Service/Connector[@port="9763"]/@proxyPort = "80"',
      ],
      'repository/conf/api-manager.xml': [
        'APIManager/APIKeyValidator/ServerURL = "https://km.am.wso2.com/services/"',
      ],
    });
    expect(
      r.nodes
        .flatMap((n) => n.files)
        .filter((f) => f.path.endsWith('site.json'))
        .every((f) => f.optional),
    ).toBe(true);
  });
});

describe('deriveNodeSettings across load balancers', () => {
  it('joins an HA pair of load balancers with the same plan', () => {
    const d = deployment('3.x', 'active-active', { all_in_one: nodes('apim', 1, 2) });
    const r = deriveNodeSettings([
      { name: 'lb1', deployment: d, plan: planPattern(d) },
      { name: 'lb2', deployment: d, plan: planPattern(d) },
    ]);
    expect(r.conflicts).toEqual([]);
    expect(node(r, 'apim1')?.loadBalancers).toEqual(['lb1', 'lb2']);
    expect(table(node(r, 'apim1'))).toEqual(table(derive(d).nodes[0]));
  });

  it('reports two load balancers that need different values on one node', () => {
    const a = deployment('3.x', 'single-node', { all_in_one: nodes('apim', 1, 1) });
    const b: Deployment = { ...a, hostnames: { ...a.hostnames, api: 'portal.example.com' } };
    const r = deriveNodeSettings([
      { name: 'lb1', deployment: a, plan: planPattern(a) },
      { name: 'lb2', deployment: b, plan: planPattern(b) },
    ]);
    expect(r.conflicts[0]).toMatch(
      /^apim1: load balancers lb1 and lb2 need different values for repository\/conf\/deployment.toml \[server\] hostname \("api.am.wso2.com" and "portal.example.com"\)/,
    );
  });

  it('gives load balancers sharing one deployment object what equal copies of it give', () => {
    const d = deployment('3.x', 'distributed', {
      publisher: nodes('pub', 1, 1),
      all_in_one: nodes('aio', 2, 1),
    });
    const plan = planPattern(d);
    const names = ['lb1', 'lb2', 'lb3'];
    const shared = deriveNodeSettings(names.map((name) => ({ name, deployment: d, plan })));
    const copies = deriveNodeSettings(
      names.map((name) => {
        const copy = structuredClone(d);
        return { name, deployment: copy, plan: planPattern(copy) };
      }),
    );
    expect(shared).toEqual(copies);
    expect(node(shared, 'pub1')?.loadBalancers).toEqual(names);
    expect(node(shared, 'aio1')?.warnings).toEqual(
      names.map((n) => `no server block of load balancer ${n} reaches aio1: its files are left as they are`),
    );
  });

  it('leaves a node no server block reaches alone, and says so', () => {
    const d = deployment('3.x', 'distributed', {
      publisher: nodes('pub', 1, 1),
      all_in_one: nodes('aio', 2, 1),
    });
    const aio = node(derive(d), 'aio1');
    expect(aio?.files).toEqual([]);
    expect(aio?.warnings).toEqual([
      'no server block of load balancer lb1 reaches aio1: its files are left as they are',
    ]);
  });
});
