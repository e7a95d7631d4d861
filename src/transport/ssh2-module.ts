import type * as Ssh2 from 'ssh2';
import { lazyRequire } from '../domain/lazy-require.js';

/**
 * ssh2's client and its key parser (with its crypto set-up), each loaded by its first use: a
 * connection, a key parse. Not ssh2's index, which also loads its server, key generation and HTTP(S)
 * agents (node:http, https and tls), none of which the controller uses.
 */
export const ssh2Client = lazyRequire<typeof Ssh2.Client>('ssh2/lib/client.js');
export const ssh2KeyParser = lazyRequire<Pick<typeof Ssh2.utils, 'parseKey'>>(
  'ssh2/lib/protocol/keyParser.js',
);
