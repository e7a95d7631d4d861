/** The transport layer's public surface: SSH connections to hosts. */
export { askPassword, PromptInterrupted } from './ask-password.js';
export { connect } from './connect.js';
export type { ConnectOptions, ConnectTarget, NewHostKeyEvent } from './connect-options.js';
export { ConnectionPool } from './connection-pool.js';
export { sshFingerprint } from './fingerprint.js';
export { shellQuote } from './shell-quote.js';
export * from './types.js';
