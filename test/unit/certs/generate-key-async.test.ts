import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CertificateError, createCertificate, generatePrivateKeyAsync } from '../../../src/certs/index.js';

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
