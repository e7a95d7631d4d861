import { setKey } from '../input/set-key.js';
import { homedir, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../input/diagnostics.js';
import { isHostList, pathKind } from '../input/path-kind.js';
import { plainDataKey } from '../domain/plain-data.js';
import { Secret } from '../domain/secret.js';
import { markFloat, UnsafeText, unboxFloats, VaultedText } from '../domain/tagged-values.js';
import {
  APIM_NODES_GROUP,
  type Backend,
  type ComponentRole,
  type Deployment,
  type Group,
  type Host,
  type Inventory,
  type LoadBalancer,
} from '../domain/types.js';
import { VaultKeyring } from '../input/vault.js';
import { renderValue, TemplateError } from '../playbook/template.js';
import { TemplateSyntaxError } from '../playbook/template-ast.js';
import { parseTemplate, TemplateRefusedError } from '../playbook/template-sandbox.js';
import { AnsibleInventory, loadAnsibleInventory } from './ansible-inventory.js';
import { apimNodesOf } from './apim-nodes.js';
import { connectionSpec, type ConnectionDefaults } from './connection.js';
import { deploymentFor, type RoleGroup } from './deployment.js';
import { DiagnosticBag } from './diagnostic-bag.js';
import { didYouMean } from './did-you-mean.js';
import { checkHostName } from './host-names.js';
import { isPlainObject, type Origin, type ScopedVars, type VarValue } from './inventory-tree.js';
import { nginxSettings } from './nginx-settings.js';
import { LOAD_BALANCER_GROUP, ROLE_GROUP_NAMES, backendOf, roleOfGroup } from './role-groups.js';
import { defaultSshConfigFiles, SshConfigLookup } from './ssh-config.js';
import { checkTlsFiles, tlsSource } from './tls-source.js';
import {
  needsResolving,
  VarReader,
  type ReaderContext,
  type Resolution,
  type SecretsMode,
} from './var-reader.js';
import { checkVarNames, isSecretVar } from './vars-schema.js';

export { selectHosts } from './select-hosts.js';

export interface LoadInventoryOptions {
  /** Environment for `{ env: NAME }` secrets and `~` (HOME); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** What unreadable `{ env }` / `{ file }` secrets mean (default `required`); see SecretsMode. */
  secrets?: SecretsMode;
  /** The playbook's folder: its group_vars/ and host_vars/ apply too. */
  playbookDir?: string;
  /** `-e` variables: the highest precedence. */
  extraVars?: ScopedVars;
  /** Vault passwords for `!vault` values and vault-encrypted files. */
  vault?: VaultKeyring;
  /** -u, --private-key, -T, ANSIBLE_* and ansible.cfg settings (the inventory's variables beat them). */
  connection?: Omit<ConnectionDefaults, 'localUser' | 'sshConfig'>;
  /** ssh configuration files (default ~/.ssh/config, /etc/ssh/ssh_config). */
  sshConfigFiles?: readonly string[];
}

export interface LoadedInventory {
  inventory?: Inventory;
  diagnostics: Diagnostic[];
  /**
   * Connection problems of hosts that are not load balancers, by host: Ansible reads connection
   * variables only for the hosts it contacts, so these are errors only for hosts a play reaches.
   */
  deferred: Map<string, Diagnostic[]>;
  /** Every value decrypted from a vault: the output must never show one. */
  secrets: Secret[];
}

/**
 * Loads an inventory (one or more Ansible sources: YAML, INI, folders, host lists) with its
 * group_vars/ and host_vars/, applies Ansible's variable precedence and validates everything
 * apim-provision needs. All problems come back at once; the inventory is returned only when none of
 * them is an error.
 */
export function loadInventory(
  sources: string | readonly string[],
  options: LoadInventoryOptions = {},
): LoadedInventory {
  const env = options.env ?? process.env;
  const home = env.HOME ?? homedir();
  const vault = options.vault ?? new VaultKeyring([]);
  const list = typeof sources === 'string' ? [sources] : sources;
  const secrets: Secret[] = [];
  const { inventory: ansible, bag } = loadAnsibleInventory(list, {
    ...(options.playbookDir !== undefined ? { playbookDir: options.playbookDir } : {}),
    ...(options.extraVars ? { extraVars: options.extraVars } : {}),
    decryptFile: vault.decryptFile,
  });
  // A source or vars file that cannot be read leaves a partial inventory: checking what
  // apim-provision needs of it would only add misleading problems ("no group loadbalancers").
  if (bag.hasErrors) return { diagnostics: bag.items, deferred: new Map(), secrets };
  const data = ansible.data;
  for (const g of data.groups.values()) checkVarNames(g.vars, bag);
  const taken = data.groups.get(APIM_NODES_GROUP);
  if (taken) {
    bag.push(
      taken.origin.source.diagnostic(
        taken.origin.path,
        `group ${APIM_NODES_GROUP} is the group apim-provision makes of the API-M nodes its node play configures`,
        'rename the group (the node play picks the nodes from the apim_* role groups; apim_configure_nodes switches it per node)',
      ),
    );
  }
  for (const h of data.hosts.values()) {
    checkHostName(h.name, h.origin, bag);
    checkVarNames(h.vars, bag);
  }
  // Each value once: group and vars-file values are shared by many hosts.
  const checked = new Set<VarValue>();
  for (const host of data.hosts.keys()) {
    const fresh: ScopedVars = new Map();
    for (const [k, v] of ansible.hostVars(host)) {
      if (checked.has(v)) continue;
      checked.add(v);
      fresh.set(k, v);
    }
    checkVarNames(fresh, bag);
  }
  checkGroupNames(ansible, bag);

  const sshConfig = new SshConfigLookup(options.sshConfigFiles ?? defaultSshConfigFiles(home), home);
  sshConfig.diagnostics.forEach((d) => bag.push(d));
  const defaults: ConnectionDefaults = { ...options.connection, localUser: localUserName(env), sshConfig };
  const firstDir = inventoryDirOf(list[0] ?? '.');
  const resolver = new Resolver(ansible, vault, secrets);
  const contexts = new Map<string, ReaderContext>();
  const contextOf = (name: string): ReaderContext => {
    let ctx = contexts.get(name);
    if (!ctx) {
      const record = data.hosts.get(name)!;
      ctx = {
        hostName: name,
        hostOrigin: record.origin,
        inventoryDir: record.inventoryFile !== undefined ? dirname(record.inventoryFile) : firstDir,
        env,
        home,
        secrets: options.secrets ?? 'required',
        resolve: (varName, v) => resolver.resolve(name, varName, v),
      };
      contexts.set(name, ctx);
    }
    return ctx;
  };

  const lbNames = checkLoadBalancerGroup(ansible, bag);
  const lbSet = new Set(lbNames);
  const deferred = new Map<string, Diagnostic[]>();
  const readers = new Map<string, VarReader>();
  const hosts = new Map<string, Host>();
  for (const name of data.hosts.keys()) {
    const ctx = contextOf(name);
    const vars = ansible.hostVars(name);
    const reader = new VarReader(vars, bag, ctx);
    readers.set(name, reader);
    // A load balancer is always contacted; other hosts only when a play reaches them.
    const connectionBag = lbSet.has(name) ? bag : new DiagnosticBag();
    const connection = connectionSpec(new VarReader(vars, connectionBag, ctx), defaults);
    if (!lbSet.has(name) && connectionBag.items.length > 0) deferred.set(name, connectionBag.items);
    hosts.set(name, {
      name,
      groups: [...ansible.groupsOf(name)],
      vars: plainVars(reader, bag),
      connection,
    });
  }

  const roleGroups = findRoleGroups(ansible);
  const backends = new Map<string, Backend>();
  for (const group of roleGroups.values()) {
    for (const h of group.hosts) if (!backends.has(h)) backends.set(h, backendOf(readers.get(h)!));
  }
  checkDuplicateNodes(roleGroups, backends, readers, bag);
  checkDuplicateLoadBalancers(lbNames, hosts, readers, bag);
  const loadBalancers: LoadBalancer[] = [];
  const deployments = new DeploymentInterner();
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
    const deployment = deployments.intern(deploymentFor(reader, roleGroups, backends));
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
  if (bag.hasErrors) return { diagnostics: all, deferred, secrets };
  const groups = new Map<string, Group>();
  for (const g of data.groups.values()) {
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
  const file = list[0] !== undefined && !isHostList(list[0]) ? resolve(list[0]) : resolve('.');
  return {
    inventory: { file, dir: firstDir, hosts, groups, loadBalancers, ...nodes },
    diagnostics: all,
    deferred,
    secrets,
  };
}

/**
 * Load balancers with the same deployment (the usual group sharing its variables) get one object,
 * never changed once loaded: what is planned, derived and rendered from a deployment is then
 * worked out once per object, not once per host.
 */
class DeploymentInterner {
  readonly #byKey = new Map<string, Deployment>();

  intern(d: Deployment | undefined): Deployment | undefined {
    const key = d && plainDataKey(d);
    if (key === undefined) return d;
    const known = this.#byKey.get(key);
    if (known) return known;
    this.#byKey.set(key, d!);
    return d;
  }
}

/** The folder relative paths of an inventory start at: the folder itself, or the file's folder. */
function inventoryDirOf(source: string): string {
  if (isHostList(source)) return resolve('.');
  const path = resolve(source);
  return pathKind(path) === 'dir' ? path : dirname(path);
}

/**
 * Resolves inventory values when they are read, as Ansible does when it uses them: templates
 * rendered against the host's variables and magic variables (inventory_hostname, group_names,
 * groups, inventory_dir, hostvars, ...), `!unsafe` text kept as written, `!vault` values decrypted.
 */
class Resolver {
  readonly #templateVars = new Map<string, Record<string, unknown>>();
  readonly #resolving = new Set<string>();
  readonly #cache = new Map<string, Resolution>();
  #groups: Record<string, string[]> | undefined;
  /** The resolution in progress: a template that reads a secret makes a secret. */
  #current: { secret: boolean } | undefined;

  constructor(
    readonly inventory: AnsibleInventory,
    readonly vault: VaultKeyring,
    readonly secrets: Secret[],
  ) {}

  /** A host's variable, resolved once (later reads reuse it). */
  resolve(host: string, name: string, v: VarValue): Resolution {
    const key = `${host}\u0000${name}`;
    const known = this.#cache.get(key);
    if (known) {
      if (this.#current && 'value' in known && known.value.secret) this.#current.secret = true;
      return known;
    }
    const r = this.#resolve(host, name, v);
    this.#cache.set(key, r);
    return r;
  }

  #resolve(host: string, name: string, v: VarValue): Resolution {
    const key = `${host}\u0000${name}`;
    if (this.#resolving.has(key))
      return {
        problem: this.#problem(v.origin, `${name} refers to itself`, 'break the loop between the variables'),
      };
    this.#resolving.add(key);
    const outer = this.#current;
    const state = { secret: v.secret ?? false };
    this.#current = state;
    try {
      const value = this.#value(host, name, v.value, v.origin, state);
      if (outer && state.secret) outer.secret = true;
      return { value: { ...v, value, ...(state.secret ? { secret: true } : {}) } };
    } catch (err) {
      if (err instanceof ResolveError) return { problem: err.diagnostic };
      if (err instanceof TemplateError)
        return {
          problem: this.#problem(
            v.origin,
            `${name}: ${err.message}`,
            "define the variable it reads (Ansible renders inventory templates with the host's variables), or mark the value !unsafe",
          ),
        };
      throw err;
    } finally {
      this.#resolving.delete(key);
      this.#current = outer;
    }
  }

  #problem(origin: Origin, message: string, fix: string): Diagnostic {
    return origin.source.diagnostic(origin.path, message, fix);
  }

  #value(host: string, name: string, value: unknown, origin: Origin, state: { secret: boolean }): unknown {
    if (value instanceof UnsafeText) return value.text;
    if (value instanceof VaultedText) {
      const r = this.vault.decrypt(value.ciphertext);
      if ('error' in r) throw new ResolveError(this.#problem(origin, `${name} ${r.error}`, r.fix));
      state.secret = true;
      this.secrets.push(new Secret(r.text));
      return r.text;
    }
    if (typeof value === 'string') {
      if (!needsResolving(value)) return value;
      // The inventory's own code reads plain numbers: a rendered 2.0 is the number 2, marked a float.
      return unboxFloats(
        renderValue(value, this.templateVars(host), { file: origin.source.file, ...locate(origin) }),
      );
    }
    if (Array.isArray(value)) return value.map((item) => this.#value(host, name, item, origin, state));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(value))
        setKey(out, k, this.#value(host, name, item, origin, state));
      return out;
    }
    return value;
  }

  /** The variables a template in a host's inventory values can read; each one resolved on first read. */
  templateVars(host: string): Record<string, unknown> {
    const known = this.#templateVars.get(host);
    if (known) return known;
    const vars: Record<string, unknown> = {};
    const define = (name: string, get: () => unknown) =>
      Object.defineProperty(vars, name, { enumerable: true, configurable: true, get });
    for (const [name, v] of this.inventory.hostVars(host)) {
      define(name, () => {
        const r = this.resolve(host, name, v);
        if ('problem' in r) throw new TemplateError(r.problem.message);
        return r.value.value;
      });
    }
    // Magic variables win over inventory variables of the same name, as in Ansible.
    for (const [name, value] of Object.entries(this.inventory.magicVars(host))) define(name, () => value);
    define('groups', () => (this.#groups ??= this.inventory.groupsMap()));
    define('hostvars', () => this.#hostvars());
    this.#templateVars.set(host, vars);
    return vars;
  }

  #hostvars(): Record<string, unknown> {
    const hosts = this.inventory.data.hosts;
    return new Proxy<Record<string, unknown>>(
      {},
      {
        get: (_, h) => (typeof h === 'string' && hosts.has(h) ? this.templateVars(h) : undefined),
        has: (_, h) => typeof h === 'string' && hosts.has(h),
        ownKeys: () => [...hosts.keys()],
        getOwnPropertyDescriptor: (_, h) =>
          typeof h === 'string' && hosts.has(h)
            ? { enumerable: true, configurable: true, value: this.templateVars(h) }
            : undefined,
      },
    );
  }
}

class ResolveError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

function locate(origin: Origin): { line: number; column: number } {
  const d = origin.source.diagnostic(origin.path, '', '');
  return { line: d.line, column: d.column };
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

/**
 * Merged variables as values for playbook templates (rendered there, lazily): secret variables and
 * vault values become `Secret` objects; `!unsafe` text stays marked, so it is never rendered. A
 * secret that cannot be read is left out, with a warning.
 */
function plainVars(reader: VarReader, bag: DiagnosticBag): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const quiet = new VarReader(reader.vars, new DiagnosticBag(), reader.ctx);
  for (const [name, v] of reader.vars) {
    if (!(v.value instanceof VaultedText) && !isSecretVar(name) && !v.secret) {
      checkUnrenderedTemplates(name, v, bag);
      setKey(out, name, v.value);
      if (v.float) markFloat(out, name);
      continue;
    }
    const secret = quiet.secret(name);
    if (secret) out[name] = secret;
  }
  // Secrets the tool reads itself are checked (and reported) where they are used.
  for (const d of quiet.bag.items) {
    if (d.severity !== 'error' || isSecretVar(d.key.split('.').at(-1) ?? '')) continue;
    bag.push({ ...d, severity: 'warning', message: `${d.message}; playbook templates cannot read it` });
  }
  return out;
}

/**
 * A variable only playbook templates read is rendered at run time, after hosts were contacted:
 * its templates get the sandbox's static check now, so `validate` refuses them with file:line.
 */
function checkUnrenderedTemplates(name: string, v: VarValue, bag: DiagnosticBag): void {
  for (const text of templatedStrings(v.value)) {
    try {
      parseTemplate(text);
    } catch (err) {
      // A syntax error only fails where a template reads the variable (as in Ansible): a warning.
      const syntax = err instanceof TemplateSyntaxError && !(err instanceof TemplateRefusedError);
      bag.push({
        ...v.origin.source.diagnostic(
          v.origin.path,
          `${name}: ${syntax ? 'template syntax error' : 'template refused'}: ${(err as Error).message}`,
          'templates read variables, their keys and items, and filters; mark the value !unsafe if it is not a template',
        ),
        ...(syntax ? { severity: 'warning' as const } : {}),
      });
      return;
    }
  }
}

function* templatedStrings(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    if (needsResolving(value)) yield value;
  } else if (Array.isArray(value)) for (const item of value) yield* templatedStrings(item);
  else if (isPlainObject(value)) for (const item of Object.values(value)) yield* templatedStrings(item);
}

function findRoleGroups(ansible: AnsibleInventory): Map<ComponentRole, RoleGroup> {
  const result = new Map<ComponentRole, RoleGroup>();
  for (const g of ansible.data.groups.values()) {
    const role = roleOfGroup(g.name);
    if (role) result.set(role, { role, hosts: ansible.data.hostsOf(g.name), origin: g.origin });
  }
  return result;
}

/** Unknown `apim_*` groups are almost always a misspelt role group, which would silently front nothing. */
function checkGroupNames(ansible: AnsibleInventory, bag: DiagnosticBag): void {
  for (const g of ansible.data.groups.values()) {
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

function checkLoadBalancerGroup(ansible: AnsibleInventory, bag: DiagnosticBag): string[] {
  const group = ansible.data.groups.get(LOAD_BALANCER_GROUP);
  if (!group) {
    const near = didYouMean(
      LOAD_BALANCER_GROUP,
      [...ansible.data.groups.keys()].filter((g) => g !== 'all' && g !== 'ungrouped'),
    );
    const all = ansible.data.groups.get('all')!;
    bag.push(
      all.origin.source.diagnostic(
        ['all', 'children'],
        `the inventory has no group "${LOAD_BALANCER_GROUP}"${near.replace('did you mean', 'is it')}`,
        'add all.children.loadbalancers.hosts with the hosts that get NGINX (the only hosts apim-provision contacts)',
      ),
    );
    return [];
  }
  const hosts = ansible.data.hostsOf(LOAD_BALANCER_GROUP);
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
