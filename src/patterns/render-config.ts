import { isIP } from 'node:net';
import type {
  Deployment,
  HostnameKey,
  RenderOptions,
  RenderedConfig,
  StickyMethod,
} from '../domain/types.js';
import { adminRestriction, ADMIN_REFUSED_VAR } from './admin-paths.js';
import { healthCheckFor, HEALTH_MATCHES } from './health-checks.js';
import { PORTAL_APPS } from './layouts.js';
import {
  annotated,
  blank,
  block,
  comment,
  directive,
  literal,
  printConf,
  type ConfNode,
} from './nginx-conf.js';
import { NGINX_FEATURES, nginxVersionAtLeast } from './nginx-version.js';
import {
  layoutLabel,
  planPattern,
  type HttpsOnlyServerPlan,
  type PatternPlan,
  type ProxyServerPlan,
  type RedirectServerPlan,
  type RoutePlan,
  type UpstreamPlan,
} from './pattern-plan.js';
import { HSTS_VALUE, listenDirectives, tlsDirectives } from './tls-directives.js';

/** Named for this tool so it cannot clash with a `$connection_upgrade` map of the user's own. */
export const CONNECTION_UPGRADE_VAR = '$apim_connection_upgrade';

/** File name of the nodes' trusted certificates, next to the load balancer's own certificate. */
export const UPSTREAM_CA_FILE = 'apim-upstream-ca.crt';

/** The catch-all's name: `.invalid` never resolves (RFC 2606), so it never clashes with a real name. */
export const CATCH_ALL_NAME = 'apim-provision.invalid';

/** Proxy timeouts of the docs' samples (portals, consoles, API calls). */
const PROXY_TIMEOUT = '5m';

/** The sticky method to write, checked against what the edition and version accept. */
function resolveSticky(d: Deployment, opts: RenderOptions, needed: boolean): StickyMethod | undefined {
  if (!needed) return undefined;
  const cookieOk =
    opts.edition === 'plus' || nginxVersionAtLeast(opts.nginxVersion, NGINX_FEATURES.ossSticky);
  const method = opts.sticky ?? (cookieOk ? 'sticky-cookie' : 'ip_hash');
  if (method === 'sticky-cookie' && !cookieOk) {
    throw new RangeError(
      `${d.confFileName}: sticky-cookie needs NGINX Plus or nginx >= ${NGINX_FEATURES.ossSticky}, not NGINX Community ${opts.nginxVersion}`,
    );
  }
  return method;
}

function serverAddress(address: string, port: number): string {
  const host = literal(address, 'backend address');
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** What one render needs besides the deployment: the plan and the resolved options. */
interface Ctx {
  d: Deployment;
  opts: RenderOptions;
  plan: PatternPlan;
  upstreams: Map<string, UpstreamPlan>;
  plus: boolean;
  /** Upstreams whose active health check is already written (Plus: one probe per upstream). */
  probed: Set<string>;
  caPath: string;
}

function upstreamBlock(ctx: Ctx, u: UpstreamPlan): ConfNode[] {
  const { health } = ctx.d;
  const body: ConfNode[] = [];
  if (u.sticky === 'ip_hash') body.push(directive('ip_hash'));
  if (u.sticky === 'sticky-cookie') {
    // Session follows WSO2's JSESSIONID cookie (cookie names match case-insensitively).
    body.push(
      directive(
        'sticky',
        'learn',
        'create=$upstream_cookie_jsessionid',
        'lookup=$cookie_jsessionid',
        `zone=${u.stickyZone ?? `${u.name}_sticky`}:1m`,
      ),
    );
  }
  // A shared zone: every worker sees the same failure counts (and Plus can probe the servers).
  body.push(directive('zone', u.name, '64k'));
  const passive = [
    `max_fails=${health.maxFails}`,
    `fail_timeout=${literal(health.failTimeout, 'fail timeout')}`,
  ];
  for (const s of u.servers) {
    body.push(
      annotated(
        s.node,
        'server',
        serverAddress(s.address, s.port),
        ...passive,
        ...(s.backup ? ['backup'] : []),
      ),
    );
  }
  const what =
    u.servers.length === 1
      ? 'single node'
      : u.balancing === 'sticky'
        ? `sticky (${u.sticky ?? 'method not chosen'})`
        : u.balancing === 'failover'
          ? 'fail-over: later nodes are backups'
          : 'round robin';
  return [
    comment(`${u.role} nodes, WSO2 port ${u.port} (${u.scheme}), ${what}`),
    block('upstream', [u.name], body),
  ];
}

function logDirectives(prefix: string, logDir: string): ConfNode[] {
  return [
    directive('access_log', `${prefix}/log/${logDir}/access.log`),
    directive('error_log', `${prefix}/log/${logDir}/error.log`),
  ];
}

function proxyHeaders(): ConfNode[] {
  return [
    directive('proxy_set_header', 'X-Forwarded-Host', '$host'),
    directive('proxy_set_header', 'X-Forwarded-Server', '$host'),
    directive('proxy_set_header', 'X-Forwarded-For', '$proxy_add_x_forwarded_for'),
    directive('proxy_set_header', 'X-Forwarded-Proto', '$scheme'),
    directive('proxy_set_header', 'X-Forwarded-Port', '$server_port'),
    directive('proxy_set_header', 'Host', '$http_host'),
    directive('proxy_http_version', '1.1'),
    directive('proxy_set_header', 'Upgrade', '$http_upgrade'),
    directive('proxy_set_header', 'Connection', CONNECTION_UPGRADE_VAR),
  ];
}

/** The docs' proxy_redirect lines: the nodes redirect to these paths without the context path. */
function contextRedirects(serverName: string, contextPath: string): ConfNode[] {
  return ['authenticationendpoint', 'oauth2', 'carbon'].map((app) =>
    directive(
      'proxy_redirect',
      `https://${serverName}/${app}/`,
      `https://${serverName}${contextPath}/${app}/`,
    ),
  );
}

/**
 * One proxying location. Every proxy_set_header sits here: headers set at server level would not
 * be inherited by a location that sets its own.
 */
function proxyLocation(ctx: Ctx, p: ProxyServerPlan, r: RoutePlan, hsts: boolean): ConfNode {
  const u = ctx.upstreams.get(r.upstream)!;
  const timeout =
    p.kind === 'websocket' ? literal(ctx.d.extras.websocketTimeout, 'WebSocket timeout') : PROXY_TIMEOUT;
  const body: ConfNode[] = [];
  if (ctx.d.adminAllow && u.port === 9443) {
    body.push(block('if', [`(${ADMIN_REFUSED_VAR})`], [directive('return', '403')]));
  }
  body.push(
    ...proxyHeaders(),
    directive('proxy_read_timeout', timeout),
    directive('proxy_send_timeout', timeout),
    ...(hsts ? [directive('add_header', 'Strict-Transport-Security', HSTS_VALUE, 'always')] : []),
    directive('proxy_pass', `${r.upstreamScheme}://${r.upstream}${r.stripPrefix ? '/' : ''}`),
  );
  if (r.stripPrefix && ctx.d.proxyContextPath)
    body.push(...contextRedirects(p.serverName, ctx.d.proxyContextPath));
  if (ctx.plus && ctx.d.health.active && !ctx.probed.has(u.name)) {
    ctx.probed.add(u.name);
    body.push(healthCheckFor(u.port));
  }
  return block('location', [r.path], body);
}

/** proxy_ssl_* for servers that proxy over TLS: the nodes' certificates must chain to the CA and carry the name. */
function upstreamTlsDirectives(ctx: Ctx, key: HostnameKey): ConfNode[] {
  if (!ctx.d.upstreamTls.verify) return [];
  const name = literal(ctx.d.sites[key].upstreamTlsName, `upstream TLS name of ${key}`);
  return [
    directive('proxy_ssl_verify', 'on'),
    // Room for an intermediate between the nodes' certificates and the trusted root.
    directive('proxy_ssl_verify_depth', '3'),
    directive('proxy_ssl_trusted_certificate', ctx.caPath),
    directive('proxy_ssl_name', name),
    directive('proxy_ssl_server_name', 'on'),
  ];
}

/** The trailing slash the portal apps need under a context path (the docs' `rewrite ... permanent`). */
function contextSlashRedirect(ctx: Ctx, contextPath: string): ConfNode {
  const apps = PORTAL_APPS[ctx.d.version].join('|');
  return block(
    'location',
    ['~', `^${contextPath.replaceAll('.', '\\.')}/(${apps})$`],
    [directive('return', '301', `${contextPath}/$1/`)],
  );
}

function proxyServer(ctx: Ctx, p: ProxyServerPlan): ConfNode[] {
  const { d, opts } = ctx;
  const site = d.sites[p.hostnameKey];
  const routes: RoutePlan[] = [
    { path: '/', upstream: p.upstream, upstreamScheme: p.upstreamScheme, stripPrefix: false },
    ...p.routes,
  ];
  const hsts = site.hsts && p.tls;
  const body: ConfNode[] = [
    ...listenDirectives(p.listenPort, p.tls, p.http2, opts.nginxVersion, opts.ipv6 ?? true),
    directive('server_name', literal(p.serverName, `hostname ${p.hostnameKey}`)),
    ...(p.tls ? tlsDirectives(d.tlsPaths, opts.nginxVersion) : []),
    ...logDirectives(opts.confPrefix, p.logDir),
    // Per-server statistics for the Plus API, which only the status endpoint serves.
    ...(ctx.plus && d.statusPort !== undefined
      ? [directive('status_zone', `wso2_apim_${p.hostnameKey}_${p.listenPort}`)]
      : []),
    directive(
      'client_max_body_size',
      literal(site.clientMaxBodySize, `client_max_body_size of ${p.hostnameKey}`),
    ),
    ...(routes.some((r) => r.upstreamScheme === 'https') ? upstreamTlsDirectives(ctx, p.hostnameKey) : []),
  ];
  const context = d.proxyContextPath;
  if (context && p.portal && p.routes.some((r) => r.stripPrefix))
    body.push(contextSlashRedirect(ctx, context));
  for (const r of routes) body.push(proxyLocation(ctx, p, r, hsts));
  const scheme = p.tls ? 'https' : 'http';
  return [comment(`${scheme}://${p.serverName}:${p.listenPort}: ${p.title}`), block('server', [], body)];
}

function port80Server(
  ctx: Ctx,
  key: HostnameKey,
  serverName: string,
  logDir: string,
  answer: ConfNode,
): ConfNode[] {
  return [
    block(
      'server',
      [],
      [
        ...listenDirectives(80, false, false, ctx.opts.nginxVersion, ctx.opts.ipv6 ?? true),
        directive('server_name', literal(serverName, `hostname ${key}`)),
        ...logDirectives(ctx.opts.confPrefix, logDir),
        answer,
      ],
    ),
  ];
}

/** The docs' `https://<host>/$1` has no capture to refer to; the request URI is what must be kept. */
function redirectServer(ctx: Ctx, r: RedirectServerPlan): ConfNode[] {
  const why =
    r.status === 308 ? 'redirect to HTTPS (308: API clients keep the method and body)' : 'redirect to HTTPS';
  return [
    comment(`http://${r.serverName}: ${why}`),
    ...port80Server(
      ctx,
      r.hostnameKey,
      r.serverName,
      r.logDir,
      directive('return', String(r.status), 'https://$host$request_uri'),
    ),
  ];
}

function httpsOnlyServer(ctx: Ctx, h: HttpsOnlyServerPlan): ConfNode[] {
  return [
    comment(
      `http://${h.serverName}: HTTPS only, as the docs serve API calls on this name (no redirect: it would turn POSTs into GETs)`,
    ),
    ...port80Server(ctx, h.hostnameKey, h.serverName, h.logDir, directive('return', '403')),
  ];
}

/**
 * Port 80 for names this file does not serve. It comes first, so nginx takes it as the default
 * server on :80 unless another file marks one `default_server` (Debian's stock site does);
 * `apim_default_server` marks this one.
 */
function catchAllServer(ctx: Ctx): ConfNode[] {
  const flag = ctx.d.defaultServer ? ['default_server'] : [];
  const listens = [directive('listen', 80, ...flag)];
  if (ctx.opts.ipv6 ?? true) listens.push(directive('listen', '[::]:80', ...flag));
  return [
    comment(
      `http://<any other name>: 421 Misdirected Request${ctx.d.defaultServer ? ' (default_server)' : ' (the default server on :80 unless another file claims default_server)'}`,
    ),
    block(
      'server',
      [],
      [
        ...listens,
        directive('server_name', CATCH_ALL_NAME),
        ...logDirectives(ctx.opts.confPrefix, 'default/http'),
        directive('return', '421'),
      ],
    ),
  ];
}

/**
 * A status endpoint for monitoring, on 127.0.0.1 only: stub_status, or the Plus API without write
 * access. Not on [::1]: nginx binds that address itself and fails where loopback has no IPv6
 * address (containers with IPv6 disabled), even though `[::]` listeners work there.
 */
function statusServer(ctx: Ctx, port: number): ConfNode[] {
  const location = ctx.plus
    ? block('location', ['/api/'], [directive('api', 'write=off')])
    : block('location', ['=', '/nginx_status'], [directive('stub_status')]);
  return [
    comment(
      `http://127.0.0.1:${port}${ctx.plus ? '/api/ (NGINX Plus API, read-only)' : '/nginx_status (stub_status)'}: status for monitoring`,
    ),
    block(
      'server',
      [],
      [
        directive('listen', `127.0.0.1:${port}`),
        directive('server_name', 'localhost'),
        directive('access_log', 'off'),
        directive('allow', '127.0.0.1'),
        directive('deny', 'all'),
        location,
      ],
    ),
  ];
}

function header(ctx: Ctx, sticky: StickyMethod | undefined): ConfNode[] {
  const { d, opts } = ctx;
  const edition = opts.edition === 'plus' ? 'NGINX Plus' : 'NGINX Community';
  const tls = d.upstreamTls;
  return [
    comment('Generated by apim-provision. Do not edit by hand: the next run overwrites this file.'),
    comment(layoutLabel(d.version, d.pattern)),
    comment(`${edition} (${opts.edition}), written for nginx ${opts.nginxVersion}`),
    comment(`Sticky sessions: ${sticky ?? 'not needed'}`),
    comment(`Server names (the certificate must cover them all): ${serverNames(ctx.plan).join(', ')}`),
    comment(
      tls.verify
        ? `Upstream TLS: the nodes' certificates are verified against ${tls.caFile}`
        : "Upstream TLS: the nodes' certificates are NOT verified (apim_upstream_tls_verify is off)",
    ),
  ];
}

function serverNames(plan: PatternPlan): string[] {
  return [...new Set(plan.proxies.map((p) => p.serverName))];
}

function directories(prefix: string, plan: PatternPlan): string[] {
  const dirs = [...plan.proxies, ...plan.redirects, ...plan.httpsOnly]
    .map((s) => `${prefix}/log/${s.logDir}`)
    .concat(`${prefix}/log/default/http`);
  return [...new Set(dirs)].sort();
}

function warningsFor(plan: PatternPlan, sticky: StickyMethod | undefined, opts: RenderOptions): string[] {
  const warnings = [...plan.warnings];
  const sticky9443 = plan.upstreams.filter((u) => u.balancing === 'sticky');
  if (sticky === 'ip_hash') {
    warnings.push(
      `${sticky9443.map((u) => u.name).join(', ')} use ip_hash (nginx ${opts.nginxVersion}, ${opts.edition}): clients behind one NAT or proxy share a node. ` +
        `Cookie stickiness needs NGINX Plus or nginx >= ${NGINX_FEATURES.ossSticky}.`,
    );
  }
  return warnings;
}

/** conf.d includes `*.conf`; a slash would write outside conf.d. */
function confFileName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.conf$/.test(name)) {
    throw new RangeError(`conf file name ${JSON.stringify(name)} must be a plain file name ending in .conf`);
  }
  return name;
}

/** The whole conf.d file for a deployment, for one nginx edition and version. */
export function renderConfig(d: Deployment, opts: RenderOptions): RenderedConfig {
  // `/etc/nginx/` and `/etc/nginx` are the same prefix; `/` becomes the empty string.
  const trimmed = opts.confPrefix.replace(/\/+$/, '');
  const prefix = trimmed === '' ? '' : literal(trimmed, 'conf prefix');
  const needed = planPattern(d).upstreams.some((u) => u.balancing === 'sticky');
  const sticky = resolveSticky(d, opts, needed);
  const plan = planPattern(d, sticky);
  const sslDir = d.tlsPaths.certificate.replace(/\/[^/]+$/, '');
  const ctx: Ctx = {
    d,
    opts: { ...opts, confPrefix: prefix },
    plan,
    upstreams: new Map(plan.upstreams.map((u) => [u.name, u])),
    plus: opts.edition === 'plus',
    probed: new Set(),
    caPath: literal(`${sslDir}/${UPSTREAM_CA_FILE}`, 'upstream CA path'),
  };

  const nodes: ConfNode[] = [...header(ctx, sticky), blank];
  nodes.push(
    comment('WebSocket upgrades pass through; other requests close the upstream connection.'),
    block(
      'map',
      ['$http_upgrade', CONNECTION_UPGRADE_VAR],
      [directive('default', 'upgrade'), directive("''", 'close')],
    ),
  );
  if (d.adminAllow) nodes.push(blank, ...adminRestriction(d, backendAddresses(d)));
  if (ctx.plus && d.health.active) nodes.push(blank, ...HEALTH_MATCHES);
  for (const u of plan.upstreams) nodes.push(blank, ...upstreamBlock(ctx, u));
  nodes.push(blank, ...catchAllServer(ctx));
  const redirects = new Map(plan.redirects.map((r) => [r.hostnameKey, r]));
  const refusals = new Map(plan.httpsOnly.map((h) => [h.hostnameKey, h]));
  for (const p of plan.proxies) {
    nodes.push(blank, ...proxyServer(ctx, p));
    if (p.listenPort !== 443) continue;
    const r = redirects.get(p.hostnameKey);
    if (r) nodes.push(blank, ...redirectServer(ctx, r));
    const h = refusals.get(p.hostnameKey);
    if (h) nodes.push(blank, ...httpsOnlyServer(ctx, h));
  }
  if (d.statusPort !== undefined) nodes.push(blank, ...statusServer(ctx, d.statusPort));

  return {
    path: `${prefix}/conf.d/${confFileName(d.confFileName)}`,
    content: printConf(nodes),
    directories: directories(prefix, plan),
    files: d.upstreamTls.verify ? [{ path: ctx.caPath, content: d.upstreamTls.caPem, mode: '0644' }] : [],
    serverNames: serverNames(plan),
    warnings: warningsFor(plan, sticky, opts),
  };
}

/** The API-M nodes' addresses that nginx's `allow`/`geo` can hold (IP literals), with their names. */
function backendAddresses(d: Deployment): { address: string; node: string }[] {
  const seen = new Map<string, string>();
  for (const backends of Object.values(d.nodes)) {
    for (const b of backends) if (isIP(b.address) && !seen.has(b.address)) seen.set(b.address, b.name);
  }
  return [...seen].map(([address, node]) => ({ address, node }));
}
