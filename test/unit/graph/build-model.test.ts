/**
 * The picture and the configuration cannot disagree: for every example inventory, nginx version
 * and licence situation, the graph model says exactly what the rendered conf.d file says (the
 * upstreams, their servers and balancing directives, every server block's hostname, port and
 * upstream, the redirects, the edition).
 */
import { describe, expect, it } from 'vitest';
import { offlineGraph } from '../../../src/cli/commands/graph.js';
import { renderFor } from '../../../src/cli/commands/render.js';
import type { LoadBalancer } from '../../../src/domain/types.js';
import { buildGraph, type DeploymentGraph, type PoolMethod } from '../../../src/graph/index.js';
import { all, one, parseConf, servers, type ParsedDirective } from '../patterns/conf-parse.js';
import { EXAMPLE_INVENTORIES, loadExample, nodesOf } from './support.js';

const VERSIONS = ['1.22.1', '1.30.0'];
const LICENCE = { repoCertificateFile: '/licence/nginx-repo.crt', repoKeyFile: '/licence/nginx-repo.key' };

function withLicence(lb: LoadBalancer): LoadBalancer {
  return { ...lb, plusLicence: { ...LICENCE, keepRepoCredentials: false } };
}

/** What the rendered file says, in the terms the model uses. */
function configFacts(lb: LoadBalancer, nginxVersion: string) {
  const { rendered } = renderFor(lb, nginxVersion);
  const conf = parseConf(rendered.content);
  const upstreams = all(conf, 'upstream').map((u) => ({
    name: u.args[0],
    balancing: (u.children ?? [])
      .filter((d) => d.name === 'ip_hash' || d.name === 'sticky')
      .map((d) => d.name)
      .join(),
    // Passive-health parameters tune a member; they do not change who is in the pool.
    servers: all(u.children ?? [], 'server').map((s) =>
      s.args.filter((a) => !/^(max_fails|fail_timeout)=/.test(a)).join(' '),
    ),
  }));
  const upstreamOf = (location: ParsedDirective) =>
    one(location.children, 'proxy_pass')
      ?.args[0]?.replace(/^https?:\/\//, '')
      .replace(/\/$/, '');
  // Public names only: the 421 catch-all and the localhost status endpoint are no hostname of the picture.
  const blocks = servers(conf)
    .filter((s) => !s.names.some((n) => n.endsWith('.invalid')) && !s.ports.some((p) => p.startsWith('127.')))
    .map((s) => {
      const locations = all(s.body, 'location').filter((l) => upstreamOf(l) !== undefined);
      const root = locations.find((l) => l.args.join(' ') === '/');
      return {
        hostname: s.names.join(' '),
        port: Number(s.ports.find((p) => !p.includes(':'))),
        upstream: root ? upstreamOf(root) : undefined,
        // Prefixes with a pool of their own; a context-path prefix to the same pool is the same edge.
        paths: locations
          .filter((l) => l !== root && upstreamOf(l) !== (root ? upstreamOf(root) : undefined))
          .map((l) => ({ path: l.args.join(' '), upstream: upstreamOf(l) })),
        answer: one(s.body, 'return')?.args.join(' '),
      };
    });
  const edition = /^# (NGINX Plus|NGINX Community) \((plus|oss)\)/m.exec(rendered.content)?.[2];
  return { upstreams, blocks, edition, path: rendered.path };
}

/** The directive a pool method stands for in the file. */
const DIRECTIVE: Record<PoolMethod, string> = {
  'sticky-plus': 'sticky',
  'sticky-community': 'sticky',
  'ip-hash-fallback': 'ip_hash',
  failover: '',
  'round-robin': '',
  'single-node': '',
};

function expectAgrees(graph: DeploymentGraph, lbs: LoadBalancer[], nginxVersion: string): void {
  expect(graph.loadBalancers.map((v) => v.name)).toEqual(lbs.map((lb) => lb.host.name));
  lbs.forEach((lb, i) => {
    const view = graph.loadBalancers[i]!;
    const facts = configFacts(lb, nginxVersion);
    expect(view.edition.edition).toBe(facts.edition);
    expect(view.confPath).toBe(facts.path);
    expect(
      view.pools.map((p) => ({
        name: p.upstream,
        balancing: DIRECTIVE[p.method],
        servers: p.members.map((m) => `${m.address}:${m.port}${m.backup ? ' backup' : ''}`),
      })),
    ).toEqual(facts.upstreams);
    // Plus or Community sticky is the same directive; which one the picture names follows the edition.
    for (const p of view.pools.filter((x) => x.method.startsWith('sticky-'))) {
      expect(p.method).toBe(view.edition.edition === 'plus' ? 'sticky-plus' : 'sticky-community');
    }
    for (const p of view.pools.filter((x) => x.method === 'failover')) {
      expect(p.members.slice(1).every((m) => m.backup) && !p.members[0]!.backup).toBe(true);
    }
    const proxied = facts.blocks.filter((b) => b.upstream !== undefined);
    expect(
      view.routes.map((r) => ({ hostname: r.hostname, port: r.port, upstream: r.upstream, path: r.path })),
    ).toEqual(
      proxied.flatMap((b) => [
        { hostname: b.hostname, port: b.port, upstream: b.upstream, path: undefined },
        ...b.paths.map((x) => ({ hostname: b.hostname, port: b.port, upstream: x.upstream, path: x.path })),
      ]),
    );
    // Every server block is a port of a hostname in the picture; every redirect is drawn as one.
    for (const b of facts.blocks) {
      const listener = graph.entrypoints
        .find((e) => e.hostname === b.hostname)
        ?.listeners.find((l) => l.port === b.port);
      expect(listener, `${b.hostname}:${b.port}`).toBeDefined();
      const redirect = /^(30[18]) https:\/\/\$host\$request_uri$/.exec(b.answer ?? '');
      expect(listener?.kind === 'redirect').toBe(redirect !== null);
      if (redirect) expect(listener?.status).toBe(Number(redirect[1]));
      expect(listener?.kind === 'refused').toBe(b.upstream === undefined && b.answer === '403');
    }
  });
}

describe('graph model = rendered configuration', () => {
  const cases = EXAMPLE_INVENTORIES.flatMap((path) =>
    VERSIONS.flatMap((version) => [
      [path, version, 'no licence'] as const,
      [path, version, 'Plus licence'] as const,
    ]),
  );

  it.each(cases)('%s, nginx %s, %s', (path, version, licence) => {
    const inventory = loadExample(path);
    const lbs = inventory.loadBalancers.map((lb) => (licence === 'Plus licence' ? withLicence(lb) : lb));
    const { graph } = offlineGraph(path, lbs, version);
    expectAgrees(graph, lbs, version);
    // Every API-M node of the inventory is drawn, once.
    const nodes = lbs.flatMap((lb) =>
      Object.values(lb.deployment.nodes)
        .flat()
        .map((b) => b.name),
    );
    expect(
      nodesOf(graph)
        .map((n) => n.name)
        .sort(),
    ).toEqual([...new Set(nodes)].sort());
  });

  it('names the balancing method the edition and version lead to', () => {
    const [lb] = loadExample('inventories/active-active.yml').loadBalancers;
    const methodOf = (l: LoadBalancer, version: string) =>
      offlineGraph('t', [l], version).graph.loadBalancers[0]!.pools.map((p) => `${p.upstream}=${p.method}`);
    expect(methodOf(lb!, '1.22.1')).toEqual([
      'wso2_apim_all_in_one_9443=ip-hash-fallback',
      'wso2_apim_all_in_one_8243=round-robin',
      'wso2_apim_all_in_one_8099=round-robin',
      'wso2_apim_all_in_one_9099=round-robin',
    ]);
    expect(methodOf(lb!, '1.30.0')[0]).toBe('wso2_apim_all_in_one_9443=sticky-community');
    expect(methodOf(withLicence(lb!), '1.22.1')[0]).toBe('wso2_apim_all_in_one_9443=sticky-plus');
    const single = loadExample('inventories/single-node.yml').loadBalancers;
    expect(methodOf(single[0]!, '1.22.1')).toEqual([
      'wso2_apim_all_in_one_9443=single-node',
      'wso2_apim_all_in_one_8243=single-node',
    ]);
    const tm = offlineGraph('t', loadExample('inventories/distributed-4x.yml').loadBalancers, '1.22.1');
    expect(tm.graph.loadBalancers[0]!.pools.find((p) => p.role === 'traffic_manager')?.method).toBe(
      'failover',
    );
  });

  it('keeps the edition facts the labels explain (choice, need, licence, version assumed)', () => {
    const [lb] = loadExample('inventories/active-active.yml').loadBalancers;
    const view = offlineGraph('t', [withLicence(lb!)], '1.22.1').graph.loadBalancers[0]!;
    expect(view.edition).toEqual({
      edition: 'plus',
      choice: 'auto',
      needsSticky: true,
      plusLicenceGiven: true,
      nginxVersion: '1.22.1',
      versionKnown: false,
    });
    expect(view.address).toBe('198.51.100.10');
  });

  it('draws a hostname served by two load balancers once, with a route from each', () => {
    const inventory = loadExample('inventories/with-group-vars/inventory.yml');
    const { graph } = offlineGraph('t', inventory.loadBalancers, '1.22.1');
    expect(graph.entrypoints.map((e) => e.hostname)).toEqual(['api.am.example.com', 'gw.am.example.com']);
    expect(
      graph.loadBalancers.map((lb) => lb.routes.filter((r) => r.hostname === 'api.am.example.com').length),
    ).toEqual([1, 1]);
    expect(graph.entrypoints[1]!.listeners.map((l) => `${l.port}:${l.kind}`)).toEqual([
      '443:api',
      '8099:websocket',
      '9099:websocket',
      // single-node: the docs serve API calls over HTTPS only, so port 80 refuses them.
      '80:refused',
    ]);
  });

  it('lists every role group of a node that is in several', () => {
    const [lb] = loadExample('inventories/ha-gateway.yml').loadBalancers;
    const gateway = lb!.deployment.nodes.gateway![0]!;
    const twice: LoadBalancer = {
      ...lb!,
      deployment: {
        ...lb!.deployment,
        nodes: { ...lb!.deployment.nodes, gateway_manager: [gateway] },
      },
    };
    const { decision, rendered } = renderFor(twice, '1.22.1');
    const graph = buildGraph('t', [
      { lb: twice, decision, nginx: { version: '1.22.1', known: true }, confPath: rendered.path },
    ]);
    expect(nodesOf(graph).find((n) => n.name === gateway.name)?.roles).toEqual([
      'gateway',
      'gateway_manager',
    ]);
    expect(nodesOf(graph).filter((n) => n.name === gateway.name)).toHaveLength(1);
    expect(graph.loadBalancers[0]!.edition.versionKnown).toBe(true);
  });
});

describe('what the node play sets on each node', () => {
  it('shows the public hostname and proxy port of every node the node play configures, none on nodes left alone', () => {
    const inventory = loadExample('inventories/with-group-vars/inventory.yml');
    const { graph } = offlineGraph('t', inventory.loadBalancers, '1.22.1', inventory.apimNodes);
    const nodes = graph.roleGroups.flatMap((g) => g.nodes);
    expect(nodes.map((n) => [n.name, n.configured])).toEqual([
      ['apim1', [{ hostname: 'api.am.example.com', proxyPort: 443 }]],
      ['apim2', [{ hostname: 'api.am.example.com', proxyPort: 443 }]],
    ]);
    // The same setting the node's deployment.toml gets (one derivation).
    const plan = inventory.apimNodes.find((n) => n.host.name === 'apim1')!.plan;
    expect(plan.proxy).toEqual({ hostname: 'api.am.example.com', proxyPort: 443 });
    const alone = offlineGraph('t', inventory.loadBalancers, '1.22.1', []).graph;
    expect(alone.roleGroups.flatMap((g) => g.nodes).every((n) => n.configured === undefined)).toBe(true);
  });
});
