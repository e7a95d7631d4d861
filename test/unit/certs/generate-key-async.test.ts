import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CertificateError, createCertificate, generatePrivateKeyAsync } from '../../../src/certs/index.js';
import { spkiDer } from '../../../src/certs/keys.js';

describe('generatePrivateKeyAsync', () => {
  it('makes an unencrypted PKCS#8 RSA key of the requested size', async () => {
    const { pem, object } = await generatePrivateKeyAsync({ keyType: 'rsa', rsaBits: 2048 });
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(pem);
    expect(key.equals(object)).toBe(true);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('makes a P-256 ECDSA key', async () => {
    const key = createPrivateKey((await generatePrivateKeyAsync({ keyType: 'ecdsa', rsaBits: 2048 })).pem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('refuses a weak RSA size as the synchronous generator does', async () => {
    await expect(generatePrivateKeyAsync({ keyType: 'rsa', rsaBits: 1024 })).rejects.toThrow(
      CertificateError,
    );
  });
});

describe('createCertificate with a key made beforehand', () => {
  it('certifies the given key instead of making another', async () => {
    const generatedKey = await generatePrivateKeyAsync({ keyType: 'ecdsa', rsaBits: 2048 });
    const keyPem = generatedKey.pem;
    const made = createCertificate({
      hostnames: ['api.am.wso2.com'],
      key: { keyType: 'ecdsa', rsaBits: 2048 },
      generatedKey,
    });
    expect(made.keyPem).toBe(keyPem);
    const certKey = new X509Certificate(made.certPem).publicKey.export({ type: 'spki', format: 'der' });
    const ownKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    expect(Buffer.compare(certKey, ownKey)).toBe(0);
  });
});

describe('P-256 encodings assembled from the JWK form', () => {
  it('are the bytes OpenSSL writes, for PKCS#8 and SubjectPublicKeyInfo', async () => {
    for (let i = 0; i < 50; i++) {
      const { pem, object } = await generatePrivateKeyAsync({ keyType: 'ecdsa', rsaBits: 2048 });
      expect(pem).toBe(object.export({ type: 'pkcs8', format: 'pem' }).toString());
      const openssl = createPublicKey(object).export({ type: 'spki', format: 'der' });
      expect(spkiDer(object).equals(openssl)).toBe(true);
      expect(spkiDer(createPublicKey(object)).equals(openssl)).toBe(true);
    }
  });

  it('leave other keys to OpenSSL', () => {
    for (const [type, options] of [
      ['ec', { namedCurve: 'secp384r1' }],
      ['ec', { namedCurve: 'brainpoolP256r1' }],
      ['rsa', { modulusLength: 2048 }],
    ] as const) {
      const { privateKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
      const openssl = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
      expect(spkiDer(privateKey).equals(openssl)).toBe(true);
    }
  });
});
