import type * as Ssh2 from 'ssh2';
import { lazyRequire } from '../domain/lazy-require.js';

/** ssh2 (with its crypto set-up, ~0.15 s of CPU) is loaded by the first connection or key parse only. */
export const ssh2 = lazyRequire<typeof Ssh2>('ssh2');
