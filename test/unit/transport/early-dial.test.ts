/**
 * A host's first TCP connection is opened before its private key is read and parsed (the server
 * sets up its side meanwhile), is closed when the key cannot be used, and a connection refused
 * before ssh2 takes the socket fails the first attempt as before, with the retries that follow.
 * Real TCP on 127.0.0.1; the key is a FIFO, so the test decides when reading it ends.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import type { ConnectionSpec } from '../../../src/domain/types.js';
import { connect, UnreachableError } from '../../../src/transport/index.js';

function options(dir: string) {
  writeFileSync(join(dir, 'known_hosts'), '');
  return {
    knownHostsFiles: [join(dir, 'known_hosts')],
    acceptNewHostKeys: false,
    agentSocket: join(dir, 'no-agent'),
    defaultKeyFiles: [],
  };
}

function spec(port: number, extra: Partial<ConnectionSpec>): ConnectionSpec {
  return {
    host: '127.0.0.1',
    port,
    user: 'deploy',
    become: false,
    becomeUser: 'root',
    jumpHosts: [],
    connectTimeoutMs: 5_000,
    connectRetries: 1,
    ...extra,
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('the first TCP connection, opened early', () => {
  it('is open before the private key is read, and closed when the key cannot be used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apim-early-'));
    const key = join(dir, 'id_key');
    execFileSync('mkfifo', [key]);
    const accepted: Socket[] = [];
    const closed = new Promise<void>((resolve) => {
      const server = createServer((socket) => {
        accepted.push(socket);
        socket.on('close', () => {
          server.close();
          resolve();
        });
        // The key is still unread (its FIFO has no writer yet): now it becomes a key that is none.
        writeFileSync(key, 'not a key\n');
      });
      void listen(server).then((port) => {
        pending = connect(
          { name: 'lb1', connection: spec(port, { privateKeyFile: key }) },
          options(dir),
        ).catch((e: unknown) => e);
      });
    });
    let pending: Promise<unknown> | undefined;
    await closed;
    const error = await pending;
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toMatch(/Cannot use private key/);
    expect(accepted).toHaveLength(1);
  });

  it('a refused connection fails the first attempt with its own error, and is retried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apim-early-'));
    const probe = createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await connect(
      { name: 'lb1', connection: spec(port, { password: new Secret('not-used-here') }) },
      options(dir),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toContain(
      `after 2 attempts: cannot reach 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });
});
