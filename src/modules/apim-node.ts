import { Secret } from '../domain/secret.js';
import type { ApimNode, ApimVersion, StartMethod } from '../domain/types.js';
import {
  DEFAULT_TRUSTSTORE_PASSWORD,
  NODE_FILES,
  NodeFileError,
  nodeOwnConfig,
  type NodeOwnConfig,
} from '../nodes/index.js';
import type { ApimHomeFact, FactQuery, NodeRestart } from '../remote/index.js';
import type { ModuleContext } from './contract.js';

/** How the tool finds, reads, restarts and checks one API-M node, from the inventory and the facts. */
export interface NodeRuntime {
  node: ApimNode;
  home: string;
  /** e.g. `4.2.0`, when the home says. */
  release?: string;
  own: NodeOwnConfig;
  restart: NodeRestart;
  /** The truststore, absolute, with the password it is opened with. */
  truststore: { path: string; type: 'JKS' | 'PKCS12'; password: Secret };
  keytool?: string;
  /** Shown once, by the config task (every node task computes the runtime). */
  warnings: string[];
  /** About the truststore password: shown by the truststore task. */
  truststoreWarnings: string[];
}

/**
 * What a node play asks first: the node's home (the given one, or a search) and, when the home is
 * given, its plan's files too, so that a node whose home is known is read in one round trip.
 */
export function nodeQueries(node: ApimNode | undefined): FactQuery[] {
  if (!node) return [];
  const home = node.settings.home;
  if (!home) return [{ kind: 'apim-home' }];
  const paths = node.plan.files.map((f) => onNode(home, f.path));
  return [
    { kind: 'apim-home', home },
    ...paths.flatMap((path) => [
      { kind: 'file' as const, path },
      { kind: 'content' as const, path },
    ]),
  ];
}

/** A file of the node's plan on the host. */
export const onNode = (home: string, relative: string): string =>
  relative.startsWith('/') ? relative : `${home}/${relative}`;

function releaseOf(h: ApimHomeFact): string | undefined {
  return /v?(\d+\.\d+\.\d+)\s*$/.exec(h.versionText)?.[1] ?? /wso2am-(\d+\.\d+\.\d+)/.exec(h.home)?.[1];
}

function layoutOf(release: string): ApimVersion | undefined {
  const [major, minor] = release.split('.').map(Number);
  if (major === 2 && minor === 6) return '2.6';
  if (major === 3) return '3.x';
  if (major === 4) return '4.x';
  return undefined;
}

const configFile = (version: ApimVersion): string =>
  version === '2.6' ? NODE_FILES.carbonXml : NODE_FILES.deploymentToml;

/** The home's own configuration (offset, truststore), or why it cannot be read. */
function ownConfig(ctx: ModuleContext, version: ApimVersion, home: string): NodeOwnConfig | string {
  const path = onNode(home, configFile(version));
  const content = ctx.facts.contents[path];
  if (!content) return `${path} is missing on the node (is ${home} an API-M ${version} home?)`;
  try {
    return nodeOwnConfig(version, content.toString('utf8'));
  } catch (e) {
    if (e instanceof NodeFileError) return `${home}/${e.message}`;
    throw e;
  }
}

/** Picks the node's home among those found: the given one, the only one, or the one at its offset. */
function chooseHome(ctx: ModuleContext, node: ApimNode): ApimHomeFact | string {
  const found = ctx.facts.apim;
  if (!found) return 'the node was not asked for its API-M home (internal error)';
  const version = node.plan.version;
  const looked = found.searched.join(', ');
  if (node.settings.home) {
    return (
      found.homes[0] ??
      `apim_home ${node.settings.home} is not an API-M home on ${node.host.name} (no repository/conf there): correct apim_home`
    );
  }
  if (found.homes.length === 0)
    return `no API-M installation found on ${node.host.name} (looked at ${looked}): set apim_home to its carbon home`;
  if (found.homes.length === 1) return found.homes[0]!;
  const atOffset = found.homes.filter((h) => {
    const own = ownConfig(ctx, version, h.home);
    return typeof own !== 'string' && own.offset === node.portOffset;
  });
  const running = atOffset.filter((h) => h.processes.length > 0);
  const pick = atOffset.length === 1 ? atOffset : running;
  if (pick.length === 1) return pick[0]!;
  return `several API-M installations on ${node.host.name} (${found.homes.map((h) => h.home).join(', ')}), ${atOffset.length === 0 ? 'none' : atOffset.length} with port offset ${node.portOffset}: set apim_home to the one the load balancer reaches`;
}

function startOf(
  ctx: ModuleContext,
  node: ApimNode,
  h: ApimHomeFact,
): { method: StartMethod; service?: string; script?: string } | string {
  const { startMethod, service } = node.settings;
  const script =
    h.scripts.find((s) => s.endsWith(node.plan.version === '4.x' ? '/api-manager.sh' : '/wso2server.sh')) ??
    h.scripts[0];
  const unitOfProcess = h.processes.map((p) => p.unit).find((u) => u !== undefined);
  const units = [...new Set([...(unitOfProcess ? [unitOfProcess] : []), ...h.units.map((u) => u.name)])];
  const pickOne = (what: string, names: string[], variable: string): string | { service: string } =>
    names.length === 1
      ? { service: names[0]! }
      : names.length === 0
        ? `no ${what} names ${h.home}: set ${variable}`
        : `several ${what}s name ${h.home} (${names.join(', ')}): set ${variable}`;
  const systemd = ctx.facts.serviceManager === 'systemd';
  switch (startMethod) {
    case 'systemd': {
      const s = service ? { service } : pickOne('systemd unit', units, 'apim_service');
      return typeof s === 'string' ? s : { method: 'systemd', ...s };
    }
    case 'init': {
      const s = service ? { service } : pickOne('init script', h.initScripts, 'apim_service');
      return typeof s === 'string' ? s : { method: 'init', ...s };
    }
    case 'script':
      return script
        ? { method: 'script', script }
        : `${h.home} has no bin/api-manager.sh or bin/wso2server.sh: set apim_start_method and apim_service`;
    case 'auto': {
      if (systemd && units.length > 0) {
        const s = pickOne('systemd unit', units, 'apim_service');
        return typeof s === 'string' ? s : { method: 'systemd', ...s };
      }
      if (h.initScripts.length > 0) {
        const s = pickOne('init script', h.initScripts, 'apim_service');
        return typeof s === 'string' ? s : { method: 'init', ...s };
      }
      return script
        ? { method: 'script', script }
        : `${h.home} has no bin/api-manager.sh or bin/wso2server.sh, no systemd unit and no init script names it: set apim_start_method and apim_service`;
    }
  }
}

/**
 * Everything the node modules need about the node, or why the node cannot be configured safely
 * (then nothing is changed on it): the home and its version, the offset its configuration has,
 * how it is restarted and as whom, the truststore and its password.
 */
export function nodeRuntime(ctx: ModuleContext): NodeRuntime | string {
  const node = ctx.apimNode;
  if (!node) {
    return `${ctx.host.name} is not an API-M node the inventory configures (group apim_nodes): ${
      ctx.inventory.nodesLeftAlone.find((n) => n.name === ctx.host.name)?.reason ??
      'it is in no apim_* role group a load balancer fronts'
    }`;
  }
  const h = chooseHome(ctx, node);
  if (typeof h === 'string') return h;
  const version = node.plan.version;
  const release = releaseOf(h);
  const warnings: string[] = [];
  if (release === undefined) {
    warnings.push(
      `${h.home}: no bin/version.txt and no version in the folder name; assuming API-M ${version}`,
    );
  } else if (layoutOf(release) !== version) {
    return `${h.home} is API-M ${release}, but the load balancers in front of ${node.host.name} have apim_version ${version}: the settings would be the wrong version's (set apim_version to the nodes' release)`;
  }
  const own = ownConfig(ctx, version, h.home);
  if (typeof own === 'string') return own;
  if (own.offset !== node.portOffset) {
    return `${configFile(version)} of ${h.home} has port offset ${own.offset}, but the inventory's apim_port_offset for ${node.host.name} is ${node.portOffset}: the load balancer would miss the node (correct one of them)`;
  }
  const start = startOf(ctx, node, h);
  if (typeof start === 'string') return start;
  const processUser = h.processes[0]?.user;
  let runAs = node.settings.user ?? (processUser && processUser !== '-' ? processUser : h.owner);
  if (start.method === 'systemd') {
    const unitUser = h.units.find((u) => u.name === start.service)?.user;
    if (unitUser !== undefined) runAs = unitUser || 'root';
    if (runAs === 'root')
      warnings.push(`the systemd unit ${start.service} runs API-M as root: give it a User= of its own`);
  } else if (start.method === 'script' && (runAs === 'root' || runAs === '-')) {
    return `API-M at ${h.home} would run as ${runAs === '-' ? 'an unknown user' : 'root'} (its process or its folder's owner): the tool restarts it as its own user, never as root; set apim_user to that account`;
  }
  const password =
    node.settings.truststorePassword ??
    (own.truststorePassword ? new Secret(own.truststorePassword) : undefined);
  const truststoreWarnings: string[] = [];
  if (!password) {
    truststoreWarnings.push(
      `no truststore password given (apim_truststore_password) and none in the node's configuration: using WSO2's default ${DEFAULT_TRUSTSTORE_PASSWORD}`,
    );
  }
  const keytool =
    node.settings.keytool ??
    h.processes.map((p) => p.keytool).find((k) => k !== undefined) ??
    ctx.facts.apim?.keytool;
  return {
    node,
    home: h.home,
    ...(release ? { release } : {}),
    own,
    restart: {
      method: start.method,
      ...(start.service ? { service: start.service } : {}),
      ...(start.script ? { script: start.script } : {}),
      runAs,
      carbonHome: h.home,
      httpsPort: 9443 + own.offset,
      ...(node.settings.healthUrl ? { healthUrl: node.settings.healthUrl } : {}),
      timeoutSeconds: node.settings.restartTimeoutSeconds,
    },
    truststore: {
      path: onNode(h.home, own.truststore),
      type: own.truststoreType,
      password: password ?? new Secret(DEFAULT_TRUSTSTORE_PASSWORD),
    },
    ...(keytool ? { keytool } : {}),
    warnings,
    truststoreWarnings,
  };
}

/** One line for humans: how the node is restarted and checked. */
export function describeRestart(r: NodeRestart): string {
  const how =
    r.method === 'script'
      ? `${r.script ?? ''} stop/start as ${r.runAs}`
      : r.method === 'systemd'
        ? `systemctl restart ${r.service ?? ''}`
        : `service ${r.service ?? ''} restart`;
  const check = r.healthUrl ? `${r.healthUrl} answers 2xx/3xx` : `https://127.0.0.1:${r.httpsPort}/ answers`;
  return `${how}, then wait until ${check} (${r.timeoutSeconds} s); the previous files are restored and API-M restarted with them if it does not`;
}
