import {
  APIM_VERSIONS,
  PATTERN_NAMES,
  type ApimVersion,
  type Backend,
  type ComponentRole,
  type Deployment,
  type HostnameKey,
  type PatternName,
} from '../domain/types.js';
import { isDnsName } from './address.js';
import { apimVersionLayout } from './apim-version.js';
import { didYouMean } from './did-you-mean.js';
import { isPlainObject, type Origin } from './inventory-tree.js';
import { DISTRIBUTED_ROLES, roleGroupName, rolesOfPattern } from './role-groups.js';
import type { VarReader } from './var-reader.js';

export const TLS_PATHS = { certificate: '/etc/nginx/ssl/apim.crt', key: '/etc/nginx/ssl/apim.key' };

const HOSTNAME_KEYS: readonly HostnameKey[] = ['api', 'gw', 'mgtgw', 'publisher', 'store', 'km', 'cp', 'tm'];

export function defaultHostnames(version: ApimVersion): Record<HostnameKey, string> {
  return {
    api: 'api.am.wso2.com',
    gw: 'gw.am.wso2.com',
    // The 4.x docs name the gateway manager host gwm (its text says mgtgw, its config gwm).
    mgtgw: version === '4.x' ? 'gwm.am.wso2.com' : 'mgtgw.am.wso2.com',
    publisher: 'publisher.am.wso2.com',
    store: 'store.am.wso2.com',
    km: 'km.am.wso2.com',
    cp: 'cp.am.wso2.com',
    tm: 'tm.am.wso2.com',
  };
}

/** An API-M role group as found in the inventory: its hosts (with descendants) in inventory order. */
export interface RoleGroup {
  role: ComponentRole;
  hosts: string[];
  origin: Origin;
}

/** The deployment one load balancer fronts, from its variables and the inventory's role groups. */
export function deploymentFor(
  r: VarReader,
  roleGroups: ReadonlyMap<ComponentRole, RoleGroup>,
  backends: ReadonlyMap<string, Backend>,
): Deployment | undefined {
  const version = versionOf(r);
  const pattern = patternOf(r);
  const hostnames = hostnamesOf(r, version);
  const extras = {
    websocket: r.bool('apim_websocket', false),
    passthrough: r.bool('apim_passthrough', false),
    hsts: r.bool('apim_hsts', true),
  };
  const confFileName = confFileOf(r);
  if (!pattern) return undefined;
  const roles = rolesFor(r, version, pattern, roleGroups);
  const nodes: Deployment['nodes'] = {};
  for (const role of roles) nodes[role] = roleGroups.get(role)!.hosts.map((h) => backends.get(h)!);
  return { version, pattern, hostnames, nodes, extras, tlsPaths: { ...TLS_PATHS }, confFileName };
}

function versionOf(r: VarReader): ApimVersion {
  const v = r.get('apim_version');
  if (v === undefined || v.value === null) return '3.x';
  const layout = apimVersionLayout(v.value);
  if (layout) return layout;
  r.report(
    'apim_version',
    `apim_version ${r.show('apim_version', v.value)} is not a supported API-M version; valid: ${APIM_VERSIONS.join(', ')} (or a release such as 3.2 or "4.2.0")`,
    `set apim_version to one of ${APIM_VERSIONS.join(', ')}`,
  );
  return '3.x';
}

function patternOf(r: VarReader): PatternName | undefined {
  const v = r.get('apim_pattern');
  if (v === undefined || v.value === null) {
    r.report(
      'apim_pattern',
      `apim_pattern is not set for load balancer ${r.ctx.hostName}`,
      `add apim_pattern (${PATTERN_NAMES.join(', ')}) to the vars of group loadbalancers`,
    );
    return undefined;
  }
  if (typeof v.value === 'string' && (PATTERN_NAMES as readonly string[]).includes(v.value)) {
    return v.value as PatternName;
  }
  r.report(
    'apim_pattern',
    `apim_pattern ${r.show('apim_pattern', v.value)} is not a known pattern; valid: ${PATTERN_NAMES.join(', ')}${
      typeof v.value === 'string' ? didYouMean(v.value, PATTERN_NAMES) : ''
    }`,
    `set apim_pattern to one of ${PATTERN_NAMES.join(', ')}`,
  );
  return undefined;
}

function hostnamesOf(r: VarReader, version: ApimVersion): Record<HostnameKey, string> {
  const hostnames = defaultHostnames(version);
  const v = r.get('apim_hostnames');
  if (v === undefined || v.value === null) return hostnames;
  if (!isPlainObject(v.value)) {
    r.report(
      'apim_hostnames',
      `apim_hostnames must be a mapping of ${HOSTNAME_KEYS.join(', ')} to host names`,
      'write apim_hostnames: { api: api.example.com, gw: gw.example.com }',
    );
    return hostnames;
  }
  const { source, path } = v.origin;
  for (const [key, name] of Object.entries(v.value)) {
    const at = [...path, key];
    if (!(HOSTNAME_KEYS as readonly string[]).includes(key)) {
      r.bag.push(
        source.diagnostic(
          at,
          `unknown apim_hostnames key "${key}"${didYouMean(key, HOSTNAME_KEYS)}`,
          `use the keys ${HOSTNAME_KEYS.join(', ')}`,
        ),
      );
    } else if (typeof name !== 'string' || !isDnsName(name)) {
      r.bag.push(
        source.diagnostic(
          at,
          `apim_hostnames.${key} must be a DNS name, got ${JSON.stringify(name)}`,
          'use the fully qualified name clients use, e.g. api.example.com (letters, digits, hyphens and dots)',
        ),
      );
    } else hostnames[key as HostnameKey] = name;
  }
  return hostnames;
}

function confFileOf(r: VarReader): string {
  const name = r.string('apim_conf_file');
  if (name === undefined) return 'apim.conf';
  if (name.includes('/') || !/^[A-Za-z0-9._-]+\.conf$/.test(name) || name === '.conf') {
    r.report(
      'apim_conf_file',
      `apim_conf_file "${name}" must be a plain file name ending in .conf (it is written into conf.d)`,
      'use a name like apim.conf, without folders',
    );
    return 'apim.conf';
  }
  return name;
}

function groupList(roles: readonly ComponentRole[]): string {
  return roles.map(roleGroupName).join(', ');
}

/** Checks the role groups against the pattern and picks the roles this load balancer fronts. */
function rolesFor(
  r: VarReader,
  version: ApimVersion,
  pattern: PatternName,
  roleGroups: ReadonlyMap<ComponentRole, RoleGroup>,
): ComponentRole[] {
  const expected = rolesOfPattern(version, pattern);
  const count = (role: ComponentRole): number => roleGroups.get(role)?.hosts.length ?? 0;
  for (const [role, group] of roleGroups) {
    if (expected.includes(role) || group.hosts.length === 0) continue;
    const layout = pattern === 'distributed' ? `the ${version} distributed layout` : `pattern ${pattern}`;
    r.bag.push(
      group.origin.source.diagnostic(
        group.origin.path,
        `group ${roleGroupName(role)} does not belong to ${layout}, whose groups are ${groupList(expected)}`,
        role === 'all_in_one'
          ? 'remove apim_all_in_one, or use apim_pattern: single-node / active-active'
          : pattern === 'distributed'
            ? `move the hosts into the ${version} groups (${groupList(expected)}), or set apim_version to the layout this group belongs to`
            : `use apim_pattern: distributed for separate component groups, or move the nodes into apim_all_in_one`,
      ),
    );
  }
  const aio = count('all_in_one');
  if (pattern === 'single-node' && aio !== 1) {
    r.report(
      'apim_pattern',
      `pattern single-node needs exactly one host in group apim_all_in_one, found ${aio}`,
      aio === 0
        ? 'add the API-M node under all.children.apim_all_in_one.hosts'
        : 'use apim_pattern: active-active for several all-in-one nodes',
    );
  }
  if (pattern === 'active-active' && aio < 2) {
    r.report(
      'apim_pattern',
      `pattern active-active needs at least two hosts in group apim_all_in_one, found ${aio}`,
      aio === 1
        ? 'add the second node, or use apim_pattern: single-node'
        : 'add the API-M nodes under all.children.apim_all_in_one.hosts',
    );
  }
  if (pattern !== 'distributed') {
    if (r.has('apim_components')) {
      r.report(
        'apim_components',
        `apim_components has no effect with pattern ${pattern}`,
        'remove apim_components',
        'warning',
      );
    }
    return aio > 0 ? ['all_in_one'] : [];
  }
  const present = expected.filter((role) => count(role) > 0);
  if (present.length === 0) {
    r.report(
      'apim_pattern',
      `pattern distributed (${version}) needs at least one of the groups ${groupList(expected)} with hosts, found none`,
      `add the API-M nodes to their role groups, e.g. all.children.${roleGroupName(DISTRIBUTED_ROLES[version][0]!)}.hosts`,
    );
  }
  return componentsOf(r, version, expected, count) ?? present;
}

/** `apim_components`: the subset of roles one load balancer fronts (several load balancers may split the work). */
function componentsOf(
  r: VarReader,
  version: ApimVersion,
  expected: readonly ComponentRole[],
  count: (role: ComponentRole) => number,
): ComponentRole[] | undefined {
  const v = r.get('apim_components');
  if (v === undefined || v.value === null) return undefined;
  if (!Array.isArray(v.value) || v.value.length === 0) {
    r.report(
      'apim_components',
      'apim_components must be a non-empty list of roles',
      `write apim_components: [${expected.slice(0, 2).join(', ')}]`,
    );
    return undefined;
  }
  const roles: ComponentRole[] = [];
  v.value.forEach((item: unknown, i) => {
    const at = [...v.origin.path, i];
    const written = typeof item === 'string' ? item.replace(/^apim_/, '') : undefined;
    const role = expected.find((e) => e === written);
    if (!role) {
      r.bag.push(
        v.origin.source.diagnostic(
          at,
          `apim_components: ${JSON.stringify(item)} is not a ${version} distributed role${
            written ? didYouMean(written, expected) : ''
          }; valid: ${expected.join(', ')}`,
          `use roles of the ${version} layout: ${expected.join(', ')}`,
        ),
      );
    } else if (count(role) === 0) {
      r.bag.push(
        v.origin.source.diagnostic(
          at,
          `apim_components lists ${role}, but group ${roleGroupName(role)} has no hosts`,
          `add the nodes under all.children.${roleGroupName(role)}.hosts, or remove ${role} from apim_components`,
        ),
      );
    } else if (!roles.includes(role)) roles.push(role);
  });
  return roles;
}
