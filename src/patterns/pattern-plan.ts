import type {
  ApimVersion,
  Backend,
  ComponentRole,
  Deployment,
  HostnameKey,
  PatternName,
  StickyMethod,
} from '../domain/types.js';

/** WSO2 ports (before a node's offset): 9443 servlet HTTPS, 8243/8280 API HTTPS/HTTP, 8099/9099 wss/ws. */
export type Wso2Port = 9443 | 8243 | 8280 | 8099 | 9099;

/**
 * How an upstream spreads requests. `sticky`: 9443 sessions (portals, consoles) with several nodes;
 * `failover`: first node serves, the others are `backup`; `round-robin`: everything else, including
 * every API port (8243, 8280, 8099, 9099) and single-node upstreams.
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
  upstream: string;
  upstreamScheme: 'https' | 'http';
  /** Log folder relative to `<prefix>/log/`, e.g. `store/https`. */
  logDir: string;
  /** Portal block: gets HSTS (when enabled). */
  portal: boolean;
}

/** A port-80 block that sends browsers to HTTPS. */
export interface RedirectServerPlan {
  hostnameKey: HostnameKey;
  serverName: string;
  logDir: string;
}

export interface PatternPlan {
  upstreams: UpstreamPlan[];
  proxies: ProxyServerPlan[];
  redirects: RedirectServerPlan[];
  /** Things about the inventory's shape the user should know. */
  warnings: string[];
}

type Affinity = 'session' | 'round-robin' | 'failover';

/** One hostname of the layout and the nodes behind its 443 block. */
interface Site {
  key: HostnameKey;
  title: string;
  logFolder: string;
  role: ComponentRole;
  port: Wso2Port;
  affinity: Affinity;
}

interface Layout {
  sites: Site[];
  /** Nodes that serve API traffic: targets of the WebSocket and pass-through listeners. */
  gatewayRole?: ComponentRole;
  /** Roles the layout uses; nodes of other roles are reported as ignored. */
  usedRoles: ComponentRole[];
  /** Roles whose single node means there is nothing to fail over to. */
  haRoles: ComponentRole[];
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

function has(d: Deployment, role: ComponentRole): boolean {
  return (d.nodes[role]?.length ?? 0) > 0;
}

function allInOneLayout(): Layout {
  return {
    sites: [
      {
        key: 'api',
        title: 'portals and management console',
        logFolder: 'api',
        role: 'all_in_one',
        port: 9443,
        affinity: 'session',
      },
      {
        key: 'gw',
        title: 'API calls',
        logFolder: 'gw',
        role: 'all_in_one',
        port: 8243,
        affinity: 'round-robin',
      },
    ],
    gatewayRole: 'all_in_one',
    usedRoles: ['all_in_one'],
    haRoles: [],
  };
}

/** 2.6 to 3.1 distributed tabs: HA Gateway (mgtgw + gw), Publisher, Store, Key Manager. */
function classicDistributedLayout(d: Deployment): Layout {
  const sites: Site[] = [];
  if (has(d, 'gateway_manager')) {
    sites.push({
      key: 'mgtgw',
      title: 'Gateway Manager console',
      logFolder: 'mgtgw',
      role: 'gateway_manager',
      port: 9443,
      affinity: 'session',
    });
  }
  const gatewayRole = gatewayRoleOf(d);
  if (gatewayRole) sites.push(gatewaySite(gatewayRole));
  const portals: [HostnameKey, ComponentRole, string][] = [
    ['publisher', 'publisher', 'Publisher portal'],
    ['store', 'devportal', 'Developer Portal (Store)'],
    ['km', 'keymanager', 'Key Manager'],
  ];
  for (const [key, role, title] of portals) {
    if (has(d, role)) sites.push({ key, title, logFolder: key, role, port: 9443, affinity: 'session' });
  }
  return {
    sites,
    ...(gatewayRole ? { gatewayRole } : {}),
    usedRoles: ['gateway_manager', 'gateway', 'publisher', 'devportal', 'keymanager'],
    haRoles: ['gateway', 'publisher', 'devportal', 'keymanager'],
  };
}

/** Without worker nodes the managers are the gateway too. */
function gatewayRoleOf(d: Deployment): ComponentRole | undefined {
  if (has(d, 'gateway')) return 'gateway';
  return has(d, 'gateway_manager') ? 'gateway_manager' : undefined;
}

/** The gw hostname: API calls, balanced round robin over the gateway nodes' 8243. */
function gatewaySite(role: ComponentRole): Site {
  return { key: 'gw', title: 'API calls', logFolder: 'gw', role, port: 8243, affinity: 'round-robin' };
}

/** 4.x distributed tabs: HA Gateway (gw + gwm fail-over), HA Control Plane, HA Traffic Manager. */
function distributed4Layout(d: Deployment): Layout {
  const sites: Site[] = [];
  const gatewayRole = gatewayRoleOf(d);
  if (gatewayRole) {
    sites.push(gatewaySite(gatewayRole));
    const managerRole: ComponentRole = has(d, 'gateway_manager') ? 'gateway_manager' : 'gateway';
    sites.push({
      key: 'mgtgw',
      title: 'Gateway management (fail-over)',
      logFolder: 'gwm',
      role: managerRole,
      port: 9443,
      affinity: 'failover',
    });
  }
  if (has(d, 'control_plane')) {
    sites.push({
      key: 'cp',
      title: 'Control Plane (Publisher, Developer Portal, Key Manager)',
      logFolder: 'cp',
      role: 'control_plane',
      port: 9443,
      affinity: 'session',
    });
  }
  if (has(d, 'traffic_manager')) {
    sites.push({
      key: 'tm',
      title: 'Traffic Manager (fail-over)',
      logFolder: 'tm',
      role: 'traffic_manager',
      port: 9443,
      affinity: 'failover',
    });
  }
  return {
    sites,
    ...(gatewayRole ? { gatewayRole } : {}),
    usedRoles: ['gateway', 'gateway_manager', 'control_plane', 'traffic_manager'],
    haRoles: ['gateway', 'control_plane', 'traffic_manager'],
  };
}

function layoutFor(d: Deployment): Layout {
  if (d.pattern !== 'distributed') return allInOneLayout();
  return d.version === '4.x' ? distributed4Layout(d) : classicDistributedLayout(d);
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
    scheme: port === 8280 || port === 9099 ? 'http' : 'https',
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
  return warnings;
}

/**
 * The load balancer's shape for a deployment: upstreams (first-use order, each once), proxy server
 * blocks, port-80 redirects. `sticky` fills in how sticky upstreams are realised.
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
  const serverName = (key: HostnameKey): string => d.hostnames[key];
  const proxy = (
    site: Site,
    listenPort: number,
    tls: boolean,
    http2: boolean,
    u: UpstreamPlan,
    logDir: string,
    title: string,
  ): void => {
    proxies.push({
      hostnameKey: site.key,
      serverName: serverName(site.key),
      title,
      listenPort,
      tls,
      http2,
      upstream: u.name,
      upstreamScheme: u.scheme,
      logDir,
      portal: site.key !== 'gw',
    });
  };

  for (const site of layout.sites) {
    const u = use(site.role, site.port, site.affinity);
    proxy(site, 443, true, true, u, `${site.logFolder}/https`, site.title);
    if (site.key !== 'gw') {
      // API clients on the gateway hostname get no redirect: a 301 turns POSTs into GETs.
      redirects.push({
        hostnameKey: site.key,
        serverName: serverName(site.key),
        logDir: `${site.logFolder}/http`,
      });
      continue;
    }
    const gw = layout.gatewayRole;
    if (!gw) continue;
    if (d.extras.websocket) {
      // WebSocket upgrades need HTTP/1.1: no HTTP/2 on these listeners.
      proxy(site, 8099, true, false, use(gw, 8099, 'round-robin'), 'gw/wss', 'WebSocket (wss) API calls');
      proxy(site, 9099, false, false, use(gw, 9099, 'round-robin'), 'gw/ws', 'WebSocket (ws) API calls');
    }
    if (d.extras.passthrough) {
      proxy(
        site,
        8243,
        true,
        true,
        use(gw, 8243, 'round-robin'),
        'gw/passthrough-https',
        'API calls on 8243',
      );
      proxy(
        site,
        8280,
        false,
        false,
        use(gw, 8280, 'round-robin'),
        'gw/passthrough-http',
        'API calls on 8280',
      );
    }
  }
  return { upstreams: [...upstreams.values()], proxies, redirects, warnings: shapeWarnings(d, layout) };
}

/** Upstream groups with their balancing (and stickiness, when `sticky` is given). */
export function planUpstreams(d: Deployment, sticky?: StickyMethod): UpstreamPlan[] {
  return planPattern(d, sticky).upstreams;
}

/** Name of the layout, for headers and messages. */
export function layoutLabel(version: ApimVersion, pattern: PatternName): string {
  return `WSO2 API Manager ${version}, pattern ${pattern}`;
}
