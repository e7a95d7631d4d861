/**
 * Issue 14, Ctrl-C while connecting: a host that accepts TCP and never speaks SSH used to hold the
 * run for attempts x timeout (~28 s by default). Aborting drops the attempt in flight and starts
 * no retry. A real TCP listener on 127.0.0.1 plays the silent host.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import { connect, ConnectAborted } from '../../../src/transport/index.js';

describe('connect and Ctrl-C', () => {
  it('gives up at once on abort: no retry, no 10 s handshake wait', async () => {
    const sockets: Socket[] = [];
    const controller = new AbortController();
    let abortedAt = 0;
    // Ctrl-C once the silent host holds the connection, the client waiting for its SSH banner. (A
    // fixed 300 ms after the start could come before the attempt connected on a busy machine, and
    // then no socket was ever seen.)
    const server = createServer((socket) => {
      sockets.push(socket);
      abortedAt ||= Date.now();
      controller.abort();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'apim-abort-'));
    writeFileSync(join(dir, 'known_hosts'), '');
    try {
      const error = await connect(
        {
          name: 'lb1',
          connection: {
            host: '127.0.0.1',
            port,
            user: 'deploy',
            password: new Secret('not-used-here'),
            become: false,
            becomeUser: 'root',
            jumpHosts: [],
            connectTimeoutMs: 10_000,
            connectRetries: 3,
          },
        },
        {
          knownHostsFiles: [join(dir, 'known_hosts')],
          acceptNewHostKeys: false,
          agentSocket: join(dir, 'no-agent'),
          defaultKeyFiles: [],
          signal: controller.signal,
        },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectAborted);
      expect(abortedAt).toBeGreaterThan(0);
      expect(Date.now() - abortedAt).toBeLessThan(2_000);
      expect(sockets.length).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
