/**
 * The WSO2 layouts, per API-M version, as their documentation pages describe them: which hostnames
 * the load balancer serves, which nodes stand behind each, how each upstream balances, which
 * log folder each name gets, and what port 80 does on the gateway name. The inventory checks
 * role groups against the same tables, so what validates is exactly what renders.
 */
import type {
  ApimVersion,
  ComponentRole,
  Deployment,
  GatewayHttp,
  HostnameKey,
  PatternName,
} from '../domain/types.js';

/** WSO2 ports (before a node's offset): servlet, API HTTPS/HTTP, WebSocket wss/ws, WebSub HTTPS/HTTP. */
export type Wso2Port = 9443 | 8243 | 8280 | 8099 | 9099 | 8021 | 9021;

/** `session`: sticky with several nodes; `failover`: first node serves, the others are `backup`. */
export type Affinity = 'session' | 'round-robin' | 'failover';

/** One hostname of the layout and the nodes behind its 443 server. */
export interface Site {
  key: HostnameKey;
  title: string;
  /** Log folder under `<prefix>/log/`, named as the version's docs name it. */
  logFolder: string;
  role: ComponentRole;
  port: Wso2Port;
  affinity: Affinity;
}

export interface Layout {
  sites: Site[];
  /** Nodes that serve API traffic: targets of the gateway name's other listeners. */
  gatewayRole?: ComponentRole;
  /**
   * Nodes `https://<gateway name>/services/` reaches: the distributed pages point the Publisher's
   * (Control Plane's) gateway `service_url` at the gateway load balancer host.
   */
  gatewayServices?: { role: ComponentRole; affinity: Affinity };
  /** Roles the layout uses; nodes of other roles are reported as ignored. */
  usedRoles: readonly ComponentRole[];
  /** Roles whose single node means there is nothing to fail over to. */
  haRoles: readonly ComponentRole[];
}

const CLASSIC_DISTRIBUTED_ROLES: readonly ComponentRole[] = [
  'gateway',
  'gateway_manager',
  'publisher',
  'devportal',
  'keymanager',
  'traffic_manager',
];

/** Role groups each pattern may list, per version. 4.x merged Publisher/Store into the Control Plane. */
const DISTRIBUTED_ROLES: Readonly<Record<ApimVersion, readonly ComponentRole[]>> = {
  '2.6': CLASSIC_DISTRIBUTED_ROLES,
  '3.x': CLASSIC_DISTRIBUTED_ROLES,
  '4.x': ['gateway', 'gateway_manager', 'control_plane', 'keymanager', 'traffic_manager'],
};

const SIMPLE_SCALABLE_ROLES: readonly ComponentRole[] = ['all_in_one', 'gateway', 'gateway_manager'];

/** Patterns each version documents (`simple-scalable` is a 4.x page). */
export function patternsOf(version: ApimVersion): readonly PatternName[] {
  const all: PatternName[] = ['single-node', 'active-active', 'distributed'];
  return version === '4.x' ? [...all, 'simple-scalable'] : all;
}

/** The role groups that belong to a pattern in a version's layout. */
export function rolesOfPattern(version: ApimVersion, pattern: PatternName): readonly ComponentRole[] {
  switch (pattern) {
    case 'single-node':
    case 'active-active':
      return ['all_in_one'];
    case 'simple-scalable':
      return SIMPLE_SCALABLE_ROLES;
    case 'distributed':
      return DISTRIBUTED_ROLES[version];
  }
}

/**
 * Names browsers use (portals): they get HSTS unless told otherwise. The others (`gw`, `mgtgw`,
 * `km`, `tm`) are called by API clients and other nodes, which ignore HSTS; on `gw` it would also
 * upgrade the plain-HTTP API endpoint a browser-based API console calls.
 */
export const BROWSER_FACING: readonly HostnameKey[] = ['api', 'publisher', 'store', 'cp'];

/**
 * Port 80 on the gateway name, per the docs: the 3.x and 4.x distributed pages (and 4.x simple
 * scalable) advertise `http_endpoint = "http://<gateway LB host>"`, so plain HTTP goes to the
 * gateways' 8280. The single-node and active-active pages advertise `:8280` itself (the
 * pass-through listener) and say "Only HTTPS is allowed" for the LB names; the 2.6 distributed
 * page advertises `http://<gateway LB host>:8280`. There, port 80 refuses API calls instead of
 * redirecting them (a redirect turns POSTs into GETs and hides the leak of plain-text tokens).
 */
export function defaultGatewayHttp(version: ApimVersion, pattern: PatternName): GatewayHttp {
  if (pattern === 'simple-scalable') return 'proxy';
  if (pattern === 'distributed' && version !== '2.6') return 'proxy';
  return 'refuse';
}

/**
 * Management paths of the servlet port (9443) that `apim_admin_allow` restricts: the management
 * console, the admin SOAP services, the Admin Portal and its REST API; 4.x adds the internal data
 * service its gateways call (`/internal/data/v1`).
 */
export const ADMIN_PATHS: Readonly<Record<ApimVersion, readonly string[]>> = {
  '2.6': ['carbon', 'services', 'admin', 'api/am/admin'],
  '3.x': ['carbon', 'services', 'admin', 'api/am/admin'],
  '4.x': ['carbon', 'services', 'admin', 'api/am/admin', 'internal'],
};

/** The portal web applications (for the trailing-slash redirect under a custom context path). */
export const PORTAL_APPS: Readonly<Record<ApimVersion, readonly string[]>> = {
  '2.6': ['publisher', 'store', 'admin'],
  '3.x': ['publisher', 'devportal', 'admin'],
  '4.x': ['publisher', 'devportal', 'admin'],
};

function has(d: Deployment, role: ComponentRole): boolean {
  return (d.nodes[role]?.length ?? 0) > 0;
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

/** The docs log the all-in-one name into `am` and the gateway manager name into `gwm` on every version. */
function allInOneSite(title: string): Site {
  return { key: 'api', title, logFolder: 'am', role: 'all_in_one', port: 9443, affinity: 'session' };
}

function allInOneLayout(): Layout {
  return {
    sites: [allInOneSite('portals and management console'), gatewaySite('all_in_one')],
    gatewayRole: 'all_in_one',
    usedRoles: ['all_in_one'],
    haRoles: [],
  };
}

/** 4.x gwm: the gateway management port, fail-over (second and later nodes are `backup`). */
function gatewayManagement4(d: Deployment): Site {
  return {
    key: 'mgtgw',
    title: 'Gateway management (fail-over)',
    logFolder: 'gwm',
    role: has(d, 'gateway_manager') ? 'gateway_manager' : 'gateway',
    port: 9443,
    affinity: 'failover',
  };
}

/** The 4.x gateway names: gw (API calls) and gwm (management, fail-over), which `/services/` on gw reaches too. */
function gateway4(d: Deployment): Pick<Layout, 'sites' | 'gatewayRole' | 'gatewayServices'> {
  const gatewayRole = gatewayRoleOf(d);
  if (!gatewayRole) return { sites: [] };
  const management = gatewayManagement4(d);
  return {
    sites: [gatewaySite(gatewayRole), management],
    gatewayRole,
    gatewayServices: { role: management.role, affinity: 'failover' },
  };
}

/** The 4.x simple scalable page: All-in-One nodes behind api, Universal Gateways behind gw and gwm. */
function simpleScalableLayout(d: Deployment): Layout {
  const gateway = gateway4(d);
  const allInOne = has(d, 'all_in_one')
    ? [allInOneSite('All-in-One: portals, Key Manager, Traffic Manager, event hub')]
    : [];
  return {
    ...gateway,
    sites: [...allInOne, ...gateway.sites],
    usedRoles: SIMPLE_SCALABLE_ROLES,
    haRoles: ['all_in_one', 'gateway'],
  };
}

/**
 * 2.6 to 3.2 distributed tabs: HA Gateway (mgtgw + gw), Publisher, Store, Key Manager, and the
 * Traffic Manager the distributed page fronts with a load balancer (sticky on 9443: policies are
 * deployed through admin service calls). Gateways without a manager are a shared-file-system
 * cluster: every node manages, so `/services/` on gw goes to the gateways' own 9443, sticky.
 */
function classicDistributedLayout(d: Deployment): Layout {
  const sites: Site[] = [];
  if (has(d, 'gateway_manager')) {
    sites.push({
      key: 'mgtgw',
      title: 'Gateway Manager console',
      logFolder: 'gwm',
      role: 'gateway_manager',
      port: 9443,
      affinity: 'session',
    });
  }
  const gatewayRole = gatewayRoleOf(d);
  if (gatewayRole) sites.push(gatewaySite(gatewayRole));
  const components: [HostnameKey, ComponentRole, string][] = [
    ['publisher', 'publisher', 'Publisher portal'],
    ['store', 'devportal', 'Developer Portal (Store)'],
    ['km', 'keymanager', 'Key Manager'],
    ['tm', 'traffic_manager', 'Traffic Manager'],
  ];
  for (const [key, role, title] of components) {
    if (has(d, role)) sites.push({ key, title, logFolder: key, role, port: 9443, affinity: 'session' });
  }
  const managers = has(d, 'gateway_manager') ? 'gateway_manager' : 'gateway';
  return {
    sites,
    ...(gatewayRole
      ? { gatewayRole, gatewayServices: { role: managers, affinity: 'session' as const } }
      : {}),
    usedRoles: CLASSIC_DISTRIBUTED_ROLES,
    haRoles: ['gateway', 'publisher', 'devportal', 'keymanager', 'traffic_manager'],
  };
}

/**
 * 4.x distributed tabs: HA Gateway (gw + gwm fail-over), HA Control Plane, the separate Key
 * Manager page (migrated setups with opaque tokens) and HA Traffic Manager (fail-over).
 */
function distributed4Layout(d: Deployment): Layout {
  const gateway = gateway4(d);
  const sites = [...gateway.sites];
  const components: [HostnameKey, ComponentRole, string, Affinity][] = [
    // The docs log the Control Plane into `publisher` (a copy-paste slip): it gets its own folder.
    ['cp', 'control_plane', 'Control Plane (Publisher, Developer Portal, Key Manager)', 'session'],
    ['km', 'keymanager', 'Key Manager (separate)', 'session'],
    ['tm', 'traffic_manager', 'Traffic Manager (fail-over)', 'failover'],
  ];
  for (const [key, role, title, affinity] of components) {
    if (has(d, role)) sites.push({ key, title, logFolder: key, role, port: 9443, affinity });
  }
  return {
    ...gateway,
    sites,
    usedRoles: DISTRIBUTED_ROLES['4.x'],
    haRoles: ['gateway', 'control_plane', 'keymanager', 'traffic_manager'],
  };
}

export function layoutFor(d: Deployment): Layout {
  switch (d.pattern) {
    case 'single-node':
    case 'active-active':
      return allInOneLayout();
    case 'simple-scalable':
      return simpleScalableLayout(d);
    case 'distributed':
      return d.version === '4.x' ? distributed4Layout(d) : classicDistributedLayout(d);
  }
}

/** The hostname keys a deployment's load balancer serves (its server names must differ). */
export function servedHostnameKeys(d: Deployment): HostnameKey[] {
  return layoutFor(d).sites.map((s) => s.key);
}
