/** Remote programs (src/remote/sh, assembled with a generated input) and the parsers of their `@@APIM` output. */
export * from './output-protocol.js';
export {
  PROGRAMS,
  RUN_LOGS_TO_KEEP,
  compactScript,
  program,
  programScripts,
  scriptChunks,
  scriptSource,
  scriptSources,
  type ProgramName,
  type ScriptFile,
} from './scripts.js';
export { ScriptInput } from './script-input.js';
export * from './values.js';
export * from './facts.js';
export * from './ops.js';
export * from './transaction.js';
export * from './transaction-result.js';
export * from './node-transaction.js';
export * from './rollback.js';
export * from './install.js';
export * from './install-files.js';
