export { buildGraph, configuredNodes, type LoadBalancerInput } from './build-model.js';
export { toDot } from './dot.js';
export {
  formatOfFile,
  GRAPH_FILE_EXTENSIONS,
  GRAPH_FORMATS,
  renderGraph,
  type GraphFormat,
} from './formats.js';
export { toMermaid } from './mermaid.js';
export type * from './model.js';
export {
  plannedNginx,
  withRunChanges,
  type PlannedNginxView,
  type RunOutcome,
  type Scrub,
} from './run-changes.js';
export { layoutSvg, toSvg } from './svg.js';
