import {
  APIM_VERSIONS,
  GATEWAY_HTTP_MODES,
  HOSTNAME_KEYS,
  PATTERN_NAMES,
  type ApimVersion,
  type Backend,
  type ComponentRole,
  type Deployment,
  type GatewayHttp,
  type HostnameKey,
  type PatternName,
} from '../domain/types.js';
import {
  DEFAULT_WEBSOCKET_TIMEOUT,
  defaultGatewayHttp,
  patternsOf,
  rolesOfPattern,
  servedHostnameKeys,
} from '../patterns/index.js';
import { isDnsName } from './address.js';
import { apimVersionLayout } from './apim-version.js';
import { didYouMean } from './did-you-mean.js';
import { isPlainObject, type Origin } from './inventory-tree.js';
import { lbSettings, nginxTime } from './lb-settings.js';
import { roleGroupName } from './role-groups.js';
import type { VarReader } from './var-reader.js';

export const TLS_PATHS = { certificate: '/etc/nginx/ssl/apim.crt', key: '/etc/nginx/ssl/apim.key' };

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

/** The hostnames and, for the ones the inventory sets, where they are written. */
interface Hostnames {
  names: Record<HostnameKey, string>;
  origins: Partial<Record<HostnameKey, Origin>>;
}

/** The deployment one load balancer fronts, from its variables and the inventory's role groups. */
export function deploymentFor(
  r: VarReader,
  roleGroups: ReadonlyMap<ComponentRole, RoleGroup>,
  backends: ReadonlyMap<string, Backend>,
): Deployment | undefined {
  const version = versionOf(r);
  const pattern = patternOf(r, version);
  const hostnames = hostnamesOf(r, version);
  const extras = {
    websocket: r.bool('apim_websocket', false),
    passthrough: r.bool('apim_passthrough', false),
    websub: websubOf(r, version),
    websocketTimeout: nginxTime(r, 'apim_websocket_timeout', DEFAULT_WEBSOCKET_TIMEOUT),
  };
  const confFileName = confFileOf(r);
  const proxyContextPath = contextPathOf(r);
  if (!pattern) return undefined;
  const roles = rolesFor(r, version, pattern, roleGroups);
  const nodes: Deployment['nodes'] = {};
  for (const role of roles) nodes[role] = roleGroups.get(role)!.hosts.map((h) => backends.get(h)!);
  const d: Deployment = {
    version,
    pattern,
    hostnames: hostnames.names,
    nodes,
    extras,
    ...(proxyContextPath ? { proxyContextPath } : {}),
    gatewayHttp: gatewayHttpOf(r, version, pattern),
    ...lbSettings(r, { version, pattern, hostnames: hostnames.names, nodes }),
    tlsPaths: { ...TLS_PATHS },
    confFileName,
  };
  if (roles.length > 0) checkDistinctNames(r, d, hostnames);
  return d;
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

function patternOf(r: VarReader, version: ApimVersion): PatternName | undefined {
  const v = r.get('apim_pattern');
  if (v === undefined || v.value === null) {
    r.report(
      'apim_pattern',
      `apim_pattern is not set for load balancer ${r.ctx.hostName}`,
      `add apim_pattern (${PATTERN_NAMES.join(', ')}) to the vars of group loadbalancers`,
    );
    return undefined;
  }
  const valid = patternsOf(version);
  if (typeof v.value === 'string' && (valid as readonly string[]).includes(v.value)) {
    return v.value as PatternName;
  }
  if (v.value === 'simple-scalable') {
    r.report(
      'apim_pattern',
      `apim_pattern simple-scalable is an API-M 4.x layout (All-in-One nodes and Universal Gateways), not ${version}`,
      `set apim_version: 4.x, or use ${valid.join(', ')}`,
    );
    return undefined;
  }
  r.report(
    'apim_pattern',
    `apim_pattern ${r.show('apim_pattern', v.value)} is not a known pattern; valid: ${valid.join(', ')}${
      typeof v.value === 'string' ? didYouMean(v.value, PATTERN_NAMES) : ''
    }`,
    `set apim_pattern to one of ${valid.join(', ')}`,
  );
  return undefined;
}

function hostnamesOf(r: VarReader, version: ApimVersion): Hostnames {
  const result: Hostnames = { names: defaultHostnames(version), origins: {} };
  const v = r.get('apim_hostnames');
  if (v === undefined || v.value === null) return result;
  if (!isPlainObject(v.value)) {
    r.report(
      'apim_hostnames',
      `apim_hostnames must be a mapping of ${HOSTNAME_KEYS.join(', ')} to host names`,
      'write apim_hostnames: { api: api.example.com, gw: gw.example.com }',
    );
    return result;
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
    } else {
      result.names[key as HostnameKey] = name;
      result.origins[key as HostnameKey] = { source, path: at };
    }
  }
  return result;
}

/**
 * Two served hostnames with one name: nginx only warns "conflicting server name ... ignored" and
 * sends both to the first block (every API call to the portals, or Store traffic to Publishers).
 */
function checkDistinctNames(r: VarReader, d: Deployment, hostnames: Hostnames): void {
  const first = new Map<string, HostnameKey>();
  const where = (key: HostnameKey): string => {
    const o = hostnames.origins[key];
    if (!o) return 'its default';
    // The line a diagnostic at that key would name (INI and YAML sources alike).
    const { line } = o.source.diagnostic(o.path, '', '');
    return `${o.source.file}:${line}`;
  };
  for (const key of servedHostnameKeys(d)) {
    const name = d.hostnames[key].toLowerCase().replace(/\.$/, '');
    const other = first.get(name);
    if (other === undefined) {
      first.set(name, key);
      continue;
    }
    // Report at the one the inventory sets (the later one when both are set).
    const [at, then] = hostnames.origins[key] ? [key, other] : [other, key];
    const o = hostnames.origins[at];
    const message =
      `apim_hostnames.${at} and apim_hostnames.${then} (${where(then)}) are both ${name}: ` +
      'nginx would send both to one server block (it only warns "conflicting server name")';
    const fix = `give each component its own name: the ${d.version} ${d.pattern} layout serves ${servedHostnameKeys(d).join(', ')}`;
    r.bag.push(o ? o.source.diagnostic(o.path, message, fix) : r.at('apim_hostnames', message, fix));
  }
}

function websubOf(r: VarReader, version: ApimVersion): boolean {
  const websub = r.bool('apim_websub', false);
  if (websub && version !== '4.x') {
    r.report(
      'apim_websub',
      `apim_websub needs API-M 4.x: the WebSub event receivers (9021/8021) arrived in 4.0, this load balancer fronts ${version}`,
      'remove apim_websub, or set apim_version: 4.x',
    );
    return false;
  }
  return websub;
}

/** `/apim`, `/apim/` and `apim` mean the same path; segments are what URLs allow without escaping. */
function contextPathOf(r: VarReader): string | undefined {
  const written = r.string('apim_proxy_context_path');
  if (written === undefined) return undefined;
  const path = `/${written.replace(/^\/+|\/+$/g, '')}`;
  const segments = path.slice(1).split('/');
  if (path === '/' || !segments.every((s) => /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/.test(s) && s !== '..')) {
    r.report(
      'apim_proxy_context_path',
      `apim_proxy_context_path ${JSON.stringify(written)} is not a URL path prefix (letters, digits, . _ ~ - between slashes)`,
      'write the proxy_context_path the nodes use, e.g. apim_proxy_context_path: /apim',
    );
    return undefined;
  }
  return path;
}

function gatewayHttpOf(r: VarReader, version: ApimVersion, pattern: PatternName): GatewayHttp {
  const choice = r.oneOf('apim_gateway_http', ['auto', ...GATEWAY_HTTP_MODES] as const, 'auto');
  return choice === 'auto' ? defaultGatewayHttp(version, pattern) : choice;
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

/** Where a role group that does not fit the pattern belongs, in the user's words. */
function misplacedFix(
  role: ComponentRole,
  version: ApimVersion,
  pattern: PatternName,
  expected: readonly ComponentRole[],
): string {
  if (role === 'all_in_one') {
    return version === '4.x'
      ? 'for All-in-One nodes with separate Universal Gateways use apim_pattern: simple-scalable (or move them to apim_control_plane); otherwise use apim_pattern: single-node / active-active'
      : 'remove apim_all_in_one, or use apim_pattern: single-node / active-active';
  }
  if (pattern === 'distributed' || pattern === 'simple-scalable') {
    return `move the hosts into the ${version} ${pattern} groups (${groupList(expected)}), or set apim_version to the layout this group belongs to`;
  }
  return 'use apim_pattern: distributed for separate component groups, or move the nodes into apim_all_in_one';
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
    const layout =
      pattern === 'distributed' || pattern === 'simple-scalable'
        ? `the ${version} ${pattern} layout`
        : `pattern ${pattern}`;
    r.bag.push(
      group.origin.source.diagnostic(
        group.origin.path,
        `group ${roleGroupName(role)} does not belong to ${layout}, whose groups are ${groupList(expected)}`,
        misplacedFix(role, version, pattern, expected),
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
  if (pattern === 'single-node' || pattern === 'active-active') {
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
      `pattern ${pattern} (${version}) needs at least one of the groups ${groupList(expected)} with hosts, found none`,
      `add the API-M nodes to their role groups, e.g. all.children.${roleGroupName(expected[0]!)}.hosts`,
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
