import type { Secret } from './secret.js';

/** WSO2 API-M documentation layout: picks hostnames, components and upstream shapes. */
export type ApimVersion = '2.6' | '3.x' | '4.x';
export const APIM_VERSIONS: readonly ApimVersion[] = ['2.6', '3.x', '4.x'];

export type PatternName = 'single-node' | 'active-active' | 'distributed';
export const PATTERN_NAMES: readonly PatternName[] = ['single-node', 'active-active', 'distributed'];

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
    /** HSTS header on portal servers (Mozilla intermediate recommends it). */
    hsts: boolean;
  };
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

export interface RenderedConfig {
  /** Absolute path of the conf.d file on the load balancer. */
  path: string;
  content: string;
  /** Folders nginx needs but does not create (log folders). */
  directories: string[];
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
