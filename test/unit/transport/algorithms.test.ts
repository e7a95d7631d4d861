/**
 * What the transport negotiates: the cheapest safe algorithms a server offers, and never a weak one.
 * The servers are ssh2's own, in this process on loopback, so each can be restricted to a few
 * algorithms (the real OpenSSH choice is checked in test/integration/transport.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ssh2, { type Algorithms } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';

import { Secret } from '../../../src/domain/secret.js';
import { SSH_ALGORITHMS } from '../../../src/transport/algorithms.js';
import { connect } from '../../../src/transport/connect.js';
import { UnreachableError } from '../../../src/transport/types.js';
import { soundKeyPair } from '../../support/ssh-keypair.js';

const work = mkdtempSync(join(tmpdir(), 'apim-algorithms-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A server offering only `algorithms` (ssh2's defaults for the rest), accepting any password. */
async function server(keyType: 'ed25519' | 'ecdsa', algorithms: Algorithms = {}) {
  const hostKey = soundKeyPair(() =>
    ssh2.utils.generateKeyPairSync(keyType, keyType === 'ecdsa' ? { bits: 256 } : {}),
  );
  const srv = new ssh2.Server({ hostKeys: [hostKey.private], algorithms }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) =>
      ctx.method === 'password' ? ctx.accept() : ctx.reject(['password']),
    );
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  const knownHosts = join(work, `known_hosts_${port}`);
  const [type, blob] = hostKey.public.split(' ');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${type} ${blob}\n`);
  return { port, knownHosts, close: () => new Promise((resolve) => srv.close(resolve)) };
}

/** Connects with the real transport; returns the -vvv line naming what was negotiated. */
async function negotiated(keyType: 'ed25519' | 'ecdsa', algorithms?: Algorithms): Promise<string> {
  const srv = await server(keyType, algorithms);
  const trace: string[] = [];
  try {
    const connection = await connect(
      {
        name: 'lb1',
        connection: {
          host: '127.0.0.1',
          port: srv.port,
          user: 'deploy',
          password: new Secret('any-Password-3f'),
          become: false,
          becomeUser: 'root',
          jumpHosts: [],
          connectTimeoutMs: 5000,
          connectRetries: 0,
        },
      },
      {
        knownHostsFiles: [srv.knownHosts],
        acceptNewHostKeys: false,
        agentSocket: '',
        defaultKeyFiles: [],
        onTrace: (e) => trace.push(e.message),
      },
    );
    await connection.close();
    const line = trace.find((t) => t.includes('key exchange'));
    if (!line) throw new Error(`no negotiation line in the trace:\n${trace.join('\n')}`);
    return line.replace(/^\S+: /, '');
  } finally {
    await srv.close();
  }
}

describe('SSH algorithms', () => {
  it('takes curve25519, the ed25519 host key and AES-GCM from a server offering everything', async () => {
    expect(await negotiated('ed25519')).toBe(
      'key exchange curve25519-sha256, host key ssh-ed25519, cipher aes128-gcm@openssh.com',
    );
  });

  it('falls back to what an older server has, still without SHA-1', async () => {
    expect(
      await negotiated('ecdsa', {
        kex: ['ecdh-sha2-nistp256', 'diffie-hellman-group14-sha1'],
        cipher: ['aes128-ctr', 'aes128-cbc'],
        hmac: ['hmac-sha2-256', 'hmac-sha1'],
      }),
    ).toBe(
      'key exchange ecdh-sha2-nistp256, host key ecdsa-sha2-nistp256, cipher aes128-ctr with hmac-sha2-256',
    );
    expect(await negotiated('ed25519', { cipher: ['chacha20-poly1305@openssh.com'] })).toContain(
      'cipher chacha20-poly1305@openssh.com',
    );
  });

  it.each<[string, Algorithms]>([
    ['SHA-1 key exchange', { kex: ['diffie-hellman-group14-sha1', 'diffie-hellman-group1-sha1'] }],
    ['CBC ciphers', { cipher: ['aes128-cbc', '3des-cbc'] }],
    ['SHA-1 MACs', { cipher: ['aes128-ctr'], hmac: ['hmac-sha1', 'hmac-md5'] }],
    ['compression', { compress: ['zlib'] }],
  ])('refuses a server that offers only %s', async (_, algorithms) => {
    const error = await negotiated('ed25519', algorithms).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toMatch(/Handshake failed: no matching/);
  });

  it('offers only algorithms this ssh2 supports, AEAD ciphers first', () => {
    // ssh2 throws "Unsupported algorithm" from connect() for a name it does not know.
    expect(() =>
      new ssh2.Client()
        .on('error', () => undefined)
        .connect({ host: '127.0.0.1', port: 9, username: 'x', algorithms: SSH_ALGORITHMS })
        .end(),
    ).not.toThrow();
    expect(SSH_ALGORITHMS.kex[0]).toBe('curve25519-sha256');
    expect(SSH_ALGORITHMS.cipher.slice(0, 3)).toEqual([
      'aes128-gcm@openssh.com',
      'aes256-gcm@openssh.com',
      'chacha20-poly1305@openssh.com',
    ]);
    expect(SSH_ALGORITHMS.compress).toEqual(['none']);
  });
});
