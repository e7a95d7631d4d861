import {
  COMPONENT_ROLES,
  type ApimNode,
  type EditionDecision,
  type LoadBalancer,
  type NginxEdition,
} from '../domain/types.js';
import { planPattern, type ProxyServerPlan, type UpstreamPlan } from '../patterns/index.js';
import type {
  ApimNodeView,
  DeploymentGraph,
  Entrypoint,
  Listener,
  ListenerKind,
  LoadBalancerView,
  NodeProxySetting,
  PoolMethod,
  PoolView,
  RoleGroupView,
} from './model.js';

/** One load balancer and what its configuration is decided from (the inputs `render` uses). */
export interface LoadBalancerInput {
  lb: LoadBalancer;
  /** The edition decision the conf.d file is rendered with. */
  decision: EditionDecision;
  /** The nginx version the file is written for, and whether it was read from the host. */
  nginx: { version: string; known: boolean };
  /** Absolute path of the rendered conf.d file. */
  confPath: string;
}

function stickyMethodOf(u: UpstreamPlan, edition: NginxEdition): PoolMethod {
  switch (u.sticky) {
    case 'sticky-cookie':
      return edition === 'plus' ? 'sticky-plus' : 'sticky-community';
    case 'ip_hash':
      return 'ip-hash-fallback';
    case undefined:
      // decideEdition names a method whenever a pool needs stickiness.
      throw new Error(`upstream ${u.name} is sticky but no sticky method was decided`);
  }
}

function methodOf(u: UpstreamPlan, edition: NginxEdition): PoolMethod {
  switch (u.balancing) {
    case 'sticky':
      return stickyMethodOf(u, edition);
    case 'failover':
      return 'failover';
    case 'round-robin':
      return u.servers.length < 2 ? 'single-node' : 'round-robin';
  }
}

/** What a proxy listener serves: the plan's listener kind, and on a site the WSO2 port behind it. */
function listenerKind(p: ProxyServerPlan, u: UpstreamPlan): ListenerKind {
  switch (p.kind) {
    case 'site':
      return u.port === 9443 ? 'web' : 'api';
    case 'http':
      return 'plain-http';
    case 'websocket':
      return 'websocket';
    case 'websub':
      return 'websub';
    case 'passthrough':
      return 'passthrough';
  }
}

function poolOf(u: UpstreamPlan, edition: NginxEdition): PoolView {
  return {
    upstream: u.name,
    role: u.role,
    wso2Port: u.port,
    scheme: u.scheme,
    method: methodOf(u, edition),
    members: u.servers.map((s) => ({ ...s })),
  };
}

/** Collects hostnames and their ports across load balancers, first use first. */
class Entrypoints {
  readonly #byName = new Map<string, Entrypoint>();

  add(hostname: string, listener: Listener): void {
    let e = this.#byName.get(hostname);
    if (!e) {
      e = { hostname, listeners: [] };
      this.#byName.set(hostname, e);
    }
    if (!e.listeners.some((l) => l.port === listener.port)) e.listeners.push(listener);
  }

  list(): Entrypoint[] {
    return [...this.#byName.values()];
  }
}

/** Collects API-M nodes across load balancers, with every role group they are in. */
class Nodes {
  readonly #byName = new Map<string, ApimNodeView>();

  addAll(lb: LoadBalancer): void {
    for (const role of COMPONENT_ROLES) {
      for (const b of lb.deployment.nodes[role] ?? []) {
        const n = this.#byName.get(b.name);
        if (!n) {
          this.#byName.set(b.name, {
            name: b.name,
            address: b.address,
            portOffset: b.portOffset,
            roles: [role],
          });
        } else if (!n.roles.includes(role)) n.roles.push(role);
      }
    }
  }

  configure(configured: ReadonlyMap<string, NodeProxySetting[]>): void {
    for (const [name, settings] of configured) {
      const n = this.#byName.get(name);
      if (n) n.configured = settings;
    }
  }

  /** Grouped by first role, inventory order within. */
  groups(): RoleGroupView[] {
    const nodes = [...this.#byName.values()];
    return COMPONENT_ROLES.map((role) => ({ role, nodes: nodes.filter((n) => n.roles[0] === role) })).filter(
      (g) => g.nodes.length > 0,
    );
  }
}

function loadBalancerView(input: LoadBalancerInput, entrypoints: Entrypoints): LoadBalancerView {
  const { lb, decision } = input;
  const d = lb.deployment;
  // The plan renderConfig draws the file from: same deployment, same sticky method.
  const plan = planPattern(d, decision.sticky);
  const pools = plan.upstreams.map((u) => poolOf(u, decision.edition));
  const upstreams = new Map(plan.upstreams.map((u) => [u.name, u]));
  const redirects = new Map(plan.redirects.map((r) => [r.hostnameKey, r]));
  for (const p of plan.proxies) {
    const u = upstreams.get(p.upstream);
    if (!u)
      throw new Error(`server ${p.serverName}:${p.listenPort} proxies to unknown upstream ${p.upstream}`);
    entrypoints.add(p.serverName, {
      port: p.listenPort,
      tls: p.tls,
      kind: listenerKind(p, u),
      title: p.title,
    });
    const r = p.listenPort === 443 ? redirects.get(p.hostnameKey) : undefined;
    if (r)
      entrypoints.add(r.serverName, {
        port: 80,
        tls: false,
        kind: 'redirect',
        title: 'redirect to https',
        status: r.status,
      });
  }
  for (const h of plan.httpsOnly)
    entrypoints.add(h.serverName, { port: 80, tls: false, kind: 'refused', title: '403: HTTPS only' });
  return {
    name: lb.host.name,
    address: lb.host.connection.host,
    version: d.version,
    pattern: d.pattern,
    confPath: input.confPath,
    edition: {
      edition: decision.edition,
      choice: lb.editionChoice,
      needsSticky: decision.needsSticky,
      plusLicenceGiven: lb.plusLicence !== undefined,
      nginxVersion: input.nginx.version,
      versionKnown: input.nginx.known,
    },
    pools,
    routes: plan.proxies.flatMap((p) => [
      { hostname: p.serverName, port: p.listenPort, upstream: p.upstream },
      // A context-path prefix to the location's own pool is the same edge; other prefixes get their own.
      ...p.routes
        .filter((r) => r.upstream !== p.upstream)
        .map((r) => ({
          hostname: p.serverName,
          port: p.listenPort,
          upstream: r.upstream,
          path: r.path,
        })),
    ]),
  };
}

/**
 * What the node play sets on each node it configures: the public hostname and proxy port of the
 * node's derived plan (the same derivation the node files are edited from). Nodes left alone
 * (apim_configure_nodes, no connection details) have none.
 */
export function configuredNodes(nodes: readonly ApimNode[]): Map<string, NodeProxySetting[]> {
  const out = new Map<string, NodeProxySetting[]>();
  for (const n of nodes) if (n.plan.proxy) out.set(n.host.name, [n.plan.proxy]);
  return out;
}

/** The picture's model for some load balancers of an inventory (and what their nodes are set to). */
export function buildGraph(
  title: string,
  inputs: readonly LoadBalancerInput[],
  configured: ReadonlyMap<string, NodeProxySetting[]> = new Map(),
): DeploymentGraph {
  const entrypoints = new Entrypoints();
  const nodes = new Nodes();
  const loadBalancers = inputs.map((input) => {
    nodes.addAll(input.lb);
    return loadBalancerView(input, entrypoints);
  });
  nodes.configure(configured);
  return { title, entrypoints: entrypoints.list(), loadBalancers, roleGroups: nodes.groups() };
}
