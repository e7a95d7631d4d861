export {
  compareNginxVersions,
  nginxVersionAtLeast,
  parseNginxVersion,
  NGINX_FEATURES,
} from './nginx-version.js';
export { decideEdition, needsSticky, type EditionOptions } from './edition.js';
export {
  planPattern,
  planUpstreams,
  upstreamName,
  type Balancing,
  type PatternPlan,
  type ProxyServerPlan,
  type RedirectServerPlan,
  type UpstreamPlan,
  type UpstreamServer,
  type Wso2Port,
} from './pattern-plan.js';
export { renderConfig, CONNECTION_UPGRADE_VAR } from './render-config.js';
export { TLS_CIPHERS, TLS_PROTOCOLS } from './tls-directives.js';
