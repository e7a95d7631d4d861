/** The modules tasks run (one file each) and the registry they are listed in. */
export * from './contract.js';
export {
  MODULES,
  MODULE_CATALOG,
  moduleNamed,
  moduleSchema,
  moduleSpellings,
  validateRendered,
} from './registry.js';
export { apimQueries } from './apim-paths.js';
export { nodeQueries } from './apim-node.js';
export { DEFAULT_CONF_PREFIX, FALLBACK_NGINX_VERSION, planLoadBalancer } from './lb-plan.js';
export { normaliseMode, sha256 } from './files.js';
export { argumentNames, type Templatable } from './args.js';
