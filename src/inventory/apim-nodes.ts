import {
  START_METHODS,
  type ApimNode,
  type ApimNodeSettings,
  type Deployment,
  type Host,
  type LoadBalancer,
  type StartMethod,
} from '../domain/types.js';
import { ACCOUNT_NAME, pathProblem, SERVICE_NAME } from '../domain/values.js';
import { deriveNodeSettings, withHandSettings, type HandSetting } from '../nodes/index.js';
import { planPattern, type PatternPlan } from '../patterns/index.js';
import type { DiagnosticBag } from './diagnostic-bag.js';
import { isPlainObject, type Origin } from './inventory-tree.js';
import type { VarReader } from './var-reader.js';

/** Seconds a restarted node may take to answer again (real API-M starts in one to three minutes). */
export const DEFAULT_RESTART_TIMEOUT = 300;

export interface ApimNodesResult {
  apimNodes: ApimNode[];
  nodesLeftAlone: Array<{ name: string; reason: string }>;
}

/**
 * The API-M nodes the node play configures: what every load balancer in front of a node asks of it
 * (derived from the same plans their conf.d files are rendered from), the node's own settings, and
 * its hand-set ones checked against the load balancers. Problems go to `bag`, where written.
 */
export function apimNodesOf(
  loadBalancers: readonly LoadBalancer[],
  hosts: ReadonlyMap<string, Host>,
  readers: ReadonlyMap<string, VarReader>,
  bag: DiagnosticBag,
): ApimNodesResult {
  const result: ApimNodesResult = { apimNodes: [], nodesLeftAlone: [] };
  // Derived from valid load balancers only: with errors so far there is nothing sound to derive from.
  if (loadBalancers.length === 0 || bag.hasErrors) return result;
  // One plan per deployment: load balancers sharing one share its object (loadInventory).
  const plans = new Map<Deployment, PatternPlan>();
  const derivation = deriveNodeSettings(
    loadBalancers.map((lb) => {
      let plan = plans.get(lb.deployment);
      if (!plan) plans.set(lb.deployment, (plan = planPattern(lb.deployment)));
      return { name: lb.host.name, deployment: lb.deployment, plan };
    }),
  );
  for (const plan of derivation.nodes) {
    const reader = readers.get(plan.node);
    const host = hosts.get(plan.node);
    if (!reader || !host) continue;
    const fronting = loadBalancers.filter((lb) => plan.loadBalancers.includes(lb.host.name));
    const versions = [...new Set(fronting.map((lb) => lb.deployment.version))];
    if (versions.length > 1) {
      bag.push(
        reader.atHost(
          `API-M node ${plan.node} is fronted by load balancers of different API-M versions (${fronting.map((lb) => `${lb.host.name}: ${lb.deployment.version}`).join(', ')})`,
          'give every load balancer in front of a node the same apim_version',
        ),
      );
      continue;
    }
    const switched = configureSwitch(reader, fronting, readers);
    if (switched !== true) {
      result.nodesLeftAlone.push({ name: plan.node, reason: switched });
      continue;
    }
    if (plan.files.length === 0) {
      result.nodesLeftAlone.push({
        name: plan.node,
        reason: `no server block of ${plan.loadBalancers.join(', ')} reaches it`,
      });
      continue;
    }
    const served = [
      ...new Set(fronting.flatMap((lb) => plan.servedBy.map((key) => lb.deployment.hostnames[key]))),
    ];
    const hand = handSettings(reader);
    const checked = withHandSettings(plan, hand.settings, served);
    for (const p of checked.problems) {
      const origin = hand.origins[p.index];
      bag.push(
        origin
          ? origin.source.diagnostic(origin.path, p.message, p.fix, p.severity)
          : reader.at('apim_node_settings', p.message, p.fix, p.severity),
      );
    }
    const backend = fronting
      .flatMap((lb) => Object.values(lb.deployment.nodes).flat())
      .find((b) => b.name === plan.node);
    result.apimNodes.push({
      host,
      portOffset: backend?.portOffset ?? 0,
      settings: nodeSettings(reader),
      plan: checked.plan,
    });
  }
  for (const conflict of derivation.conflicts) {
    const node = conflict.slice(0, conflict.indexOf(':'));
    const reader = readers.get(node);
    if (reader) bag.push(reader.atHost(conflict, 'front the node with load balancers that agree about it'));
  }
  return result;
}

/**
 * Whether a node is configured: its own `apim_configure_nodes`, else the one set for the load
 * balancers in front of it (an opt-out written there counts), else when it has connection
 * details (`ansible_host`). Returns true or the reason it is left alone.
 */
function configureSwitch(
  reader: VarReader,
  fronting: readonly LoadBalancer[],
  readers: ReadonlyMap<string, VarReader>,
): true | string {
  const own = reader.boolOrAuto('apim_configure_nodes');
  if (own === true) return true;
  if (own === false) return 'apim_configure_nodes is false for it';
  const fromLbs = fronting.map((lb) => readers.get(lb.host.name)?.boolOrAuto('apim_configure_nodes'));
  if (fromLbs.includes(false))
    return 'apim_configure_nodes is false for its load balancer (set it true for the node to configure it)';
  if (fromLbs.includes(true)) return true;
  if (reader.has('ansible_host')) return true;
  return 'it has no connection details (ansible_host): set them to configure it, or apim_configure_nodes: false to say it is meant';
}

function nodeSettings(r: VarReader): ApimNodeSettings {
  const home = absolutePath(r, 'apim_home');
  const user = matching(r, 'apim_user', ACCOUNT_NAME, 'a user name (letters, digits, _ . -)');
  const startMethod = r.oneOf<StartMethod | 'auto'>('apim_start_method', ['auto', ...START_METHODS], 'auto');
  const service = matching(r, 'apim_service', SERVICE_NAME, 'a systemd unit or init script name');
  if (service && (startMethod === 'auto' || startMethod === 'script')) {
    r.report(
      'apim_service',
      `apim_service names a service, but apim_start_method is ${startMethod}`,
      'set apim_start_method: systemd or init with it, or remove apim_service',
    );
  }
  const healthUrl = healthUrlOf(r);
  const restartTimeoutSeconds = r.int('apim_restart_timeout', DEFAULT_RESTART_TIMEOUT, 10, 3600);
  const truststorePassword = r.secret('apim_truststore_password');
  const keytool = absolutePath(r, 'apim_keytool');
  return {
    ...(home ? { home } : {}),
    ...(user ? { user } : {}),
    startMethod,
    ...(service ? { service } : {}),
    ...(healthUrl ? { healthUrl } : {}),
    restartTimeoutSeconds,
    ...(truststorePassword ? { truststorePassword } : {}),
    ...(keytool ? { keytool } : {}),
  };
}

function absolutePath(r: VarReader, name: string): string | undefined {
  const path = r.string(name);
  if (path === undefined) return undefined;
  const problem = pathProblem(path) ?? (path === '/' ? 'is the root folder' : undefined);
  if (!problem) return path;
  r.report(
    name,
    `${name} ${JSON.stringify(path)} ${problem}`,
    `write the absolute path on the node, e.g. ${name}: /opt/wso2am-4.2.0`,
  );
  return undefined;
}

function matching(r: VarReader, name: string, rule: RegExp, what: string): string | undefined {
  const value = r.string(name);
  if (value === undefined || rule.test(value)) return value;
  r.report(name, `${name} ${r.show(name, value)} is not ${what}`, `set ${name} to ${what}`);
  return undefined;
}

/** A URL on the node itself (the tool asks it from the node after a restart): http(s), no credentials. */
function healthUrlOf(r: VarReader): string | undefined {
  const written = r.string('apim_health_url');
  if (written === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(written);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    !['http:', 'https:'].includes(url.protocol) ||
    url.username ||
    url.password ||
    /[\s'"\\]/.test(written)
  ) {
    r.report(
      'apim_health_url',
      `apim_health_url ${r.show('apim_health_url', written)} is not an http(s) URL without credentials or spaces`,
      'write the URL the node answers on itself, e.g. apim_health_url: https://localhost:9443/services/Version',
    );
    return undefined;
  }
  return written;
}

const KEY_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** `apim_node_settings`: dotted deployment.toml keys to strings, numbers or booleans. */
function handSettings(r: VarReader): { settings: HandSetting[]; origins: Origin[] } {
  const v = r.get('apim_node_settings');
  const out: { settings: HandSetting[]; origins: Origin[] } = { settings: [], origins: [] };
  if (v === undefined || v.value === null) return out;
  if (!isPlainObject(v.value)) {
    r.report(
      'apim_node_settings',
      'apim_node_settings must be a mapping of deployment.toml keys to values',
      'write apim_node_settings: { "server.hostname": "api.example.com" } (dotted key paths)',
    );
    return out;
  }
  for (const [key, value] of Object.entries(v.value)) {
    const origin = { source: v.origin.source, path: [...v.origin.path, key] };
    const path = key.split('.');
    if (path.length < 2 || !path.every((p) => KEY_SEGMENT.test(p))) {
      r.bag.push(
        origin.source.diagnostic(
          origin.path,
          `apim_node_settings key ${JSON.stringify(key)} is not a dotted deployment.toml key path (table.key)`,
          'write the table and key joined by dots, e.g. "transport.https.properties.proxyPort"',
        ),
      );
      continue;
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      r.bag.push(
        origin.source.diagnostic(
          origin.path,
          `apim_node_settings.${key} must be a string, number or boolean`,
          'give a single value (tables and arrays are not set this way)',
        ),
      );
      continue;
    }
    out.settings.push({ path, value: value as string | number | boolean });
    out.origins.push(origin);
  }
  return out;
}
