import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Secret } from '../domain/secret.js';
import { CertificateError } from './errors.js';

/** Legacy OpenSSL encryption (`openssl genrsa -des3 -traditional`) or encrypted PKCS#8. */
export function isEncryptedPrivateKey(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(pem);
}

/**
 * Reads a private key, decrypting it with `passphrase` when it is encrypted (the docs' "remove the
 * password" step). Returns the key object; error messages never contain the passphrase.
 */
export function readPrivateKey(pem: string, passphrase?: Secret): KeyObject {
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
    throw new CertificateError(
      'the key file holds no PEM private key (expected "-----BEGIN ... PRIVATE KEY-----")',
    );
  }
  const encrypted = isEncryptedPrivateKey(pem);
  if (encrypted && passphrase === undefined) {
    throw new CertificateError(
      'the private key is encrypted and no passphrase was given: provide its passphrase so it can be ' +
        'decrypted (the deployed key is written unencrypted)',
    );
  }
  try {
    // An empty passphrase would make OpenSSL prompt-fail; pass it only for encrypted keys.
    return createPrivateKey({
      key: pem,
      format: 'pem',
      ...(encrypted ? { passphrase: passphrase?.reveal() } : {}),
    });
  } catch (err) {
    if (encrypted) {
      // Node's message is generic ("bad decrypt"); do not echo anything derived from the input.
      throw new CertificateError(
        'cannot decrypt the private key: the passphrase is wrong or the key file is damaged',
      );
    }
    throw new CertificateError(`cannot read the private key: ${(err as Error).message}`);
  }
}

/** Decrypts (if needed) and returns the key as unencrypted PKCS#8 PEM, the form nginx is given. */
export function decryptPrivateKey(pem: string, passphrase?: Secret): string {
  return readPrivateKey(pem, passphrase).export({ type: 'pkcs8', format: 'pem' }).toString();
}
