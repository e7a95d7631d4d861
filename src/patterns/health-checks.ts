import { block, comment, directive, type ConfNode } from './nginx-conf.js';
import type { Wso2Port } from './layouts.js';

/**
 * What a healthy API-M node answers to NGINX Plus probes: the Version admin service on the
 * servlet port (WSO2's "basic health checks" page), `/health` on the WebSocket ports, and any
 * HTTP answer on the API ports (which have no health resource of their own).
 */
export const HEALTH_MATCHES: ConfNode[] = [
  comment('NGINX Plus active health checks: what a healthy API-M node answers.'),
  block(
    'match',
    ['wso2_apim_version'],
    [directive('status', '200'), directive('body', '~', '"getVersionResponse"')],
  ),
  block('match', ['wso2_apim_responds'], [directive('status', '200-499')]),
];

/** One probe per upstream, every 5 s: out after 3 failures, back after 2 successes. */
export function healthCheckFor(port: Wso2Port): ConfNode {
  const probe =
    port === 9443
      ? ['uri=/services/Version', 'match=wso2_apim_version']
      : port === 8099 || port === 9099
        ? ['uri=/health', 'match=wso2_apim_responds']
        : ['uri=/', 'match=wso2_apim_responds'];
  return directive('health_check', 'interval=5s', 'fails=3', 'passes=2', ...probe);
}
