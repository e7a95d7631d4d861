/**
 * Deployments whose rendered configurations are kept as golden files (test/golden/<variant>.conf).
 * Shared by the golden comparison and the real `nginx -t` syntax test.
 */
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
): Deployment {
  return {
    version,
    pattern,
    hostnames: version === '4.x' ? HOSTNAMES_4X : HOSTNAMES_3X,
    nodes: roleNodes,
    extras: { websocket: false, passthrough: false, hsts: false, ...extras },
    tlsPaths: { certificate: '/etc/nginx/ssl/apim.crt', key: '/etc/nginx/ssl/apim.key' },
    confFileName: 'apim.conf',
  };
}

export interface GoldenCase {
  name: string;
  deployment: Deployment;
  /** Whether some upstream needs stickiness: those cases are also rendered with a sticky cookie. */
  sticky: boolean;
}

export const GOLDEN_CASES: GoldenCase[] = [
  {
    name: '3x-single-node',
    deployment: deployment('3.x', 'single-node', { all_in_one: nodes('apim', 1, 1) }, { hsts: true }),
    sticky: false,
  },
  {
    name: '3x-active-active',
    deployment: deployment(
      '3.x',
      'active-active',
      { all_in_one: nodes('apim', 1, 2) },
      { websocket: true, passthrough: true, hsts: true },
    ),
    sticky: true,
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
      },
      { passthrough: true, hsts: true },
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
      { websocket: true, passthrough: true, hsts: true },
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
];

export interface GoldenVariant {
  /** File name stem under test/golden/. */
  file: string;
  case: GoldenCase;
  /** Render options without the prefix (golden files use /etc/nginx, the syntax test a temp dir). */
  options: Omit<RenderOptions, 'confPrefix'>;
  /** Oldest nginx that must accept the file. */
  requiredNginxVersion: string;
}

/** Every case as Community 1.22.1 (ip_hash where sticky), and sticky cases also with a cookie on 1.30.0. */
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
  }
  return variants;
}
