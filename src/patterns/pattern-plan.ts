import type {
  ApimVersion,
  Backend,
  ComponentRole,
  Deployment,
  HostnameKey,
  PatternName,
  StickyMethod,
} from '../domain/types.js';
import {
  BROWSER_FACING,
  layoutFor,
  type Affinity,
  type Layout,
  type Site,
  type Wso2Port,
} from './layouts.js';

export type { Wso2Port } from './layouts.js';

/**
 * How an upstream spreads requests. `sticky`: 9443 sessions (portals, consoles) with several nodes;
 * `failover`: first node serves, the others are `backup`; `round-robin`: everything else, including
 * every API port (8243, 8280, 8099, 9099, 8021, 9021) and single-node upstreams.
 */
export type Balancing = 'round-robin' | 'sticky' | 'failover';

export interface UpstreamServer {
  /** Inventory host name of the node. */
  node: string;
  address: string;
  /** WSO2 port + the node's offset. */
  port: number;
  backup: boolean;
}

export interface UpstreamPlan {
  name: string;
  role: ComponentRole;
  port: Wso2Port;
  scheme: 'https' | 'http';
  balancing: Balancing;
  /** How stickiness is realised; only on `sticky` upstreams, and only when a method was given. */
  sticky?: StickyMethod;
  /** Shared-memory zone of `sticky learn`, unique per upstream (the docs' shared name breaks nginx). */
  stickyZone?: string;
  servers: UpstreamServer[];
}

/** A path prefix of a server with its own upstream. */
export interface RoutePlan {
  /** Location prefix, e.g. `/services/` or `/apim/`. */
  path: string;
  upstream: string;
  upstreamScheme: 'https' | 'http';
  /** The prefix is removed before proxying (a custom proxy context path), with the docs' proxy_redirect lines. */
  stripPrefix: boolean;
}

/** What a listener carries: decides its idle timeout and comments. */
export type ListenerKind = 'site' | 'websocket' | 'passthrough' | 'websub' | 'http';

/** One `server` block that proxies. */
export interface ProxyServerPlan {
  hostnameKey: HostnameKey;
  serverName: string;
  /** What the block serves, for comments. */
  title: string;
  listenPort: number;
  tls: boolean;
  /** HTTP/2 is offered only where WebSocket upgrades are not expected on their own port. */
  http2: boolean;
  kind: ListenerKind;
  /** The upstream of `location /`. */
  upstream: string;
  upstreamScheme: 'https' | 'http';
  /** Further path prefixes with their own upstream (or the same one, under a context path). */
  routes: RoutePlan[];
  /** Log folder relative to `<prefix>/log/`, e.g. `store/https`. */
  logDir: string;
  /** Browser-facing portal name (HSTS by default). */
  portal: boolean;
}

/** A port-80 block that sends clients to HTTPS. */
export interface RedirectServerPlan {
  hostnameKey: HostnameKey;
  serverName: string;
  logDir: string;
  /** 301 for browser names (the docs); 308 for the gateway name, which keeps the method and body. */
  status: 301 | 308;
}

/** A port-80 block that refuses plain HTTP (names the docs serve over HTTPS only). */
export interface HttpsOnlyServerPlan {
  hostnameKey: HostnameKey;
  serverName: string;
  logDir: string;
}

export interface PatternPlan {
  upstreams: UpstreamPlan[];
  proxies: ProxyServerPlan[];
  redirects: RedirectServerPlan[];
  httpsOnly: HttpsOnlyServerPlan[];
  /** Things about the inventory's shape the user should know. */
  warnings: string[];
}

const ROLE_TITLES: Record<ComponentRole, string> = {
  all_in_one: 'all-in-one',
  gateway: 'Gateway',
  gateway_manager: 'Gateway Manager',
  publisher: 'Publisher',
  devportal: 'Developer Portal (Store)',
  keymanager: 'Key Manager',
  control_plane: 'Control Plane',
  traffic_manager: 'Traffic Manager',
};

export function roleTitle(role: ComponentRole): string {
  return ROLE_TITLES[role];
}

export function upstreamName(role: ComponentRole, port: Wso2Port): string {
  return `wso2_apim_${role}_${port}`;
}

function balancingFor(affinity: Affinity, nodeCount: number): Balancing {
  if (nodeCount < 2) return 'round-robin';
  if (affinity === 'session') return 'sticky';
  return affinity;
}

function buildUpstream(
  nodes: Backend[],
  role: ComponentRole,
  port: Wso2Port,
  affinity: Affinity,
  sticky: StickyMethod | undefined,
): UpstreamPlan {
  const name = upstreamName(role, port);
  const balancing = balancingFor(affinity, nodes.length);
  const plan: UpstreamPlan = {
    name,
    role,
    port,
    scheme: port === 8280 || port === 9099 || port === 9021 ? 'http' : 'https',
    balancing,
    servers: nodes.map((n, i) => ({
      node: n.name,
      address: n.address,
      port: port + n.portOffset,
      backup: balancing === 'failover' && i > 0,
    })),
  };
  if (balancing === 'sticky' && sticky) {
    plan.sticky = sticky;
    if (sticky === 'sticky-cookie') plan.stickyZone = `${name}_sticky`;
  }
  return plan;
}

function shapeWarnings(d: Deployment, layout: Layout): string[] {
  const warnings: string[] = [];
  const count = (role: ComponentRole): number => d.nodes[role]?.length ?? 0;
  const aio = count('all_in_one');
  if (d.pattern === 'active-active' && aio === 1) {
    warnings.push(
      'Pattern active-active lists a single all-in-one node: there is nothing to balance or fail over to. Add a second node to apim_all_in_one, or use pattern single-node.',
    );
  }
  if (d.pattern === 'single-node' && aio > 1) {
    warnings.push(
      `Pattern single-node lists ${aio} all-in-one nodes: all of them are balanced, as in active-active. Set the pattern to active-active to say so.`,
    );
  }
  for (const role of layout.haRoles) {
    if (count(role) === 1 && layout.sites.some((s) => s.role === role)) {
      warnings.push(
        `apim_${role} has a single node (${d.nodes[role]?.[0]?.name ?? ''}): the ${roleTitle(role)} upstream has nothing to fail over to.`,
      );
    }
  }
  for (const role of Object.keys(d.nodes) as ComponentRole[]) {
    if (count(role) > 0 && !layout.usedRoles.includes(role)) {
      warnings.push(
        `apim_${role} (${count(role)} node(s)) is not part of the API-M ${d.version} ${d.pattern} layout: no server block proxies to it.`,
      );
    }
  }
  if (
    d.pattern === 'distributed' &&
    d.version !== '4.x' &&
    count('gateway') > 1 &&
    !count('gateway_manager')
  ) {
    warnings.push(
      `apim_gateway has ${count('gateway')} nodes and there is no apim_gateway_manager: they are taken as a shared-file-system Gateway cluster (every node a manager), ` +
        `so https://${d.hostnames.gw}/services/ (the Publisher's gateway service_url) reaches their 9443 with sticky sessions. ` +
        'Gateways that synchronise with rsync need their manager listed in apim_gateway_manager instead.',
    );
  }
  return warnings;
}

/**
 * The gateway name's other listeners, each on its WSO2 port. WebSocket upgrades need HTTP/1.1:
 * no HTTP/2 on those.
 */
const GATEWAY_LISTENERS: {
  extra: 'websocket' | 'passthrough' | 'websub';
  port: Wso2Port;
  tls: boolean;
  http2: boolean;
  logFolder: string;
  title: string;
}[] = [
  {
    extra: 'websocket',
    port: 8099,
    tls: true,
    http2: false,
    logFolder: 'wss',
    title: 'WebSocket (wss) API calls',
  },
  {
    extra: 'websocket',
    port: 9099,
    tls: false,
    http2: false,
    logFolder: 'ws',
    title: 'WebSocket (ws) API calls',
  },
  {
    extra: 'passthrough',
    port: 8243,
    tls: true,
    http2: true,
    logFolder: 'passthrough-https',
    title: 'API calls on 8243',
  },
  {
    extra: 'passthrough',
    port: 8280,
    tls: false,
    http2: false,
    logFolder: 'passthrough-http',
    title: 'API calls on 8280',
  },
  {
    extra: 'websub',
    port: 8021,
    tls: true,
    http2: true,
    logFolder: 'websub-https',
    title: 'WebSub event receiver (https)',
  },
  {
    extra: 'websub',
    port: 9021,
    tls: false,
    http2: false,
    logFolder: 'websub-http',
    title: 'WebSub event receiver (http)',
  },
];

/** The site's port-80 block: browser names redirect (301); the gateway name per gatewayHttp. */
function port80(
  d: Deployment,
  site: Site,
  logDir: string,
): { redirect?: RedirectServerPlan; httpsOnly?: HttpsOnlyServerPlan } {
  const base = { hostnameKey: site.key, serverName: d.hostnames[site.key], logDir };
  if (site.key !== 'gw') return { redirect: { ...base, status: 301 } };
  if (d.gatewayHttp === 'redirect') return { redirect: { ...base, status: 308 } };
  if (d.gatewayHttp === 'refuse') return { httpsOnly: base };
  return {};
}

/**
 * The load balancer's shape for a deployment: upstreams (first-use order, each once), proxy server
 * blocks with their routes, port-80 redirects and refusals. `sticky` fills in how sticky
 * upstreams are realised.
 */
export function planPattern(d: Deployment, sticky?: StickyMethod): PatternPlan {
  const layout = layoutFor(d);
  if (layout.sites.length === 0) {
    throw new Error(
      `API-M ${d.version} ${d.pattern}: the inventory has no nodes this layout proxies to (expected ${layout.usedRoles.map((r) => `apim_${r}`).join(', ')})`,
    );
  }
  const upstreams = new Map<string, UpstreamPlan>();
  const use = (role: ComponentRole, port: Wso2Port, affinity: Affinity): UpstreamPlan => {
    const name = upstreamName(role, port);
    let u = upstreams.get(name);
    if (!u) {
      u = buildUpstream(d.nodes[role] ?? [], role, port, affinity, sticky);
      upstreams.set(name, u);
    }
    return u;
  };
  const proxies: ProxyServerPlan[] = [];
  const redirects: RedirectServerPlan[] = [];
  const httpsOnly: HttpsOnlyServerPlan[] = [];
  const route = (path: string, u: UpstreamPlan, stripPrefix = false): RoutePlan => ({
    path,
    upstream: u.name,
    upstreamScheme: u.scheme,
    stripPrefix,
  });
  const proxy = (
    site: Site,
    listen: { port: number; tls: boolean; http2: boolean; kind: ListenerKind },
    u: UpstreamPlan,
    logDir: string,
    title: string,
    routes: RoutePlan[] = [],
  ): void => {
    proxies.push({
      hostnameKey: site.key,
      serverName: d.hostnames[site.key],
      title,
      listenPort: listen.port,
      tls: listen.tls,
      http2: listen.http2,
      kind: listen.kind,
      upstream: u.name,
      upstreamScheme: u.scheme,
      routes,
      logDir,
      portal: BROWSER_FACING.includes(site.key),
    });
  };
  const https = { port: 443, tls: true, http2: true, kind: 'site' as const };

  for (const site of layout.sites) {
    const u = use(site.role, site.port, site.affinity);
    const routes: RoutePlan[] = [];
    if (site.key === 'gw' && layout.gatewayServices) {
      const { role, affinity } = layout.gatewayServices;
      routes.push(route('/services/', use(role, 9443, affinity)));
    }
    // The nodes' proxy_context_path: their servlet port is also served under it.
    if (d.proxyContextPath && site.port === 9443) routes.push(route(`${d.proxyContextPath}/`, u, true));
    proxy(site, https, u, `${site.logFolder}/https`, site.title, routes);
    const { redirect, httpsOnly: refusal } = port80(d, site, `${site.logFolder}/http`);
    if (redirect) redirects.push(redirect);
    if (refusal) httpsOnly.push(refusal);

    const gw = layout.gatewayRole;
    if (site.key !== 'gw' || !gw) continue;
    if (d.gatewayHttp === 'proxy') {
      const plain = { port: 80, tls: false, http2: false, kind: 'http' as const };
      proxy(site, plain, use(gw, 8280, 'round-robin'), 'gw/http', 'API calls over plain HTTP');
    }
    for (const l of GATEWAY_LISTENERS.filter((x) => d.extras[x.extra])) {
      const listen = { port: l.port, tls: l.tls, http2: l.http2, kind: l.extra };
      proxy(site, listen, use(gw, l.port, 'round-robin'), `gw/${l.logFolder}`, l.title);
    }
  }
  return {
    upstreams: [...upstreams.values()],
    proxies,
    redirects,
    httpsOnly,
    warnings: shapeWarnings(d, layout),
  };
}

/** Upstream groups with their balancing (and stickiness, when `sticky` is given). */
export function planUpstreams(d: Deployment, sticky?: StickyMethod): UpstreamPlan[] {
  return planPattern(d, sticky).upstreams;
}

/** Name of the layout, for headers and messages. */
export function layoutLabel(version: ApimVersion, pattern: PatternName): string {
  return `WSO2 API Manager ${version}, pattern ${pattern}`;
}
