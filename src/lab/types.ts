import type { ApimVersion, ComponentRole } from '../domain/types.js';

/** Debian suites the lab builds images for (sid has nginx >= 1.29.6, bookworm 1.22). */
export type LabSuite = 'bookworm' | 'sid';
export const LAB_SUITES: readonly LabSuite[] = ['bookworm', 'sid'];

/** What a lab machine is for: a load balancer the tool provisions, a host of API-M stand-ins, or the Plus stand-in repository. */
export type LabRole = 'lb' | 'apim' | 'plusrepo';
export const LAB_ROLES: readonly LabRole[] = ['lb', 'apim', 'plusrepo'];

export type LabProvider = 'docker' | 'virtualbox' | 'libvirt';
export const LAB_PROVIDERS: readonly LabProvider[] = ['docker', 'virtualbox', 'libvirt'];

export interface LabMachineSpec {
  name: string;
  suite: LabSuite;
  role: LabRole;
  /** private_network address for VirtualBox/libvirt; docker machines use their bridge address. */
  ip: string;
}

/**
 * One stand-in API-M node: runs on an `apim` machine from its own carbon home
 * (`/opt/wso2/<name>/wso2am-<version>/`, owned by wso2carbon), listens on every WSO2 port + offset.
 */
export interface StandinSpec {
  name: string;
  machine: string;
  offset: number;
  role: ComponentRole;
  /** The API-M layout of the node's home: which files configure it and which script starts it. */
  version: ApimVersion;
}

export interface LabSpec {
  machines: LabMachineSpec[];
  standins: StandinSpec[];
}

/** WSO2 deployments the lab can write an inventory for (all reuse the same machines). */
export type LabPattern =
  | 'single-node'
  | 'active-active'
  | 'ha-gateway'
  | 'ha-gateway-multi'
  | 'ha-publisher'
  | 'ha-store'
  | 'ha-keymanager'
  | '3x-traffic-manager'
  | '3x-gateway-cluster'
  | '4x-distributed'
  | '4x-keymanager'
  | '4x-simple-scalable'
  | 'nodes-4x-single-node'
  | 'nodes-3x-ha-publisher'
  | 'nodes-26-single-node'
  | 'nodes-4x-distributed'
  | 'nodes-3x-distributed'
  | 'nodes-4x-simple-scalable'
  | 'nodes-4x-active-active'
  | 'nodes-4x-keymanager';
export const LAB_PATTERNS: readonly LabPattern[] = [
  'single-node',
  'active-active',
  'ha-gateway',
  'ha-gateway-multi',
  'ha-publisher',
  'ha-store',
  'ha-keymanager',
  '3x-traffic-manager',
  '3x-gateway-cluster',
  '4x-distributed',
  '4x-keymanager',
  '4x-simple-scalable',
  'nodes-4x-single-node',
  'nodes-3x-ha-publisher',
  'nodes-26-single-node',
  'nodes-4x-distributed',
  'nodes-3x-distributed',
  'nodes-4x-simple-scalable',
  'nodes-4x-active-active',
  'nodes-4x-keymanager',
];

/** How to reach one running lab machine. */
export interface LabMachine {
  name: string;
  role: LabRole;
  suite: LabSuite;
  /** SSH endpoint from `vagrant ssh-config` (127.0.0.1 and a forwarded port with docker). */
  sshHost: string;
  sshPort: number;
  user: string;
  keyFile: string;
  /** Address other lab machines and the tests reach the machine at (container IP with docker). */
  ip: string;
}

/** The stand-in NGINX Plus repository's client files, on the controller. */
export interface PlusRepoFiles {
  /** Base URL for `deb [signed-by=...] <url> <codename> nginx-plus`. */
  repoUrl: string;
  /** Codenames the repository serves. */
  codenames: string[];
  certificateFile: string;
  keyFile: string;
  jwtFile: string;
  signingKeyFile: string;
  caFile: string;
  /** Fingerprint of the repository signing key. */
  fingerprint: string;
}

/** A user whose sudo asks for a password (for become-password tests); present on every machine. */
export interface PasswordSudoUser {
  user: string;
  password: string;
}

/** Everything needed to use a running lab, saved as `state.json` in the lab folder. */
export interface LabState {
  dir: string;
  provider: LabProvider;
  specFile: string;
  /** known_hosts file with every machine's host keys, for `--known-hosts`. */
  knownHostsFile: string;
  machines: Record<string, LabMachine>;
  standins: StandinSpec[];
  plusRepo?: PlusRepoFiles;
  passwordSudo: PasswordSudoUser;
}

export interface InventoryOverrides {
  /** Load balancer machines to list (default: every `lb` machine). */
  loadBalancers?: string[];
  /** Extra variables for group `loadbalancers` (win over the pattern's). */
  vars?: Record<string, unknown>;
  /** Extra variables per host (load balancers or stand-in nodes). */
  hostVars?: Record<string, Record<string, unknown>>;
  /**
   * Give the stand-in nodes their machine's SSH connection details (ansible_host, ...), so the
   * node play configures them (default: address and offset only, nodes left alone).
   */
  nodeConnections?: boolean;
  /** File name in `<lab dir>/inventories/` (default `<pattern>.yml`). */
  fileName?: string;
}

export interface LabExecOptions {
  /** Run through `sudo -n` as root. */
  root?: boolean;
  stdin?: string | Buffer;
}
