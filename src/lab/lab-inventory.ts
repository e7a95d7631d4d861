import { stringify } from 'yaml';
import type { ApimVersion, ComponentRole, PatternName } from '../domain/types.js';
import type { InventoryOverrides, LabMachine, LabPattern, StandinSpec } from './types.js';

/** How a lab pattern maps onto the tool's inventory: version, pattern and stand-ins per role group. */
export interface LabPatternLayout {
  version: ApimVersion;
  pattern: PatternName;
  groups: Partial<Record<ComponentRole, string[]>>;
}

/** Stand-in names refer to DEFAULT_LAB_SPEC: `<prefix><n>` lives on apim<n>. */
export const LAB_PATTERN_LAYOUTS: Record<LabPattern, LabPatternLayout> = {
  'single-node': { version: '3.x', pattern: 'single-node', groups: { all_in_one: ['aio1'] } },
  'active-active': { version: '3.x', pattern: 'active-active', groups: { all_in_one: ['aio1', 'aio2'] } },
  'ha-gateway': {
    version: '3.x',
    pattern: 'distributed',
    groups: { gateway_manager: ['gwm1'], gateway: ['gw1', 'gw2'] },
  },
  'ha-gateway-multi': {
    version: '3.x',
    pattern: 'distributed',
    groups: { gateway_manager: ['gwm1', 'gwm2'], gateway: ['gw1', 'gw2'] },
  },
  'ha-publisher': { version: '3.x', pattern: 'distributed', groups: { publisher: ['pub1', 'pub2'] } },
  'ha-store': { version: '3.x', pattern: 'distributed', groups: { devportal: ['store1', 'store2'] } },
  'ha-keymanager': { version: '3.x', pattern: 'distributed', groups: { keymanager: ['km1', 'km2'] } },
  '3x-traffic-manager': {
    version: '3.x',
    pattern: 'distributed',
    groups: { traffic_manager: ['tm1', 'tm2'] },
  },
  // Gateways without a manager: a shared-file-system cluster (/services/ to their 9443).
  '3x-gateway-cluster': { version: '3.x', pattern: 'distributed', groups: { gateway: ['gw1', 'gw2'] } },
  // 4.x: the gateway nodes also serve the gateway manager host (gwm, 9443, second node backup).
  '4x-distributed': {
    version: '4.x',
    pattern: 'distributed',
    groups: {
      gateway: ['gw1', 'gw2'],
      gateway_manager: ['gw1', 'gw2'],
      control_plane: ['cp1', 'cp2'],
      traffic_manager: ['tm1', 'tm2'],
    },
  },
  '4x-keymanager': {
    version: '4.x',
    pattern: 'distributed',
    groups: { control_plane: ['cp1', 'cp2'], keymanager: ['km1', 'km2'] },
  },
  '4x-simple-scalable': {
    version: '4.x',
    pattern: 'simple-scalable',
    groups: { all_in_one: ['aio1', 'aio2'], gateway: ['gw1', 'gw2'] },
  },
  // The node play's layouts, on nodes of their own version (the suites above share 3.x homes).
  'nodes-4x-single-node': { version: '4.x', pattern: 'single-node', groups: { all_in_one: ['naio1'] } },
  'nodes-3x-ha-publisher': {
    version: '3.x',
    pattern: 'distributed',
    groups: { publisher: ['npub1', 'npub2'] },
  },
  'nodes-26-single-node': { version: '2.6', pattern: 'single-node', groups: { all_in_one: ['nlegacy1'] } },
  // One node per role, the control plane on the other host; the gateway also serves the manager name.
  'nodes-4x-distributed': {
    version: '4.x',
    pattern: 'distributed',
    groups: {
      gateway: ['ngw1'],
      gateway_manager: ['ngw1'],
      control_plane: ['ncp2'],
      traffic_manager: ['ntm1'],
    },
  },
  // 3.x: gateway manager and worker on one host, key manager and traffic manager on the other.
  'nodes-3x-distributed': {
    version: '3.x',
    pattern: 'distributed',
    groups: {
      gateway_manager: ['ngwm1'],
      gateway: ['ngwk1'],
      keymanager: ['nkm2'],
      traffic_manager: ['ntmk2'],
    },
  },
  'nodes-4x-simple-scalable': {
    version: '4.x',
    pattern: 'simple-scalable',
    groups: { all_in_one: ['naio1'], gateway: ['nsgw2'] },
  },
  'nodes-4x-active-active': {
    version: '4.x',
    pattern: 'active-active',
    groups: { all_in_one: ['naio1', 'naio2'] },
  },
  'nodes-4x-keymanager': {
    version: '4.x',
    pattern: 'distributed',
    groups: { control_plane: ['ncp2'], keymanager: ['nkm41'] },
  },
};

export interface LabInventoryInput {
  pattern: LabPattern;
  /** Load balancer machines to list, in order. */
  loadBalancers: LabMachine[];
  machines: Record<string, LabMachine>;
  standins: StandinSpec[];
  knownHostsFile: string;
  overrides?: InventoryOverrides;
}

type Vars = Record<string, unknown>;

/**
 * An Ansible-style inventory (as pyinfra's Vagrant connector would write it) for one pattern:
 * load balancers reached over their SSH endpoint from `vagrant ssh-config`, stand-in API-M nodes
 * listed with the address and port offset the load balancer proxies to. Pure: returns the YAML.
 */
export function labInventoryYaml(input: LabInventoryInput): string {
  const layout = LAB_PATTERN_LAYOUTS[input.pattern];
  const overrides = input.overrides ?? {};
  const hostVars = overrides.hostVars ?? {};
  const standins = new Map(input.standins.map((s) => [s.name, s]));

  const sshVars = (m: LabMachine): Vars => ({
    ansible_host: m.sshHost,
    ansible_port: m.sshPort,
    ansible_user: m.user,
    ansible_ssh_private_key_file: m.keyFile,
    ansible_become: true,
  });
  const lbHosts: Record<string, Vars> = {};
  for (const lb of input.loadBalancers) lbHosts[lb.name] = { ...sshVars(lb), ...hostVars[lb.name] };

  const children: Record<string, { hosts: Record<string, Vars>; vars?: Vars }> = {
    loadbalancers: {
      hosts: lbHosts,
      vars: { apim_version: layout.version, apim_pattern: layout.pattern, ...overrides.vars },
    },
  };
  for (const [role, names] of Object.entries(layout.groups) as Array<[ComponentRole, string[]]>) {
    const hosts: Record<string, Vars> = {};
    for (const name of names) {
      const standin = standins.get(name);
      if (!standin)
        throw new Error(`pattern ${input.pattern} needs stand-in ${name}, which the lab spec lacks`);
      const machine = input.machines[standin.machine];
      if (!machine) throw new Error(`stand-in ${name} runs on ${standin.machine}, which the lab lacks`);
      hosts[name] = {
        apim_address: machine.ip,
        apim_port_offset: standin.offset,
        ...(overrides.nodeConnections ? sshVars(machine) : {}),
        ...hostVars[name],
      };
    }
    children[`apim_${role}`] = { hosts };
  }

  const header = [
    `# apim-provision test lab inventory, pattern ${input.pattern} (written by src/lab; do not edit).`,
    `# The apim_* hosts are STAND-IN API-M nodes (vagrant/standin/apim_standin.py), not WSO2 API-M.`,
    `# Host keys of the lab machines: --known-hosts ${input.knownHostsFile}`,
  ].join('\n');
  return `${header}\n${stringify({ all: { children } })}`;
}
