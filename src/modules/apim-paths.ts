import type { LoadBalancer } from '../domain/types.js';
import { renderConfig } from '../patterns/index.js';
import { DEFAULT_CONF_PREFIX, FALLBACK_NGINX_VERSION } from './lb-plan.js';

/**
 * The paths the WSO2 modules manage on a load balancer, so the first facts round trip already
 * knows their state. Another conf prefix (from nginx -V) is looked up later, on demand.
 */
export function apimPaths(lb: LoadBalancer): string[] {
  const d = lb.deployment;
  const rendered = renderConfig(d, {
    edition: 'oss',
    nginxVersion: FALLBACK_NGINX_VERSION,
    confPrefix: DEFAULT_CONF_PREFIX,
  });
  const sslDir = d.tlsPaths.certificate.replace(/\/[^/]+$/, '');
  return [
    rendered.path,
    d.tlsPaths.certificate,
    d.tlsPaths.key,
    sslDir,
    ...rendered.files.map((f) => f.path),
    ...rendered.directories,
  ];
}
