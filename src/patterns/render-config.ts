import type { Deployment, RenderOptions, RenderedConfig, StickyMethod } from '../domain/types.js';
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
  type PatternPlan,
  type ProxyServerPlan,
  type RedirectServerPlan,
  type UpstreamPlan,
} from './pattern-plan.js';
import { HSTS_VALUE, listenDirectives, tlsDirectives } from './tls-directives.js';

/** Named for this tool so it cannot clash with a `$connection_upgrade` map of the user's own. */
export const CONNECTION_UPGRADE_VAR = '$apim_connection_upgrade';

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

function upstreamBlock(u: UpstreamPlan): ConfNode[] {
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
  for (const s of u.servers) {
    body.push(annotated(s.node, 'server', serverAddress(s.address, s.port), ...(s.backup ? ['backup'] : [])));
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

/** Every proxy_set_header sits in `location /`: headers set at server level would not be inherited. */
function proxyLocation(p: ProxyServerPlan, hsts: boolean): ConfNode {
  return block(
    'location',
    ['/'],
    [
      directive('proxy_set_header', 'X-Forwarded-Host', '$host'),
      directive('proxy_set_header', 'X-Forwarded-Server', '$host'),
      directive('proxy_set_header', 'X-Forwarded-For', '$proxy_add_x_forwarded_for'),
      directive('proxy_set_header', 'X-Forwarded-Proto', '$scheme'),
      directive('proxy_set_header', 'X-Forwarded-Port', '$server_port'),
      directive('proxy_set_header', 'Host', '$http_host'),
      directive('proxy_http_version', '1.1'),
      directive('proxy_set_header', 'Upgrade', '$http_upgrade'),
      directive('proxy_set_header', 'Connection', CONNECTION_UPGRADE_VAR),
      directive('proxy_read_timeout', '5m'),
      directive('proxy_send_timeout', '5m'),
      ...(hsts ? [directive('add_header', 'Strict-Transport-Security', HSTS_VALUE, 'always')] : []),
      directive('proxy_pass', `${p.upstreamScheme}://${p.upstream}`),
    ],
  );
}

function proxyServer(d: Deployment, opts: RenderOptions, p: ProxyServerPlan): ConfNode[] {
  const body: ConfNode[] = [
    ...listenDirectives(p.listenPort, p.tls, p.http2, opts.nginxVersion, opts.ipv6 ?? true),
    directive('server_name', literal(p.serverName, `hostname ${p.hostnameKey}`)),
    ...(p.tls ? tlsDirectives(d.tlsPaths, opts.nginxVersion) : []),
    ...logDirectives(opts.confPrefix, p.logDir),
    proxyLocation(p, d.extras.hsts && p.portal && p.tls),
  ];
  const scheme = p.tls ? 'https' : 'http';
  return [comment(`${scheme}://${p.serverName}:${p.listenPort}: ${p.title}`), block('server', [], body)];
}

/** The docs' `https://<host>/$1` has no capture to refer to; the request URI is what must be kept. */
function redirectServer(opts: RenderOptions, r: RedirectServerPlan): ConfNode[] {
  return [
    comment(`http://${r.serverName}: redirect to HTTPS`),
    block(
      'server',
      [],
      [
        ...listenDirectives(80, false, false, opts.nginxVersion, opts.ipv6 ?? true),
        directive('server_name', literal(r.serverName, `hostname ${r.hostnameKey}`)),
        ...logDirectives(opts.confPrefix, r.logDir),
        directive('return', '301', 'https://$host$request_uri'),
      ],
    ),
  ];
}

function header(
  d: Deployment,
  opts: RenderOptions,
  plan: PatternPlan,
  sticky: StickyMethod | undefined,
): ConfNode[] {
  const edition = opts.edition === 'plus' ? 'NGINX Plus' : 'NGINX Community';
  return [
    comment('Generated by apim-provision. Do not edit by hand: the next run overwrites this file.'),
    comment(layoutLabel(d.version, d.pattern)),
    comment(`${edition} (${opts.edition}), written for nginx ${opts.nginxVersion}`),
    comment(`Sticky sessions: ${sticky ?? 'not needed'}`),
    comment(`Server names (the certificate must cover them all): ${serverNames(plan).join(', ')}`),
  ];
}

function serverNames(plan: PatternPlan): string[] {
  return [...new Set(plan.proxies.map((p) => p.serverName))];
}

function directories(prefix: string, plan: PatternPlan): string[] {
  const dirs = [...plan.proxies, ...plan.redirects].map((s) => `${prefix}/log/${s.logDir}`);
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
  const options = { ...opts, confPrefix: prefix };

  const nodes: ConfNode[] = [...header(d, options, plan, sticky), blank];
  nodes.push(
    comment('WebSocket upgrades pass through; other requests close the upstream connection.'),
    block(
      'map',
      ['$http_upgrade', CONNECTION_UPGRADE_VAR],
      [directive('default', 'upgrade'), directive("''", 'close')],
    ),
  );
  for (const u of plan.upstreams) nodes.push(blank, ...upstreamBlock(u));
  const redirects = new Map(plan.redirects.map((r) => [r.hostnameKey, r]));
  for (const p of plan.proxies) {
    nodes.push(blank, ...proxyServer(d, options, p));
    const r = p.listenPort === 443 ? redirects.get(p.hostnameKey) : undefined;
    if (r) nodes.push(blank, ...redirectServer(options, r));
  }

  return {
    path: `${prefix}/conf.d/${confFileName(d.confFileName)}`,
    content: printConf(nodes),
    directories: directories(prefix, plan),
    serverNames: serverNames(plan),
    warnings: warningsFor(plan, sticky, opts),
  };
}
