/**
 * An OpenSSH server announces its other host keys after login (hostkeys-00@openssh.com); ssh2 asks
 * it to prove every one (the server signs with each host key, RSA included), which the transport
 * declines (ssh-hop.ts). A real ssh2 Client, logged in to an ssh2 server on loopback, so a change of
 * ssh2's private layout that the wrapper relies on fails here.
 */
import ssh2, { type Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { declineHostKeyAnnouncements } from '../../../src/transport/ssh-hop.js';
import { soundKeyPair } from '../../support/ssh-keypair.js';

interface Internals {
  _protocol: {
    _handlers: { GLOBAL_REQUEST: (proto: unknown, name: string, wantReply: boolean, data: unknown) => void };
    openssh_hostKeysProve(keys: unknown[]): void;
    requestFailure(): void;
  };
}

let server: ssh2.Server;
let port = 0;
beforeAll(async () => {
  const hostKey = soundKeyPair(() => ssh2.utils.generateKeyPairSync('ed25519'));
  server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) =>
      ctx.method === 'password' ? ctx.accept() : ctx.reject(['password']),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A logged-in client, `declined` or not, with spies on what it would send. */
async function loggedIn(declined: boolean) {
  const client: Client = new ssh2.Client();
  client.on('error', () => undefined);
  const ready = new Promise<void>((resolve) => client.once('ready', resolve));
  client.connect({ host: '127.0.0.1', port, username: 'deploy', password: 'any', hostVerifier: () => true });
  if (declined) declineHostKeyAnnouncements(client);
  await ready;
  const proto = (client as unknown as Internals)._protocol;
  const prove = vi.spyOn(proto, 'openssh_hostKeysProve');
  const failure = vi.spyOn(proto, 'requestFailure');
  return { client, proto, prove, failure };
}

describe('host key announcements after login', () => {
  it('are proved by plain ssh2: the server would sign with every host key', async () => {
    const { client, proto, prove } = await loggedIn(false);
    try {
      proto._handlers.GLOBAL_REQUEST(proto, 'hostkeys-00@openssh.com', false, []);
      expect(prove).toHaveBeenCalledTimes(1);
    } finally {
      client.end();
    }
  });

  it('are declined by the transport, and every other global request still reaches ssh2', async () => {
    const { client, proto, prove, failure } = await loggedIn(true);
    try {
      proto._handlers.GLOBAL_REQUEST(proto, 'hostkeys-00@openssh.com', false, []);
      expect(prove).not.toHaveBeenCalled();
      expect(failure).not.toHaveBeenCalled();
      proto._handlers.GLOBAL_REQUEST(proto, 'hostkeys-00@openssh.com', true, []);
      expect(failure).toHaveBeenCalledTimes(1);
      // ssh2's own answer to anything else (a server's keepalive): a failure reply.
      proto._handlers.GLOBAL_REQUEST(proto, 'keepalive@openssh.com', true, undefined);
      expect(failure).toHaveBeenCalledTimes(2);
      expect(prove).not.toHaveBeenCalled();
    } finally {
      client.end();
    }
  });
});
