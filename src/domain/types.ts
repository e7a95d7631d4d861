import type { Secret } from './secret.js';

/** WSO2 API-M documentation layout: picks hostnames, components and upstream shapes. */
export type ApimVersion = '2.6' | '3.x' | '4.x';
export const APIM_VERSIONS: readonly ApimVersion[] = ['2.6', '3.x', '4.x'];

/**
 * `simple-scalable` is the 4.x "simple scalable" layout: All-in-One nodes (control plane, Key
 * Manager, Traffic Manager) behind `api`, Universal Gateways behind `gw`.
 */
export type PatternName = 'single-node' | 'active-active' | 'distributed' | 'simple-scalable';
export const PATTERN_NAMES: readonly PatternName[] = [
  'single-node',
  'active-active',
  'distributed',
  'simple-scalable',
];

export type NginxEdition = 'oss' | 'plus';
export type EditionChoice = 'auto' | NginxEdition;

/** API-M node roles, named after the inventory groups `apim_<role>`. */
export type ComponentRole =
  | 'all_in_one'
  | 'gateway'
  | 'gateway_manager'
  | 'publisher'
  | 'devportal'
  | 'keymanager'
  | 'control_plane'
  | 'traffic_manager';
export const COMPONENT_ROLES: readonly ComponentRole[] = [
  'all_in_one',
  'gateway',
  'gateway_manager',
  'publisher',
  'devportal',
  'keymanager',
  'control_plane',
  'traffic_manager',
];

/** Hostname keys, one per kind of server block the load balancer serves. */
export type HostnameKey = 'api' | 'gw' | 'mgtgw' | 'publisher' | 'store' | 'km' | 'cp' | 'tm';
export const HOSTNAME_KEYS: readonly HostnameKey[] = [
  'api',
  'gw',
  'mgtgw',
  'publisher',
  'store',
  'km',
  'cp',
  'tm',
];

/**
 * What plain HTTP on port 80 does for the gateway hostname: `proxy` serves API calls to the
 * gateways' 8280 (the distributed pages advertise `http_endpoint = "http://<gateway LB host>"`),
 * `redirect` answers 308 to https (method and body kept), `refuse` answers 403 (HTTPS only).
 */
export type GatewayHttp = 'proxy' | 'redirect' | 'refuse';
export const GATEWAY_HTTP_MODES: readonly GatewayHttp[] = ['proxy', 'redirect', 'refuse'];

/** Settings of one hostname's server blocks. */
export interface SiteSettings {
  /** `Strict-Transport-Security` on its HTTPS responses. */
  hsts: boolean;
  /** nginx size (`100m`, `512k`, `0` = no limit): larger request bodies get 413. */
  clientMaxBodySize: string;
  /** Name the API-M nodes' certificates must carry when upstream TLS is verified (SNI too). */
  upstreamTlsName: string;
}

/** How nginx checks the TLS certificates the API-M nodes present. */
export type UpstreamTls =
  /** `deliberate`: the inventory says `apim_upstream_tls_verify: false` (no warning then). */
  | { verify: false; deliberate: boolean }
  | {
      verify: true;
      /** Where the trusted certificates came from (controller path), for messages. */
      caFile: string;
      /** PEM certificates (the nodes' CA, or the nodes' own certificates) nginx trusts. */
      caPem: string;
    };

/** Passive (every edition) and active (NGINX Plus) health checks of the upstream servers. */
export interface UpstreamHealth {
  /** `max_fails`: failed attempts within `failTimeout` that take a server out; 0 never does. */
  maxFails: number;
  /** `fail_timeout`: the window for `maxFails` and how long the server then stays out. */
  failTimeout: string;
  /** NGINX Plus `health_check` probes (Community has passive checks only). */
  active: boolean;
}

/** An API-M node the load balancer proxies to. */
export interface Backend {
  /** Inventory host name, for comments and error messages. */
  name: string;
  /** Address the load balancer reaches the node at (`apim_address`, else `ansible_host`, else name). */
  address: string;
  /** `apim_port_offset`: the node listens on every WSO2 port + offset. */
  portOffset: number;
}

/** How the load balancer gets its TLS material. */
export type TlsSource =
  | {
      mode: 'generate';
      keyType: 'rsa' | 'ecdsa';
      rsaBits: number;
      days: number;
      /** Sign with a local CA (kept next to the inventory) instead of self-signing. */
      useCa: boolean;
    }
  | {
      mode: 'files';
      certificateFile: string;
      keyFile: string;
      /** Optional chain (intermediates), appended to the certificate in chain order. */
      chainFile?: string;
      keyPassphrase?: Secret;
    };

/** NGINX Plus licence inputs (paths on the controller, read only when used). */
export interface PlusLicence {
  repoCertificateFile: string;
  repoKeyFile: string;
  jwtFile?: string;
  /** Keep the repository client certificate/key on the host after install (default false). */
  keepRepoCredentials: boolean;
}

export interface NginxInstallSource {
  /** `distro` (default) or `nginx.org` for Community; ignored for Plus. */
  ossSource: 'distro' | 'nginx.org';
  /** Repository URL override: nginx.org mirror for OSS, pkgs.nginx.com mirror (or lab stand-in) for Plus. */
  repoUrl?: string;
  /** Armored signing key file for the repository (mirrors / lab stand-in); default is the vendor key. */
  signingKeyFile?: string;
  /** Fingerprint the signing key must have (pinned); default nginx.org's. */
  signingKeyFingerprint?: string;
  /** CA certificate of an HTTPS mirror or stand-in repository. */
  repoCaFile?: string;
}

/** Everything the renderer needs to know about one load balancer's job. Derived from the inventory. */
export interface Deployment {
  version: ApimVersion;
  pattern: PatternName;
  hostnames: Record<HostnameKey, string>;
  /** Backends per role; roles absent from the inventory are absent here. */
  nodes: Partial<Record<ComponentRole, Backend[]>>;
  extras: {
    /** WebSocket listeners 9099 (ws) and 8099 (wss) on the gateway hostname. */
    websocket: boolean;
    /** Pass-through listeners 8243 (HTTPS) and 8280 (HTTP) on the gateway hostname. */
    passthrough: boolean;
    /** 4.x WebSub event receiver listeners 9021 (HTTP) and 8021 (HTTPS) on the gateway hostname. */
    websub: boolean;
    /** Idle timeout of WebSocket connections (nginx time, e.g. `1h`). */
    websocketTimeout: string;
  };
  /**
   * The nodes' `proxy_context_path` (e.g. `/apim`): the portal hostnames also serve the nodes under
   * it. The node side reads the same value, so the two always match.
   */
  proxyContextPath?: string;
  /** What port 80 does for the gateway hostname (resolved from the version's docs unless set). */
  gatewayHttp: GatewayHttp;
  /** Per hostname key. */
  sites: Record<HostnameKey, SiteSettings>;
  upstreamTls: UpstreamTls;
  health: UpstreamHealth;
  /**
   * Networks allowed to reach the admin paths (`/carbon`, `/services`, `/admin`, ...); everyone
   * else gets 403 there. Undefined: no restriction.
   */
  adminAllow?: string[];
  /** Port of a status endpoint on 127.0.0.1 (stub_status, or the Plus API read-only). */
  statusPort?: number;
  /** Mark the catch-all port-80 server `default_server` (fails if another file claims it). */
  defaultServer: boolean;
  /** Where the certificate and key live on the load balancer. */
  tlsPaths: { certificate: string; key: string };
  /** nginx conf.d file name written for this pattern, e.g. `apim.conf`. */
  confFileName: string;
}

/** How sticky sessions are realised on 9443 upstreams. */
export type StickyMethod = 'sticky-cookie' | 'ip_hash';

export interface EditionDecision {
  edition: NginxEdition;
  /** Undefined when the deployment needs no sticky upstream. */
  sticky?: StickyMethod;
  needsSticky: boolean;
  /** Why the decision was made, for the run output. */
  reasons: string[];
  warnings: string[];
}

export interface RenderOptions {
  edition: NginxEdition;
  /** nginx version the file is for: decides `http2 on` vs `listen ... http2`, `sticky` support. */
  nginxVersion: string;
  sticky?: StickyMethod;
  /** The conf prefix, e.g. `/etc/nginx`; log folders live under it as in the docs. */
  confPrefix: string;
  /** Also listen on IPv6 (`[::]:port`); nginx refuses the whole file on a host without IPv6. Default true. */
  ipv6?: boolean;
}

/** A file the configuration refers to, written next to it (never a secret). */
export interface ConfigFile {
  path: string;
  content: string;
  mode: string;
}

export interface RenderedConfig {
  /** Absolute path of the conf.d file on the load balancer. */
  path: string;
  content: string;
  /** Folders nginx needs but does not create (log folders). */
  directories: string[];
  /** Other files the configuration refers to (the nodes' trusted CA bundle). */
  files: ConfigFile[];
  /** Every `server_name` the file serves: the certificate must cover them all. */
  serverNames: string[];
  warnings: string[];
}

/** SSH connection settings for one host, from Ansible's connection variables. */
export interface JumpHost {
  host: string;
  port: number;
  user?: string;
}

export interface ConnectionSpec {
  host: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  privateKeyPassphrase?: Secret;
  password?: Secret;
  become: boolean;
  becomeUser: string;
  becomePassword?: Secret;
  jumpHosts: JumpHost[];
  /** `ansible_ssh_timeout` (or `ansible_timeout`): wait for the SSH handshake; unset: the run's option. */
  connectTimeoutMs?: number;
  /** Where `connectTimeoutMs` was set: the inventory variable, -T, ANSIBLE_TIMEOUT or ansible.cfg. */
  connectTimeoutFrom?: string;
  /** `ansible_ssh_retries`: attempts after the first one; unset: the run's option. */
  connectRetries?: number;
}

/** One inventory host with its merged variables (Ansible precedence already applied). */
export interface Host {
  name: string;
  /** Every group the host belongs to, including ancestors and `all`. */
  groups: string[];
  vars: Record<string, unknown>;
  connection: ConnectionSpec;
}

export interface Group {
  name: string;
  hosts: string[];
  children: string[];
  parents: string[];
}

/** A validated inventory. Load balancers are the hosts of group `loadbalancers`. */
export interface Inventory {
  file: string;
  dir: string;
  hosts: Map<string, Host>;
  groups: Map<string, Group>;
  /** Per load balancer, the deployment it fronts and its settings. */
  loadBalancers: LoadBalancer[];
  /**
   * The API-M nodes the node play configures (group `apim_nodes`), in inventory role order: those
   * with connection details, unless `apim_configure_nodes` says otherwise.
   */
  apimNodes: ApimNode[];
  /** Nodes behind a load balancer that are left alone, and why (for validate and apply). */
  nodesLeftAlone: Array<{ name: string; reason: string }>;
}

export interface LoadBalancer {
  host: Host;
  deployment: Deployment;
  editionChoice: EditionChoice;
  plusLicence?: PlusLicence;
  install: NginxInstallSource;
  tls: TlsSource;
  /** `auto`: listen on IPv6 when the host has it (facts); true/false force it. */
  listenIpv6: boolean | 'auto';
}

// ---- API-M node settings: what each node must be told about the load balancers in front of it ----

/** A scalar a node setting takes (TOML string/integer/boolean, XML text or attribute, JSON value). */
export type SettingValue = string | number | boolean;

/**
 * Where a setting lives in a TOML file. `table` is the table's key path (`['server']`); an array of
 * tables (`[[apim.gateway.environment]]`) is picked with `element`, and `subTable` then reaches a table
 * of that element (`[event_listener.properties]`).
 */
export interface TomlKeyRef {
  format: 'toml';
  table: string[];
  element?: TomlElementSelector;
  subTable?: string[];
  key: string[];
}

/**
 * Which elements of an array of tables a setting applies to: the first one, or those whose `key`
 * equals `equals`. `create` is what a new element holds when the file has none (keys in order).
 */
export interface TomlElementSelector {
  select: 'first' | { key: string; equals: string };
  create?: Array<[string, SettingValue]>;
}

/** One step of an XML element path from the root: a name, optionally with attribute values. */
export interface XmlStep {
  name: string;
  where?: Record<string, string>;
}

/**
 * Where a setting lives in an XML file: an element's text, or one of its attributes. A missing text
 * element is created under its parent, after the first `after` sibling found (else first child).
 */
export interface XmlKeyRef {
  format: 'xml';
  element: XmlStep[];
  attribute?: string;
  after?: string[];
}

/** Where a setting lives in a JSON-with-comments file (the 2.6 portals' site.json). */
export interface JsoncKeyRef {
  format: 'jsonc';
  path: string[];
}

export type SettingKey = TomlKeyRef | XmlKeyRef | JsoncKeyRef;
export type FileFormat = SettingKey['format'];

/** Why a setting has its value: the WSO2 page it comes from and what it is for. */
export interface SettingReason {
  /** Short name of the docs page, see docs/nodes.md (e.g. `LB-4`, `DIST-3`). */
  doc: string;
  why: string;
}

/** One value a node's file must hold so that the node agrees with its load balancer. */
export interface NodeSetting {
  key: SettingKey;
  value: SettingValue;
  reason: SettingReason;
}

/** The settings of one file of a node, relative to the node's carbon home. */
export interface NodeFilePlan {
  /** e.g. `repository/conf/deployment.toml`. */
  path: string;
  format: FileFormat;
  settings: NodeSetting[];
  /** A file that may be absent on a node (a portal the node's profile does not run): skipped then. */
  optional: boolean;
}

/**
 * The public hostname and proxy port a node is configured with, and the load balancer name it comes
 * from (what the graph shows under the node).
 */
export interface NodeProxySetting {
  hostname: string;
  proxyPort: number;
}

/** The load balancer's CA goes into this truststore under the tool's alias. */
export interface TruststorePlan {
  path: string;
  alias: string;
}

/** Everything one API-M node must be told about the load balancers that front it. */
export interface NodeConfigPlan {
  /** Inventory host name. */
  node: string;
  version: ApimVersion;
  /** Every role group the node is in, in the inventory's role order. */
  roles: ComponentRole[];
  /** Load balancers (inventory names) whose plan the settings come from. */
  loadBalancers: string[];
  /** Undefined when no load balancer serves the node's servlet or gateway ports. */
  proxy?: NodeProxySetting;
  /** Hostname keys of the load balancer that reach this node. */
  servedBy: HostnameKey[];
  files: NodeFilePlan[];
  truststore: TruststorePlan;
  /** Things the user should know (URLs the load balancer does not serve, skipped settings). */
  warnings: string[];
}

/** How API-M is started on a node: its systemd unit, its init script, or the distribution's bin script. */
export type StartMethod = 'systemd' | 'init' | 'script';
export const START_METHODS: readonly StartMethod[] = ['systemd', 'init', 'script'];

/** How one API-M node is found, restarted and checked (the `apim_*` node variables). */
export interface ApimNodeSettings {
  /** `apim_home`: the carbon home; undefined: found by the facts. */
  home?: string;
  /** `apim_user`: the account API-M runs as; undefined: the running process's, else the home's owner. */
  user?: string;
  /** `apim_start_method`; `auto`: the systemd unit or init script naming the home, else the bin script. */
  startMethod: StartMethod | 'auto';
  /** `apim_service`: the systemd unit or init script (with `systemd` / `init`). */
  service?: string;
  /** `apim_health_url`: must answer 2xx/3xx after a restart; undefined: the HTTPS port answers. */
  healthUrl?: string;
  /** `apim_restart_timeout`: seconds a restart may take until the node is healthy. */
  restartTimeoutSeconds: number;
  /** `apim_truststore_password`; undefined: the node's own configuration, else WSO2's default (warned). */
  truststorePassword?: Secret;
  /** `apim_keytool`: keytool on the node; undefined: found by the facts. */
  keytool?: string;
}

/** An API-M node the tool configures: its host, how it runs, and what its load balancers ask of it. */
export interface ApimNode {
  host: Host;
  /** `apim_port_offset`: where the load balancers reach it (its configuration must agree). */
  portOffset: number;
  settings: ApimNodeSettings;
  /** Derived from the load balancers' plans (and the node's `apim_node_settings`). */
  plan: NodeConfigPlan;
}

/** The implicit inventory group of the nodes the node play configures. */
export const APIM_NODES_GROUP = 'apim_nodes';
