/**
 * What the renderer writes unless the inventory says otherwise. None of WSO2's samples sets these;
 * each value is what a production estate needs (docs/inventory.md says why).
 */
import { HOSTNAME_KEYS, type HostnameKey, type SiteSettings, type UpstreamHealth } from '../domain/types.js';
import { BROWSER_FACING } from './layouts.js';

/**
 * nginx's own 1m makes Publisher imports and ordinary API payloads fail with 413; 100m covers API
 * archives, WSDL/OpenAPI imports and large API payloads while still bounding what is buffered.
 */
export const DEFAULT_CLIENT_MAX_BODY_SIZE = '100m';

/** WebSocket connections idle this long are closed (the portals' 5m would cut quiet subscriptions). */
export const DEFAULT_WEBSOCKET_TIMEOUT = '1h';

/**
 * Three failures within 30 s take a node out for 30 s: one slow answer (a JVM pause) does not
 * evict a node, a dead one stops getting traffic quickly. Plus probes it actively as well.
 */
export const DEFAULT_HEALTH: UpstreamHealth = { maxFails: 3, failTimeout: '30s', active: true };

/** Per hostname: HSTS on the browser-facing names, the default body size, TLS name = the hostname. */
export function defaultSites(hostnames: Record<HostnameKey, string>): Record<HostnameKey, SiteSettings> {
  const sites = {} as Record<HostnameKey, SiteSettings>;
  for (const key of HOSTNAME_KEYS) {
    sites[key] = {
      hsts: BROWSER_FACING.includes(key),
      clientMaxBodySize: DEFAULT_CLIENT_MAX_BODY_SIZE,
      upstreamTlsName: hostnames[key],
    };
  }
  return sites;
}
