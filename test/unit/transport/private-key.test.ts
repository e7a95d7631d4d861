// Login keys are parsed once per run and sign with a decoded KeyObject: the signatures must be the
// ones ssh2 itself makes, for every key type it supports, and verify with the public key.
import ssh2, { type ParsedKey } from 'ssh2';
import { describe, expect, it } from 'vitest';

import { parsePrivateKey } from '../../../src/transport/private-key.js';
import { soundKeyPair } from '../../support/ssh-keypair.js';

const { utils } = ssh2;
const DATA = Buffer.from('session identifier and the userauth request');

function original(text: string, passphrase?: string): ParsedKey {
  const parsed = utils.parseKey(text, passphrase);
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

describe('parsePrivateKey', () => {
  it.each<[string, () => { private: string }, (string | undefined)[]]>([
    ['ed25519', () => soundKeyPair(() => utils.generateKeyPairSync('ed25519')), [undefined]],
    ['ECDSA P-256', () => utils.generateKeyPairSync('ecdsa', { bits: 256 }), [undefined, 'sha256']],
    ['ECDSA P-384', () => utils.generateKeyPairSync('ecdsa', { bits: 384 }), [undefined]],
    ['ECDSA P-521', () => utils.generateKeyPairSync('ecdsa', { bits: 521 }), [undefined]],
    ['RSA', () => utils.generateKeyPairSync('rsa', { bits: 2048 }), ['sha1', 'sha256', 'sha512']],
  ])('signs like ssh2 with a %s key', (_, generate, algos) => {
    const pair = generate();
    const key = parsePrivateKey(Buffer.from(pair.private), undefined);
    if (key instanceof Error) throw key;
    const ref = original(pair.private);
    expect(key.type).toBe(ref.type);
    expect(key.getPublicSSH().equals(ref.getPublicSSH())).toBe(true);
    for (const algo of algos) {
      const signature = key.sign(DATA, algo);
      expect(signature).toBeInstanceOf(Buffer);
      expect(ref.verify(DATA, signature, algo)).toBe(true);
      // ed25519 and RSA signatures are deterministic: byte for byte what ssh2 makes.
      if (!ref.type.startsWith('ecdsa')) expect(signature.equals(ref.sign(DATA, algo))).toBe(true);
    }
  });

  it('parses a key once per content and passphrase, and reports a wrong passphrase', () => {
    const pair = soundKeyPair(() =>
      utils.generateKeyPairSync('ed25519', {
        passphrase: 'right-Pass-1',
        cipher: 'aes256-cbc',
        rounds: 16,
      }),
    );
    const data = Buffer.from(pair.private);
    const first = parsePrivateKey(data, 'right-Pass-1');
    expect(first).not.toBeInstanceOf(Error);
    expect(parsePrivateKey(Buffer.from(pair.private), 'right-Pass-1')).toBe(first);
    expect(parsePrivateKey(data, 'wrong-Pass-2')).toBeInstanceOf(Error);
    expect(parsePrivateKey(data, undefined)).toBeInstanceOf(Error);
    const publicOnly = parsePrivateKey(Buffer.from(pair.public), undefined);
    expect(publicOnly).toBeInstanceOf(Error);
    expect((publicOnly as Error).message).toBe('the file holds no private key');
  });
});
