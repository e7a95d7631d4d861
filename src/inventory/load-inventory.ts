import { homedir, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../input/diagnostics.js';
import { readYamlFile } from '../input/yaml-source.js';
import {
  APIM_NODES_GROUP,
  type Backend,
  type ComponentRole,
  type Group,
  type Host,
  type Inventory,
  type LoadBalancer,
} from '../domain/types.js';
import { apimNodesOf } from './apim-nodes.js';
import { connectionSpec } from './connection.js';
import { deploymentFor, type RoleGroup } from './deployment.js';
import { DiagnosticBag } from './diagnostic-bag.js';
import { didYouMean } from './did-you-mean.js';
import { groupDepths, groupsOfHost, hostsOfGroup, mergeHostVars } from './host-vars.js';
import { parseInventoryTree, type InventoryTree } from './inventory-tree.js';
import { nginxSettings } from './nginx-settings.js';
import { LOAD_BALANCER_GROUP, ROLE_GROUP_NAMES, backendOf, roleOfGroup } from './role-groups.js';
import { checkTlsFiles, tlsSource } from './tls-source.js';
import { VarReader, type ReaderContext } from './var-reader.js';
import { ANSIBLE_ALIASES, checkVarNames, SECRET_VARS } from './vars-schema.js';
import { readVarsFolder } from './vars-files.js';

export { selectHosts } from './select-hosts.js';

export interface LoadInventoryOptions {
  /** Environment for `{ env: NAME }` secrets and `~` (HOME); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Whether the command will use the inventory's secrets (default true). render and certs create
   * do not, so they run without the environment variables or files an apply needs.
   */
  secretsNeeded?: boolean;
}

/**
 * Loads an Ansible YAML inventory with its group_vars/ and host_vars/, applies Ansible's variable
 * precedence and validates everything apim-provision needs. All problems come back at once; the
 * inventory is returned only when none of them is an error.
 */
export function loadInventory(
  file: string,
  options: LoadInventoryOptions = {},
): { inventory?: Inventory; diagnostics: Diagnostic[] } {
  const env = options.env ?? process.env;
  const bag = new DiagnosticBag();
  const { source, diagnostics } = readYamlFile(file);
  diagnostics.forEach((d) => bag.push(d));
  if (!source) return { diagnostics: bag.items };
  if (source.data === null || source.data === undefined) {
    bag.push({
      file,
      line: 0,
      column: 0,
      key: '',
      message: 'the inventory file is empty',
      fix: 'start with "all:", a "children:" mapping with the groups loadbalancers and apim_all_in_one (or the distributed role groups), and "vars:" with apim_pattern; see the examples in inventories/',
      severity: 'error',
    });
    return { diagnostics: bag.items };
  }

  const tree = parseInventoryTree(source, bag);
  const writtenDir = dirname(file);
  const groupFiles = readVarsFolder(writtenDir, 'group_vars', new Set(tree.groups.keys()), bag);
  const hostFiles = readVarsFolder(writtenDir, 'host_vars', new Set(tree.hosts.keys()), bag);
  for (const g of tree.groups.values()) checkVarNames(g.vars, bag);
  for (const h of tree.hosts.values()) checkVarNames(h.vars, bag);
  for (const layers of [...groupFiles.values(), ...hostFiles.values()])
    layers.forEach((l) => checkVarNames(l, bag));
  checkGroupNames(tree, bag);

  const depths = groupDepths(tree, bag);
  const dir = resolve(writtenDir);
  const defaultUser = localUserName(env);
  const readers = new Map<string, VarReader>();
  const hosts = new Map<string, Host>();
  for (const name of tree.hosts.keys()) {
    const ctx: ReaderContext = {
      hostName: name,
      hostOrigin: tree.hosts.get(name)!.origin,
      inventoryDir: dir,
      env,
      home: env.HOME ?? homedir(),
      secretsNeeded: options.secretsNeeded ?? true,
    };
    const reader = new VarReader(mergeHostVars(tree, name, depths, groupFiles, hostFiles), bag, ctx);
    readers.set(name, reader);
    hosts.set(name, {
      name,
      groups: [...groupsOfHost(tree, name)].sort((a, b) => (depths.get(a) ?? 0) - (depths.get(b) ?? 0)),
      vars: plainVars(reader),
      connection: connectionSpec(reader, defaultUser),
    });
  }

  const roleGroups = findRoleGroups(tree);
  const backends = new Map<string, Backend>();
  for (const group of roleGroups.values()) {
    for (const h of group.hosts) if (!backends.has(h)) backends.set(h, backendOf(readers.get(h)!));
  }
  checkDuplicateNodes(roleGroups, backends, readers, bag);

  const lbNames = checkLoadBalancerGroup(tree, bag);
  checkDuplicateLoadBalancers(lbNames, hosts, readers, bag);
  const loadBalancers: LoadBalancer[] = [];
  for (const name of lbNames) {
    const reader = readers.get(name)!;
    const host = hosts.get(name)!;
    const roleMember = host.groups.filter((g) => ROLE_GROUP_NAMES.includes(g));
    if (roleMember.length > 0) {
      bag.push(
        reader.atHost(
          `host ${name} is both a load balancer and an API-M node (${roleMember.join(', ')})`,
          'run the load balancer on its own host; if this is intended (a lab), nothing to do',
          'warning',
        ),
      );
    }
    const deployment = deploymentFor(reader, roleGroups, backends);
    const nginx = nginxSettings(reader);
    const tls = tlsSource(reader);
    if (!deployment) continue;
    checkTlsFiles(reader, tls, { deployment });
    const lb: LoadBalancer = {
      host,
      deployment,
      editionChoice: nginx.editionChoice,
      install: nginx.install,
      tls,
      listenIpv6: nginx.listenIpv6,
    };
    if (nginx.plusLicence) lb.plusLicence = nginx.plusLicence;
    loadBalancers.push(lb);
  }

  const nodes = apimNodesOf(loadBalancers, hosts, readers, bag);

  const all = bag.items;
  if (bag.hasErrors) return { diagnostics: all };
  const groups = new Map<string, Group>();
  for (const g of tree.groups.values()) {
    groups.set(g.name, {
      name: g.name,
      hosts: [...g.hosts],
      children: [...g.children],
      parents: [...g.parents],
    });
  }
  // The implicit group of the nodes the node play configures (apim_* names are reserved).
  groups.set(APIM_NODES_GROUP, {
    name: APIM_NODES_GROUP,
    hosts: nodes.apimNodes.map((n) => n.host.name),
    children: [],
    parents: ['all'],
  });
  for (const n of nodes.apimNodes) n.host.groups.push(APIM_NODES_GROUP);
  return {
    inventory: { file: resolve(file), dir, hosts, groups, loadBalancers, ...nodes },
    diagnostics: all,
  };
}

/** Ansible's default remote user: the local user name. */
function localUserName(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    // no passwd entry (some containers)
    return env.USER ?? env.LOGNAME ?? 'root';
  }
}

/** Merged variables as plain values for templates; secret-valued ones become `Secret` objects. */
function plainVars(reader: VarReader): Record<string, unknown> {
  // Problems with secrets are reported by the connection/TLS checks; this copy only masks them.
  const quiet = new VarReader(reader.vars, new DiagnosticBag(), reader.ctx);
  const vars: Record<string, unknown> = {};
  for (const [name, v] of reader.vars) {
    const isSecret = SECRET_VARS.includes(name) || SECRET_VARS.includes(ANSIBLE_ALIASES[name] ?? '');
    if (!isSecret) vars[name] = v.value;
    else {
      const secret = quiet.secret(name, v);
      if (secret) vars[name] = secret;
    }
  }
  return vars;
}

function findRoleGroups(tree: InventoryTree): Map<ComponentRole, RoleGroup> {
  const result = new Map<ComponentRole, RoleGroup>();
  for (const g of tree.groups.values()) {
    const role = roleOfGroup(g.name);
    if (role) result.set(role, { role, hosts: hostsOfGroup(tree, g.name), origin: g.origin });
  }
  return result;
}

/** Unknown `apim_*` groups are almost always a misspelt role group, which would silently front nothing. */
function checkGroupNames(tree: InventoryTree, bag: DiagnosticBag): void {
  for (const g of tree.groups.values()) {
    if (g.name.startsWith('apim_') && !ROLE_GROUP_NAMES.includes(g.name)) {
      bag.push(
        g.origin.source.diagnostic(
          g.origin.path,
          `unknown API-M role group "${g.name}"${didYouMean(g.name, ROLE_GROUP_NAMES)}`,
          `group names starting with apim_ are role groups: ${ROLE_GROUP_NAMES.join(', ')}`,
        ),
      );
    }
  }
}

function checkLoadBalancerGroup(tree: InventoryTree, bag: DiagnosticBag): string[] {
  const group = tree.groups.get(LOAD_BALANCER_GROUP);
  if (!group) {
    const near = didYouMean(
      LOAD_BALANCER_GROUP,
      [...tree.groups.keys()].filter((g) => g !== 'all'),
    );
    bag.push(
      tree.source.diagnostic(
        ['all', 'children'],
        `the inventory has no group "${LOAD_BALANCER_GROUP}"${near.replace('did you mean', 'is it')}`,
        'add all.children.loadbalancers.hosts with the hosts that get NGINX (the only hosts apim-provision contacts)',
      ),
    );
    return [];
  }
  const hosts = hostsOfGroup(tree, LOAD_BALANCER_GROUP);
  if (hosts.length === 0) {
    bag.push(
      group.origin.source.diagnostic(
        group.origin.path,
        `group "${LOAD_BALANCER_GROUP}" has no hosts`,
        'list the hosts that get NGINX under loadbalancers.hosts',
      ),
    );
  }
  return hosts;
}

function checkDuplicateLoadBalancers(
  names: string[],
  hosts: ReadonlyMap<string, Host>,
  readers: ReadonlyMap<string, VarReader>,
  bag: DiagnosticBag,
): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const { host, port } = hosts.get(name)!.connection;
    const id = `${host.toLowerCase()}|${port}`;
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, name);
      continue;
    }
    bag.push(
      readers
        .get(name)!
        .at(
          'ansible_host',
          `load balancers ${first} and ${name} are the same machine (${host} port ${port})`,
          'give each load balancer its own ansible_host/ansible_port, or list the host once',
        ),
    );
  }
}

function checkDuplicateNodes(
  roleGroups: ReadonlyMap<ComponentRole, RoleGroup>,
  backends: ReadonlyMap<string, Backend>,
  readers: ReadonlyMap<string, VarReader>,
  bag: DiagnosticBag,
): void {
  for (const group of roleGroups.values()) {
    const seen = new Map<string, string>();
    for (const name of group.hosts) {
      const b = backends.get(name)!;
      const id = `${b.address.toLowerCase()}|${b.portOffset}`;
      const first = seen.get(id);
      if (first === undefined) {
        seen.set(id, name);
        continue;
      }
      const r = readers.get(name)!;
      bag.push(
        r.at(
          r.has('apim_address') ? 'apim_address' : 'ansible_host',
          `API-M nodes ${first} and ${name} in group apim_${group.role} have the same address ${b.address} and port offset ${b.portOffset}`,
          'give each node its own address (apim_address or ansible_host), or a different apim_port_offset if they share a machine',
        ),
      );
    }
  }
}
