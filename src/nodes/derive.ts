import {
  COMPONENT_ROLES,
  type ApimVersion,
  type ComponentRole,
  type Deployment,
  type HostnameKey,
} from '../domain/types.js';
import type { PatternPlan } from '../patterns/index.js';
import { loadBalancerView, type LoadBalancerView } from './lb-view.js';
import { NODE_FILES, TRUSTSTORE_ALIAS, type PortalApp26 } from './node-files.js';
import { settingKeyLabel } from './setting-label.js';
import type {
  NodeConfigPlan,
  NodeFilePlan,
  NodeProxySetting,
  NodeSetting,
  SettingKey,
  SettingReason,
  SettingValue,
  TomlElementSelector,
} from './types.js';

/** One load balancer's inputs: its inventory name, the deployment and the plan its conf.d file comes from. */
export interface FrontingLoadBalancer {
  name: string;
  deployment: Deployment;
  plan: PatternPlan;
}

export interface NodeDerivation {
  nodes: NodeConfigPlan[];
  /** Load balancers that disagree about a node (different value for one setting): not applicable. */
  conflicts: string[];
}

/** Roles that publish APIs and show them: they hold the gateway environment (SN, AA, DIST-3, DIST-4-TM). */
const GATEWAY_ENV_ROLES: readonly ComponentRole[] = ['all_in_one', 'publisher', 'devportal', 'control_plane'];
/** Roles that run the Publisher, whose "View in Dev Portal" link is `[apim.devportal] url`. */
const PUBLISHER_ROLES: readonly ComponentRole[] = ['all_in_one', 'publisher', 'control_plane'];

/** The gateway environment a 3.x/4.x file gets when it has none (the stock file's first element). */
function gatewayEnvironmentTemplate(version: ApimVersion): Array<[string, SettingValue]> {
  return [
    ['name', version === '4.x' ? 'Default' : 'Production and Sandbox'],
    ['type', 'hybrid'],
    ['display_in_api_console', true],
    ['description', 'This is a hybrid gateway that handles both production and sandbox token traffic.'],
    ['show_as_token_endpoint_url', true],
    ['service_url', 'https://localhost:${mgt.transport.https.port}/services/'],
    ['username', '${admin.username}'],
    ['password', '${admin.password}'],
  ];
}

const reason = (doc: string, why: string): SettingReason => ({ doc, why });

class SettingsBuilder {
  readonly files = new Map<string, NodeFilePlan>();

  add(path: string, key: SettingKey, value: SettingValue, why: SettingReason, optional = false): void {
    let file = this.files.get(path);
    if (!file) {
      file = { path, format: key.format, settings: [], optional };
      this.files.set(path, file);
    }
    file.settings.push({ key, value, reason: why });
  }

  toml(table: string[], key: string, value: SettingValue, why: SettingReason): void {
    this.add(NODE_FILES.deploymentToml, { format: 'toml', table, key: [key] }, value, why);
  }

  tomlElement(
    table: string[],
    element: TomlElementSelector,
    key: string,
    value: SettingValue,
    why: SettingReason,
    subTable?: string[],
  ): void {
    this.add(
      NODE_FILES.deploymentToml,
      { format: 'toml', table, element, key: [key], ...(subTable ? { subTable } : {}) },
      value,
      why,
    );
  }
}

interface NodeContext {
  node: string;
  roles: ComponentRole[];
  version: ApimVersion;
  lb: LoadBalancerView;
  hostname: string;
  warnings: string[];
}

const has = (ctx: NodeContext, roles: readonly ComponentRole[]): boolean =>
  ctx.roles.some((r) => roles.includes(r));

/** Public URLs of the gateway, as the load balancer really exposes them (no `:8243`, no `:8280`). */
function gatewayUrls(ctx: NodeContext, gw: string): Record<'http' | 'https' | 'ws' | 'wss', string> {
  const { extras } = ctx.lb.deployment;
  if (!extras.websocket) {
    ctx.warnings.push(
      `the load balancer has no WebSocket listeners (apim_websocket is false): ws://${gw}:9099 and wss://${gw}:8099 are advertised but not served`,
    );
  }
  return { http: `http://${gw}`, https: `https://${gw}`, ws: `ws://${gw}:9099`, wss: `wss://${gw}:8099` };
}

/** The name fronting the gateway's admin services (9443 `/services/`): the Publisher deploys APIs there. */
function gatewayServiceName(ctx: NodeContext): string | undefined {
  return ctx.lb.nameForRole(['gateway_manager', 'gateway'], 9443);
}

function toml3and4(ctx: NodeContext, b: SettingsBuilder): void {
  const doc = ctx.version === '4.x' ? 'LB-4' : 'LB-3.0';
  const distributed = ctx.lb.deployment.pattern === 'distributed';
  b.toml(
    ['server'],
    'hostname',
    ctx.hostname,
    reason(doc, 'the public name the load balancer serves this node on'),
  );
  b.toml(
    ['transport', 'https', 'properties'],
    'proxyPort',
    443,
    reason(doc, 'HTTPS URLs the node builds use 443'),
  );
  b.toml(
    ['transport', 'http', 'properties'],
    'proxyPort',
    80,
    reason(
      distributed ? 'DIST-3' : doc,
      'HTTP URLs the node builds use 80, which the load balancer redirects',
    ),
  );
  const context = contextPath(ctx);
  if (context) {
    const why = reason('PROXYPATH', `the load balancer also serves this node under ${context}`);
    b.toml(['server'], 'proxy_context_path', context, why);
    b.toml(
      ['server'],
      'base_path',
      `\${carbon.protocol}://\${carbon.host}:\${carbon.management.port}${context}`,
      why,
    );
  }

  const gw = ctx.lb.gatewayName;
  if (has(ctx, GATEWAY_ENV_ROLES) && gw) {
    const env: TomlElementSelector = { select: 'first', create: gatewayEnvironmentTemplate(ctx.version) };
    const table = ['apim', 'gateway', 'environment'];
    const urls = gatewayUrls(ctx, gw);
    const why = reason(
      distributed ? 'DIST-3' : 'SN',
      'gateway URLs shown to API consumers: what the load balancer exposes',
    );
    b.tomlElement(table, env, 'http_endpoint', urls.http, why);
    b.tomlElement(table, env, 'https_endpoint', urls.https, why);
    b.tomlElement(table, env, 'ws_endpoint', urls.ws, why);
    b.tomlElement(table, env, 'wss_endpoint', urls.wss, why);
    if (ctx.version === '4.x') {
      b.tomlElement(table, env, 'websub_event_receiver_http_endpoint', `http://${gw}:9021`, why);
      b.tomlElement(table, env, 'websub_event_receiver_https_endpoint', `https://${gw}:8021`, why);
    }
    // All-in-one nodes deploy to their own gateway (shared file system: AA step 6 keeps localhost).
    const service =
      distributed && has(ctx, ['publisher', 'control_plane']) ? gatewayServiceName(ctx) : undefined;
    if (service) {
      b.tomlElement(
        table,
        env,
        'service_url',
        `https://${service}/services/`,
        reason(
          ctx.version === '4.x' ? 'DIST-4-TM' : 'DIST-3',
          'the Publisher deploys APIs through the gateway load balancer',
        ),
      );
    }
  }

  const portal = devportalName(ctx);
  if (has(ctx, PUBLISHER_ROLES) && portal) {
    b.toml(
      ['apim', 'devportal'],
      'url',
      `https://${portal}${contextPath(ctx) ?? ''}/devportal`,
      reason('SN', 'the Publisher\'s "View in Dev Portal" link'),
    );
  }
  if (distributed && ctx.version === '4.x') distributed4(ctx, b);
  else if (distributed) distributed3(ctx, b);
}

/**
 * The deployment's proxy context path, for a node whose servlet port the load balancer serves
 * under it (the portal names; a gateway worker reached on 8243 only builds no portal URLs).
 */
function contextPath(ctx: NodeContext): string | undefined {
  const context = ctx.lb.deployment.proxyContextPath;
  return context && ctx.lb.nameReaching(ctx.node, 9443) ? context : undefined;
}

/** The name the Developer Portal is served on: api (all-in-one), store (2.6/3.x), cp (4.x). */
function devportalName(ctx: NodeContext): string | undefined {
  return ctx.lb.nameForRole(['all_in_one', 'devportal', 'control_plane'], 9443);
}

/**
 * DIST-3: gateways and portals reach the Key Manager, and gateways the Traffic Manager, through
 * their load balancer names.
 */
function distributed3(ctx: NodeContext, b: SettingsBuilder): void {
  const tm = ctx.lb.nameForRole(['traffic_manager'], 9443);
  if (tm && has(ctx, ['gateway', 'gateway_manager'])) {
    b.toml(
      ['apim', 'throttling'],
      'service_url',
      `https://${tm}/services/`,
      reason('DIST-3', 'Traffic Manager with HA'),
    );
  }
  const km = ctx.lb.nameForRole(['keymanager'], 9443);
  if (!km) return;
  if (has(ctx, ['gateway', 'gateway_manager', 'devportal'])) {
    b.toml(
      ['apim', 'key_manager'],
      'service_url',
      `https://${km}/services/`,
      reason('DIST-3', 'Key Manager with HA'),
    );
  }
  if (has(ctx, ['devportal'])) {
    b.toml(
      ['apim', 'oauth_config'],
      'revoke_endpoint',
      `https://${km}/oauth2/revoke`,
      reason('DIST-3', 'token revocation through the Key Manager load balancer'),
    );
  }
}

/** DIST-4-TM: gateways and traffic managers reach the control plane (and TM) through their names. */
function distributed4(ctx: NodeContext, b: SettingsBuilder): void {
  const cp = ctx.lb.nameForRole(['control_plane'], 9443);
  const tm = ctx.lb.nameForRole(['traffic_manager'], 9443) ?? cp;
  const km = ctx.lb.nameForRole(['keymanager'], 9443);
  const gateway = has(ctx, ['gateway', 'gateway_manager']);
  const why = reason('DIST-4-TM', 'Control Plane with High Availability');
  // DIST-4-KM: with a separate Key Manager, gateways and the control plane validate keys on its name.
  if (km && (gateway || has(ctx, ['control_plane']))) {
    b.toml(
      ['apim', 'key_manager'],
      'service_url',
      `https://${km}/services/`,
      reason('DIST-4-KM', 'Key Manager with HA'),
    );
  } else if (cp && gateway) b.toml(['apim', 'key_manager'], 'service_url', `https://${cp}/services/`, why);
  if (cp && (gateway || has(ctx, ['traffic_manager', 'keymanager']))) {
    b.toml(['apim', 'event_hub'], 'service_url', `https://${cp}/services/`, why);
  }
  if (tm && gateway) {
    b.toml(
      ['apim', 'throttling'],
      'service_url',
      `https://${tm}/services/`,
      reason('DIST-4-TM', 'Traffic Manager with HA'),
    );
  }
  if (cp && has(ctx, ['control_plane'])) {
    // Only where the resident Key Manager's revocation listener is configured: never switched on here.
    b.tomlElement(
      ['event_listener'],
      { select: { key: 'id', equals: 'token_revocation' } },
      'notification_endpoint',
      `https://${cp}/internal/data/v1/notify`,
      why,
      ['properties'],
    );
  }
}

function xml26(ctx: NodeContext, b: SettingsBuilder): void {
  const why = reason('LB-2.6', 'the public name the load balancer serves this node on');
  const server = [{ name: 'Server' }];
  b.add(
    NODE_FILES.carbonXml,
    { format: 'xml', element: [...server, { name: 'HostName' }], after: ['Version'] },
    ctx.hostname,
    why,
  );
  b.add(
    NODE_FILES.carbonXml,
    { format: 'xml', element: [...server, { name: 'MgtHostName' }], after: ['HostName', 'Version'] },
    ctx.hostname,
    why,
  );
  const context = contextPath(ctx);
  if (context) {
    const contextWhy = reason('LB-2.6', `the load balancer also serves this node under ${context}`);
    for (const name of ['ProxyContextPath', 'MgtProxyContextPath']) {
      b.add(
        NODE_FILES.carbonXml,
        { format: 'xml', element: [...server, { name }], after: ['MgtHostName', 'HostName', 'Version'] },
        context,
        contextWhy,
      );
    }
  }
  for (const [port, proxyPort] of [
    ['9443', 443],
    ['9763', 80],
  ] as const) {
    b.add(
      NODE_FILES.catalinaXml,
      {
        format: 'xml',
        element: [...server, { name: 'Service' }, { name: 'Connector', where: { port } }],
        attribute: 'proxyPort',
      },
      String(proxyPort),
      reason(
        'docs-apim#1382',
        `URLs built for requests on ${port} use the load balancer's port ${proxyPort}`,
      ),
    );
  }
  const gw = ctx.lb.gatewayName;
  const environment = [
    { name: 'APIManager' },
    { name: 'APIGateway' },
    { name: 'Environments' },
    { name: 'Environment' },
  ];
  if (has(ctx, GATEWAY_ENV_ROLES) && gw) {
    const urls = gatewayUrls(ctx, gw);
    const envWhy = reason('LB-2.6', 'gateway URLs shown to API consumers: what the load balancer exposes');
    b.add(
      NODE_FILES.apiManagerXml,
      { format: 'xml', element: [...environment, { name: 'GatewayEndpoint' }] },
      `${urls.http},${urls.https}`,
      envWhy,
    );
    b.add(
      NODE_FILES.apiManagerXml,
      { format: 'xml', element: [...environment, { name: 'GatewayWSEndpoint' }] },
      urls.ws,
      envWhy,
    );
    const service =
      ctx.lb.deployment.pattern === 'distributed' && has(ctx, ['publisher'])
        ? gatewayServiceName(ctx)
        : undefined;
    if (service) {
      b.add(
        NODE_FILES.apiManagerXml,
        { format: 'xml', element: [...environment, { name: 'ServerURL' }] },
        `https://${service}/services/`,
        reason('LB-2.6', 'the Publisher deploys APIs through the gateway load balancer'),
      );
    }
  }
  const km =
    ctx.lb.deployment.pattern === 'distributed' ? ctx.lb.nameForRole(['keymanager'], 9443) : undefined;
  if (km && has(ctx, ['gateway', 'gateway_manager', 'devportal'])) {
    b.add(
      NODE_FILES.apiManagerXml,
      {
        format: 'xml',
        element: [{ name: 'APIManager' }, { name: 'APIKeyValidator' }, { name: 'ServerURL' }],
      },
      `https://${km}/services/`,
      reason('LB-2.6', 'Key Manager with HA'),
    );
  }
  for (const app of portalApps26(ctx)) {
    const file = NODE_FILES.siteJson(app);
    const step3 = reason('LB-2.6', `step 3: reverse proxy settings of the ${app} portal`);
    b.add(file, { format: 'jsonc', path: ['reverseProxy', 'enabled'] }, true, step3, true);
    b.add(file, { format: 'jsonc', path: ['reverseProxy', 'host'] }, ctx.hostname, step3, true);
    b.add(
      file,
      { format: 'jsonc', path: ['reverseProxy', 'context'] },
      `${context ?? ''}/${app}`,
      step3,
      true,
    );
  }
}

/** The Jaggery portals a 2.6 node runs: the Publisher node also runs the Admin portal. */
function portalApps26(ctx: NodeContext): PortalApp26[] {
  const apps: PortalApp26[] = [];
  if (has(ctx, ['all_in_one', 'devportal'])) apps.push('store');
  if (has(ctx, ['all_in_one', 'publisher'])) apps.push('publisher', 'admin');
  return apps;
}

/**
 * The public name a node is configured with: the name whose 443 block reaches its servlet port
 * (9443: portals, consoles, admin services, where redirects are built), else the gateway name that
 * reaches its 8243 (gateway workers).
 */
function proxyOf(
  lb: LoadBalancerView,
  node: string,
): { proxy: NodeProxySetting; key: HostnameKey } | undefined {
  const front = lb.nameReaching(node, 9443) ?? lb.nameReaching(node, 8243);
  return front ? { proxy: { hostname: front.name, proxyPort: 443 }, key: front.key } : undefined;
}

function rolesOf(d: Deployment, node: string): ComponentRole[] {
  return COMPONENT_ROLES.filter((r) => d.nodes[r]?.some((n) => n.name === node));
}

function settingsFor(ctx: NodeContext): NodeFilePlan[] {
  const b = new SettingsBuilder();
  if (ctx.version === '2.6') xml26(ctx, b);
  else toml3and4(ctx, b);
  return [...b.files.values()];
}

/** What a deployment and its plan ask of one node: the same for every load balancer sharing them. */
interface DeploymentAsks {
  version: ApimVersion;
  roles: ComponentRole[];
  front?: { proxy: NodeProxySetting; servedBy: HostnameKey[]; files: NodeFilePlan[]; warnings: string[] };
}

function asksOf(deployment: Deployment, view: LoadBalancerView, node: string): DeploymentAsks {
  const roles = rolesOf(deployment, node);
  const version = deployment.version;
  const front = proxyOf(view, node);
  if (!front) return { version, roles };
  const ctx: NodeContext = { node, roles, version, lb: view, hostname: front.proxy.hostname, warnings: [] };
  const files = settingsFor(ctx);
  return {
    version,
    roles,
    front: {
      proxy: front.proxy,
      servedBy: view.keysReaching(node),
      files,
      warnings: [...new Set(ctx.warnings)],
    },
  };
}

/** The settings one load balancer asks of one node. */
function deriveOne(name: string, node: string, asks: DeploymentAsks): NodeConfigPlan {
  const base = {
    node,
    version: asks.version,
    roles: asks.roles,
    loadBalancers: [name],
    truststore: { path: NODE_FILES.truststore, alias: TRUSTSTORE_ALIAS },
  };
  if (!asks.front) {
    return {
      ...base,
      servedBy: [],
      files: [],
      warnings: [`no server block of load balancer ${name} reaches ${node}: its files are left as they are`],
    };
  }
  return { ...base, ...asks.front };
}

function settingId(file: NodeFilePlan, s: NodeSetting): string {
  return `${file.path} ${settingKeyLabel(s.key)}`;
}

/** Joins what several load balancers ask of one node; differing values are conflicts. */
function merge(plans: NodeConfigPlan[], conflicts: string[]): NodeConfigPlan {
  const [first, ...rest] = plans;
  if (!first) throw new Error('merge needs at least one plan');
  const merged: NodeConfigPlan = {
    ...first,
    files: first.files.map((f) => ({ ...f, settings: [...f.settings] })),
  };
  const seen = new Map<string, { value: SettingValue; lb: string }>();
  for (const f of first.files)
    for (const s of f.settings)
      seen.set(settingId(f, s), { value: s.value, lb: first.loadBalancers[0] ?? '' });
  // Plans of load balancers sharing a deployment share their files: merged once, they add nothing.
  const mergedFiles = new Set([first.files]);
  for (const plan of rest) {
    const lbName = plan.loadBalancers[0] ?? '';
    merged.loadBalancers.push(lbName);
    merged.servedBy = [...new Set([...merged.servedBy, ...plan.servedBy])];
    merged.warnings = [...new Set([...merged.warnings, ...plan.warnings])];
    merged.proxy ??= plan.proxy;
    if (mergedFiles.has(plan.files)) continue;
    mergedFiles.add(plan.files);
    for (const f of plan.files) {
      let target = merged.files.find((x) => x.path === f.path);
      if (!target) {
        target = { ...f, settings: [] };
        merged.files.push(target);
      }
      for (const s of f.settings) {
        const id = settingId(f, s);
        const before = seen.get(id);
        if (!before) {
          seen.set(id, { value: s.value, lb: lbName });
          target.settings.push(s);
        } else if (before.value !== s.value) {
          conflicts.push(
            `${plan.node}: load balancers ${before.lb} and ${lbName} need different values for ${id} (${JSON.stringify(before.value)} and ${JSON.stringify(s.value)}): give them the same hostnames and listeners, or front the node with one of them`,
          );
        }
      }
    }
  }
  return merged;
}

/**
 * The settings every API-M node needs so that it agrees with the load balancers in front of it,
 * derived from the same deployment and pattern plan each load balancer's conf.d file is rendered
 * from. Nodes come in inventory role order, each once.
 */
export function deriveNodeSettings(lbs: FrontingLoadBalancer[]): NodeDerivation {
  const perNode = new Map<string, NodeConfigPlan[]>();
  // The load balancers already planned for each node (a node in two roles is planned once): a set,
  // as a list scanned per load balancer made 5,000 of them cost seconds.
  const planned = new Map<string, Set<string>>();
  // The load balancers of a group share one deployment and plan (interned at inventory load): what
  // they ask of a node is derived once, and only the load balancer's name differs.
  const asked = new Map<Deployment, Map<PatternPlan, Map<string, DeploymentAsks>>>();
  for (const lb of lbs) {
    const byPlan = asked.get(lb.deployment) ?? new Map<PatternPlan, Map<string, DeploymentAsks>>();
    asked.set(lb.deployment, byPlan);
    const byNode = byPlan.get(lb.plan) ?? new Map<string, DeploymentAsks>();
    byPlan.set(lb.plan, byNode);
    let view: LoadBalancerView | undefined;
    for (const role of COMPONENT_ROLES) {
      for (const backend of lb.deployment.nodes[role] ?? []) {
        const node = backend.name;
        const done = planned.get(node) ?? new Set<string>();
        planned.set(node, done);
        if (done.has(lb.name)) continue;
        done.add(lb.name);
        let asks = byNode.get(node);
        if (!asks) {
          view ??= loadBalancerView(lb.deployment, lb.plan);
          asks = asksOf(lb.deployment, view, node);
          byNode.set(node, asks);
        }
        const list = perNode.get(node) ?? [];
        list.push(deriveOne(lb.name, node, asks));
        perNode.set(node, list);
      }
    }
  }
  const conflicts: string[] = [];
  const nodes = [...perNode.values()].map((plans) => merge(plans, conflicts));
  return { nodes, conflicts };
}
