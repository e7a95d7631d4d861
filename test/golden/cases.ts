/**
 * Deployments whose rendered configurations are kept as golden files (test/golden/<variant>.conf).
 * Shared by the golden comparison and the real `nginx -t` syntax test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_HEALTH,
  DEFAULT_WEBSOCKET_TIMEOUT,
  defaultGatewayHttp,
  defaultSites,
} from '../../src/patterns/index.js';
import type {
  ApimVersion,
  Backend,
  ComponentRole,
  Deployment,
  HostnameKey,
  PatternName,
  RenderOptions,
} from '../../src/domain/types.js';

export const HOSTNAMES_3X: Record<HostnameKey, string> = {
  api: 'api.am.wso2.com',
  gw: 'gw.am.wso2.com',
  mgtgw: 'mgtgw.am.wso2.com',
  publisher: 'publisher.am.wso2.com',
  store: 'store.am.wso2.com',
  km: 'km.am.wso2.com',
  cp: 'cp.am.wso2.com',
  tm: 'tm.am.wso2.com',
};

export const HOSTNAMES_4X: Record<HostnameKey, string> = { ...HOSTNAMES_3X, mgtgw: 'gwm.am.wso2.com' };

/** Nodes named `<prefix>1..n` at 10.0.<subnet>.11.., offset 0 unless given. */
export function nodes(prefix: string, subnet: number, count: number, offsets: number[] = []): Backend[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}${i + 1}`,
    address: `10.0.${subnet}.${11 + i}`,
    portOffset: offsets[i] ?? 0,
  }));
}

export function deployment(
  version: ApimVersion,
  pattern: PatternName,
  roleNodes: Partial<Record<ComponentRole, Backend[]>>,
  extras: Partial<Deployment['extras']> = {},
  settings: Partial<Omit<Deployment, 'extras'>> = {},
): Deployment {
  const hostnames = settings.hostnames ?? (version === '4.x' ? HOSTNAMES_4X : HOSTNAMES_3X);
  return {
    version,
    pattern,
    hostnames,
    nodes: roleNodes,
    extras: {
      websocket: false,
      passthrough: false,
      websub: false,
      websocketTimeout: DEFAULT_WEBSOCKET_TIMEOUT,
      ...extras,
    },
    gatewayHttp: defaultGatewayHttp(version, pattern),
    sites: defaultSites(hostnames),
    upstreamTls: { verify: false, deliberate: false },
    health: { ...DEFAULT_HEALTH },
    defaultServer: false,
    tlsPaths: { certificate: '/etc/nginx/ssl/apim.crt', key: '/etc/nginx/ssl/apim.key' },
    confFileName: 'apim.conf',
    ...settings,
  };
}

/** A public CA certificate (its key was thrown away) for the upstream-verification variants. */
export const UPSTREAM_CA_PEM = readFileSync(join(import.meta.dirname, 'upstream-ca.pem'), 'utf8');

/** Every production setting away from its default, on a 4.x distributed deployment. */
function hardened4x(): Deployment {
  const sites = defaultSites(HOSTNAMES_4X);
  sites.gw = { ...sites.gw, clientMaxBodySize: '0', upstreamTlsName: 'gateway.internal.example' };
  sites.cp = { ...sites.cp, hsts: false, clientMaxBodySize: '20m' };
  sites.tm = { ...sites.tm, hsts: true };
  return deployment(
    '4.x',
    'distributed',
    { gateway: nodes('gw', 3, 2), control_plane: nodes('cp', 7, 2), traffic_manager: nodes('tm', 8, 2) },
    { websocket: true, websub: true, websocketTimeout: '30m' },
    {
      sites,
      proxyContextPath: '/apim',
      gatewayHttp: 'redirect',
      upstreamTls: { verify: true, caFile: 'ca/nodes-ca.pem', caPem: UPSTREAM_CA_PEM },
      health: { maxFails: 5, failTimeout: '1m', active: true },
      adminAllow: ['10.20.0.0/16', '2001:db8:1::/48'],
      statusPort: 8081,
      defaultServer: true,
    },
  );
}

export interface GoldenCase {
  name: string;
  deployment: Deployment;
  /** Whether some upstream needs stickiness: those cases are also rendered with a sticky cookie. */
  sticky: boolean;
  /** Also rendered for NGINX Plus (health checks, status API, status zones). */
  plus?: boolean;
}

export const GOLDEN_CASES: GoldenCase[] = [
  {
    name: '3x-single-node',
    deployment: deployment('3.x', 'single-node', { all_in_one: nodes('apim', 1, 1) }),
    sticky: false,
  },
  {
    name: '3x-active-active',
    deployment: deployment(
      '3.x',
      'active-active',
      { all_in_one: nodes('apim', 1, 2) },
      { websocket: true, passthrough: true },
    ),
    sticky: true,
    plus: true,
  },
  {
    name: '3x-ha-gateway-1-manager',
    deployment: deployment('3.x', 'distributed', {
      gateway_manager: nodes('gwmgr', 2, 1),
      gateway: nodes('gw', 3, 2),
    }),
    sticky: false,
  },
  {
    name: '3x-ha-gateway-2-managers',
    deployment: deployment(
      '3.x',
      'distributed',
      { gateway_manager: nodes('gwmgr', 2, 2), gateway: nodes('gw', 3, 2) },
      { websocket: true },
    ),
    sticky: true,
  },
  {
    name: '3x-ha-publisher',
    deployment: deployment('3.x', 'distributed', { publisher: nodes('pub', 4, 2) }),
    sticky: true,
  },
  {
    name: '3x-ha-store',
    deployment: deployment('3.x', 'distributed', { devportal: nodes('store', 5, 2) }),
    sticky: true,
  },
  {
    name: '3x-ha-keymanager',
    deployment: deployment('3.x', 'distributed', { keymanager: nodes('km', 6, 2) }),
    sticky: true,
  },
  {
    name: '26-fully-distributed',
    deployment: deployment(
      '2.6',
      'distributed',
      {
        gateway_manager: nodes('gwmgr', 2, 2),
        gateway: nodes('gw', 3, 2),
        publisher: nodes('pub', 4, 2),
        devportal: nodes('store', 5, 2),
        keymanager: nodes('km', 6, 2),
        traffic_manager: nodes('tm', 8, 2),
      },
      { passthrough: true },
    ),
    sticky: true,
  },
  {
    name: '4x-distributed',
    deployment: deployment(
      '4.x',
      'distributed',
      {
        gateway: nodes('gw', 3, 2),
        control_plane: nodes('cp', 7, 2),
        traffic_manager: nodes('tm', 8, 2),
      },
      { websocket: true, passthrough: true },
    ),
    sticky: true,
  },
  {
    name: '4x-active-active',
    // Both nodes on one host: the second runs with port offset 1.
    deployment: deployment('4.x', 'active-active', {
      all_in_one: [
        { name: 'apim1', address: '10.0.1.11', portOffset: 0 },
        { name: 'apim2', address: '10.0.1.11', portOffset: 1 },
      ],
    }),
    sticky: true,
  },
  {
    name: '3x-ha-traffic-manager',
    deployment: deployment('3.x', 'distributed', { traffic_manager: nodes('tm', 8, 2) }),
    sticky: true,
  },
  {
    // Gateways without a manager: a shared-file-system cluster, /services/ sticky on their 9443.
    name: '3x-gateway-cluster',
    deployment: deployment(
      '3.x',
      'distributed',
      { gateway: nodes('gw', 3, 2) },
      { websocket: true, passthrough: true },
    ),
    sticky: true,
  },
  {
    name: '4x-distributed-keymanager',
    deployment: deployment(
      '4.x',
      'distributed',
      {
        gateway: nodes('gw', 3, 2),
        control_plane: nodes('cp', 7, 2),
        keymanager: nodes('km', 6, 2),
        traffic_manager: nodes('tm', 8, 2),
      },
      { websub: true },
    ),
    sticky: true,
  },
  {
    name: '4x-simple-scalable',
    deployment: deployment(
      '4.x',
      'simple-scalable',
      { all_in_one: nodes('apim', 1, 2), gateway: nodes('gw', 3, 2) },
      { websocket: true, websub: true },
    ),
    sticky: true,
  },
  {
    name: '3x-active-active-context-path',
    deployment: deployment('3.x', 'active-active', { all_in_one: nodes('apim', 1, 2) }, {}, { proxyContextPath: '/apim' }),
    sticky: true,
  },
  { name: '4x-distributed-hardened', deployment: hardened4x(), sticky: true, plus: true },
];

/** The NGINX Plus release the Plus variants are written for (R33: the first with the licence JWT). */
export const PLUS_VERSION = '1.27.2 (nginx-plus-r33)';

export interface GoldenVariant {
  /** File name stem under test/golden/. */
  file: string;
  case: GoldenCase;
  /** Render options without the prefix (golden files use /etc/nginx, the syntax test a temp dir). */
  options: Omit<RenderOptions, 'confPrefix'>;
  /** Oldest nginx that must accept the file. */
  requiredNginxVersion: string;
}

/**
 * Every case as Community 1.22.1 (ip_hash where sticky), sticky cases also with a cookie on 1.30.0,
 * and some as NGINX Plus (which no machine here runs: those are compared, never `nginx -t`ed).
 */
export function goldenVariants(): GoldenVariant[] {
  const variants: GoldenVariant[] = [];
  for (const c of GOLDEN_CASES) {
    variants.push({
      file: `${c.name}.oss-1.22.1${c.sticky ? '-ip_hash' : ''}`,
      case: c,
      options: { edition: 'oss', nginxVersion: '1.22.1', ...(c.sticky ? { sticky: 'ip_hash' as const } : {}) },
      requiredNginxVersion: '1.22.1',
    });
    if (c.sticky) {
      variants.push({
        file: `${c.name}.oss-1.30.0-sticky-cookie`,
        case: c,
        options: { edition: 'oss', nginxVersion: '1.30.0', sticky: 'sticky-cookie' },
        requiredNginxVersion: '1.30.0',
      });
    }
    if (c.plus) {
      variants.push({
        file: `${c.name}.plus-r33`,
        case: c,
        options: { edition: 'plus', nginxVersion: PLUS_VERSION, ...(c.sticky ? { sticky: 'sticky-cookie' as const } : {}) },
        requiredNginxVersion: PLUS_VERSION,
      });
    }
  }
  return variants;
}
