import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import { CertificateError, decryptPrivateKey, generatePrivateKey } from '../../../src/certs/index.js';
import { openssl, tempDir } from './openssl.js';

const PASSPHRASE = 'Tr0ub4dor&3-horse';

function caught(fn: () => unknown): CertificateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CertificateError);
    return err as CertificateError;
  }
  throw new Error('expected a CertificateError');
}

describe('decryptPrivateKey', () => {
  const tmp = tempDir();
  let legacyDes3: string;
  let pkcs8: string;
  let modulus: string;

  beforeAll(() => {
    // The docs' `openssl genrsa -des3` (OpenSSL 3 needs -traditional for the old Proc-Type form).
    openssl(
      ['genrsa', '-traditional', '-des3', '-passout', `pass:${PASSPHRASE}`, '-out', 'legacy.key', '2048'],
      tmp.dir,
    );
    legacyDes3 = readFileSync(tmp.file('legacy.key'), 'utf8');
    modulus = openssl(
      ['rsa', '-in', 'legacy.key', '-passin', `pass:${PASSPHRASE}`, '-noout', '-modulus'],
      tmp.dir,
    );
    openssl(
      ['pkcs8', '-topk8', '-in', 'legacy.key', '-passin', `pass:${PASSPHRASE}`, '-v2', 'aes-256-cbc'].concat([
        '-passout',
        `pass:${PASSPHRASE}`,
        '-out',
        'pkcs8.key',
      ]),
      tmp.dir,
    );
    pkcs8 = readFileSync(tmp.file('pkcs8.key'), 'utf8');
  });
  afterAll(() => tmp.cleanup());

  it('decrypts a legacy DES-EDE3-CBC key (Proc-Type: 4,ENCRYPTED) into unencrypted PKCS#8', () => {
    expect(legacyDes3).toMatch(/Proc-Type: 4,ENCRYPTED/);
    expect(legacyDes3).toMatch(/DEK-Info: DES-EDE3-CBC/);
    const pem = decryptPrivateKey(legacyDes3, new Secret(PASSPHRASE));
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(pem).not.toMatch(/ENCRYPTED/);
    const out = tmp.file('plain.key', pem);
    expect(openssl(['rsa', '-in', out, '-noout', '-modulus'])).toBe(modulus);
  });

  it('decrypts an encrypted PKCS#8 key', () => {
    expect(pkcs8).toMatch(/BEGIN ENCRYPTED PRIVATE KEY/);
    const pem = decryptPrivateKey(pkcs8, new Secret(PASSPHRASE));
    expect(createPrivateKey(pem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(openssl(['rsa', '-in', tmp.file('plain8.key', pem), '-noout', '-modulus'])).toBe(modulus);
  });

  it.each([
    ['legacy DES3', () => legacyDes3],
    ['PKCS#8', () => pkcs8],
  ])('gives a clear error for a wrong passphrase (%s) that does not contain it', (_label, key) => {
    const wrong = 'wrong-passphrase-123';
    const err = caught(() => decryptPrivateKey(key(), new Secret(wrong)));
    expect(err.message).toMatch(/passphrase is wrong/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(PASSPHRASE);
    expect(JSON.stringify(err) + String(err.stack)).not.toContain(wrong);
  });

  it('says a passphrase is needed when none is given', () => {
    const err = caught(() => decryptPrivateKey(legacyDes3));
    expect(err.message).toMatch(/encrypted and no passphrase was given/);
  });

  it('passes an unencrypted key through (as PKCS#8), ignoring a passphrase', () => {
    const ec = generatePrivateKey({ keyType: 'ecdsa', rsaBits: 2048 });
    const sec1 = createPrivateKey(ec).export({ type: 'sec1', format: 'pem' }).toString();
    expect(decryptPrivateKey(sec1)).toBe(ec);
    expect(decryptPrivateKey(ec, new Secret('unused'))).toBe(ec);
  });

  it('rejects text that is not a private key', () => {
    expect(caught(() => decryptPrivateKey('hello')).message).toMatch(/no PEM private key/);
    expect(
      caught(() => decryptPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'))
        .message,
    ).toMatch(/cannot read the private key/);
  });
});
