import type {
  ApimVersion,
  ComponentRole,
  EditionChoice,
  NginxEdition,
  PatternName,
} from '../domain/types.js';
import type { UpstreamServer, Wso2Port } from '../patterns/index.js';

/**
 * One picture of a deployment: public hostnames -> load balancers -> upstream pools -> API-M nodes.
 * Built from the same pattern plan the conf.d file is rendered from; every output format (SVG,
 * Mermaid, DOT) is drawn from this model alone, so the formats cannot tell different stories.
 */
export interface DeploymentGraph {
  /** Shown above the picture: the inventory it was drawn from. */
  title: string;
  /** Public hostnames, in the order the load balancers' configurations first name them. */
  entrypoints: Entrypoint[];
  loadBalancers: LoadBalancerView[];
  /** API-M nodes behind any of the load balancers, boxed by role group (inventory role order). */
  roleGroups: RoleGroupView[];
  /** Present when the picture shows an apply run's changes (see `withRunChanges`). */
  run?: { check: boolean };
}

/**
 * What a listener is for. Derived from the pattern plan's listener kind and the WSO2 port behind it,
 * by exhaustive switches: a new kind or port in the pattern layer does not compile until it is drawn.
 * `web`: WSO2's 9443 (portals, consoles, management services); `api`: API calls on 443; `refused`:
 * a port-80 block that answers 403 (names the docs serve over HTTPS only).
 */
export type ListenerKind =
  'web' | 'api' | 'redirect' | 'refused' | 'plain-http' | 'websocket' | 'websub' | 'passthrough';

/** One port a public hostname is served on (by at least one load balancer). */
export interface Listener {
  port: number;
  tls: boolean;
  kind: ListenerKind;
  /** What the port serves, as the configuration's comment says it. */
  title: string;
  /** Redirects only: 301 (browser names, as the docs) or 308 (keeps the method and body). */
  status?: number;
}

export interface Entrypoint {
  hostname: string;
  listeners: Listener[];
}

/** A hostname's port proxied by one load balancer to one of its pools. */
export interface Route {
  hostname: string;
  port: number;
  /** `PoolView.upstream` of the same load balancer. */
  upstream: string;
  /** A location prefix with a pool of its own (e.g. `/services/`); absent for `location /`. */
  path?: string;
}

/** How a pool spreads requests, and why: each value has its own label and reason in the picture. */
export type PoolMethod =
  /** `sticky learn` session cookie of NGINX Plus. */
  | 'sticky-plus'
  /** `sticky learn` of NGINX Community (open source since 1.29.6). */
  | 'sticky-community'
  /** The pool needs stickiness, the Community nginx has no `sticky`: `ip_hash` instead. */
  | 'ip-hash-fallback'
  /** First node serves, the others are `backup`. */
  | 'failover'
  | 'round-robin'
  /** One node: nothing to balance. */
  | 'single-node';

/** A `server` line of a pool: node, address, WSO2 port + the node's offset, backup. */
export type PoolMember = UpstreamServer;

/** An nginx `upstream` of one load balancer. */
export interface PoolView {
  upstream: string;
  role: ComponentRole;
  wso2Port: Wso2Port;
  scheme: 'https' | 'http';
  method: PoolMethod;
  members: PoolMember[];
  /** Set for a run: the configuration file that holds this pool would be created. */
  isNew?: boolean;
}

export interface EditionView {
  edition: NginxEdition;
  /** `nginx_edition` of the inventory (`auto`: the edition rule decided). */
  choice: EditionChoice;
  /** Some pool needs sticky sessions (the edition rule's question). */
  needsSticky: boolean;
  plusLicenceGiven: boolean;
  /** The nginx version the configuration is written for. */
  nginxVersion: string;
  /** False when the version is assumed (offline), not read from the host. */
  versionKnown: boolean;
}

export interface LoadBalancerView {
  /** Inventory host name. */
  name: string;
  address: string;
  version: ApimVersion;
  pattern: PatternName;
  /** Absolute path of the conf.d file this load balancer gets. */
  confPath: string;
  edition: EditionView;
  pools: PoolView[];
  routes: Route[];
  /** Present when the picture shows an apply run. */
  changes?: HostChanges;
}

/**
 * The public hostname and proxy port an API-M node is configured with (deployment.toml
 * `[server] hostname` / `proxyPort`, carbon.xml for 2.6). Filled in by node configuration once it
 * exists; the picture then shows it under the node.
 */
export interface NodeProxySetting {
  hostname: string;
  proxyPort: number;
}

/** The nodes whose first role group is `apim_<role>` (a node is drawn once, in its first group). */
export interface RoleGroupView {
  role: ComponentRole;
  nodes: ApimNodeView[];
}

export interface ApimNodeView {
  name: string;
  address: string;
  portOffset: number;
  /** Every role group the node is in (`apim_<role>`), inventory role order. */
  roles: ComponentRole[];
  configured?: NodeProxySetting[];
}

/** Parts of a load balancer's job a run touches, as the built-in playbook's tasks split it. */
export type ChangeArea = 'install' | 'certificate' | 'config' | 'reload' | 'other';

export type HostOutcome = 'changes' | 'unchanged' | 'failed' | 'unreachable' | 'not-started' | 'not-in-run';

export interface AreaChanges {
  area: ChangeArea;
  /** One line per change (folders counted together), e.g. `update /etc/nginx/conf.d/apim.conf (content)`. */
  lines: string[];
}

export interface HostChanges {
  outcome: HostOutcome;
  areas: AreaChanges[];
  /** First line of the host's error, for failed and unreachable hosts. */
  error?: string;
}
