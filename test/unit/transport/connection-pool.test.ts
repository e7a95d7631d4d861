import { describe, expect, it } from 'vitest';

import type { ConnectionSpec } from '../../../src/domain/types.js';
import type { ConnectTarget } from '../../../src/transport/connect-options.js';
import { ConnectionPool } from '../../../src/transport/connection-pool.js';
import { UnreachableError, type HostConnection } from '../../../src/transport/types.js';

function target(name: string): ConnectTarget {
  return { name, connection: { host: name } as ConnectionSpec };
}

function fakeConnection(hostName: string, closed: string[]): HostConnection {
  return {
    hostName,
    roundTrips: 2,
    run: async () => ({ code: 0, stdout: '', stderr: '' }),
    close: async () => void closed.push(hostName),
  };
}

describe('ConnectionPool', () => {
  it('connects lazily, once per host, and closes every connection at the end', async () => {
    const connects: string[] = [];
    const closed: string[] = [];
    const pool = new ConnectionPool({ knownHostsFiles: [], acceptNewHostKeys: false }, async (t) => {
      connects.push(t.name);
      if (t.name === 'down') throw new UnreachableError('down', 'refused');
      return fakeConnection(t.name, closed);
    });
    expect(connects).toEqual([]);
    const [a1, a2] = await Promise.all([pool.get(target('a')), pool.get(target('a'))]);
    expect(a1).toBe(a2);
    await pool.get(target('b'));
    await expect(pool.get(target('down'))).rejects.toBeInstanceOf(UnreachableError);
    await expect(pool.get(target('down'))).rejects.toBeInstanceOf(UnreachableError);
    expect(connects).toEqual(['a', 'b', 'down']);
    expect(await pool.roundTrips()).toEqual(
      new Map([
        ['a', 2],
        ['b', 2],
      ]),
    );
    await pool.closeAll();
    await pool.closeAll();
    expect(closed.sort()).toEqual(['a', 'b']);
  });
});
