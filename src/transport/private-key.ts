import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';

import type { ParsedKey } from 'ssh2';
import { ssh2KeyParser } from './ssh2-module.js';

/** Parsed keys by content and passphrase: one run logs in to every host with the same key. */
const parsedKeys = new Map<string, ParsedKey | Error>();

/**
 * Decrypts once, up front: a bad passphrase is reported before connecting, and the key derivation
 * (bcrypt, ~0.1 s for an encrypted OpenSSH key) and parsing are done once per run, not once per host
 * and hop. The cache is keyed by digests, so neither the key nor the passphrase is kept as text.
 */
export function parsePrivateKey(data: Buffer, passphrase: string | undefined): ParsedKey | Error {
  const id = createHash('sha256')
    .update(data)
    .update('\0')
    .update(passphrase ?? '\0no passphrase')
    .digest('hex');
  let key = parsedKeys.get(id);
  if (key === undefined) {
    key = parse(data, passphrase);
    parsedKeys.set(id, key);
  }
  return key;
}

function parse(data: Buffer, passphrase: string | undefined): ParsedKey | Error {
  const parsed = ssh2KeyParser().parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
  if (parsed instanceof Error) return parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey()) return new Error('the file holds no private key');
  return signingWithKeyObject(key);
}

/** The digest each key type signs with when ssh2 names none (RSA's is always named). */
const DEFAULT_DIGEST: Record<string, string | null> = {
  'ssh-ed25519': null,
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
  'ssh-rsa': 'sha1',
};

/**
 * ssh2 signs with the key's PEM text, which OpenSSL decodes again at every signature (~1 ms of
 * controller CPU per login, bench/scale). The same key, signing with a KeyObject decoded once;
 * everything else is ssh2's own parsed key.
 */
function signingWithKeyObject(key: ParsedKey): ParsedKey {
  if (!(key.type in DEFAULT_DIGEST)) return key;
  let keyObject: KeyObject | undefined;
  return Object.create(key, {
    sign: {
      value(data: Buffer | string, algo?: string): Buffer | Error {
        try {
          keyObject ??= createPrivateKey(key.getPrivatePEM());
          return sign(algo ?? DEFAULT_DIGEST[key.type] ?? null, Buffer.from(data), keyObject);
        } catch (error) {
          return error as Error;
        }
      },
    },
  }) as ParsedKey;
}
