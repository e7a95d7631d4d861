export {
  compareNginxVersions,
  nginxVersionAtLeast,
  parseNginxVersion,
  EXPECTED_NGINX,
  NGINX_FEATURES,
} from './nginx-version.js';
export { decideEdition, needsSticky, type EditionOptions } from './edition.js';
export {
  ADMIN_PATHS,
  BROWSER_FACING,
  defaultGatewayHttp,
  layoutFor,
  patternsOf,
  rolesOfPattern,
  servedHostnameKeys,
  type Affinity,
  type Layout,
  type Site,
} from './layouts.js';
export {
  planPattern,
  planUpstreams,
  upstreamName,
  type Balancing,
  type HttpsOnlyServerPlan,
  type ListenerKind,
  type PatternPlan,
  type ProxyServerPlan,
  type RedirectServerPlan,
  type RoutePlan,
  type UpstreamPlan,
  type UpstreamServer,
  type Wso2Port,
} from './pattern-plan.js';
export { renderConfig, CATCH_ALL_NAME, CONNECTION_UPGRADE_VAR, UPSTREAM_CA_FILE } from './render-config.js';
export { TLS_CIPHERS, TLS_PROTOCOLS } from './tls-directives.js';
export {
  DEFAULT_CLIENT_MAX_BODY_SIZE,
  DEFAULT_HEALTH,
  DEFAULT_WEBSOCKET_TIMEOUT,
  defaultSites,
} from './defaults.js';
