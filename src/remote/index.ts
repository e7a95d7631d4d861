/** Remote scripts (pure generators) and the parsers of their `@@APIM` output. */
export * from './output-protocol.js';
export { shQuote } from './shell.js';
export { RUN_LOGS_TO_KEEP } from './shell-lib.js';
export * from './facts.js';
export * from './read-files.js';
export * from './transaction.js';
export * from './transaction-result.js';
export * from './rollback.js';
export * from './install.js';
export * from './install-files.js';
