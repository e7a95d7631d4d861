import { X509Certificate, createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificateError,
  createCa,
  createCertificate,
  createCsr,
  generatePrivateKey,
  inspectCertificate,
  type GeneratedCertificate,
  validityDaysWarning,
} from '../../../src/certs/index.js';
import { DAY_MS, openssl, opensslStatus, tempDir } from './openssl.js';

const HOSTNAMES = ['api.am.wso2.com', 'gw.am.wso2.com', 'mgtgw.am.wso2.com'];
const RSA = { keyType: 'rsa', rsaBits: 2048 } as const;
const ECDSA = { keyType: 'ecdsa', rsaBits: 2048 } as const;

describe('generatePrivateKey', () => {
  it('makes an unencrypted PKCS#8 RSA key of the requested size', () => {
    const pem = generatePrivateKey({ keyType: 'rsa', rsaBits: 3072 });
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it('makes a P-256 ECDSA key', () => {
    const key = createPrivateKey(generatePrivateKey(ECDSA));
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('refuses the docs 1024-bit RSA key', () => {
    expect(() => generatePrivateKey({ keyType: 'rsa', rsaBits: 1024 })).toThrow(CertificateError);
    expect(() => generatePrivateKey({ keyType: 'rsa', rsaBits: 1024 })).toThrow(/2048/);
  });
});

describe.each([
  ['RSA', RSA],
  ['ECDSA', ECDSA],
] as const)('self-signed %s certificate', (label, spec) => {
  const tmp = tempDir();
  const now = new Date();
  let generated: GeneratedCertificate;
  let cert: X509Certificate;

  beforeAll(() => {
    generated = createCertificate({ hostnames: HOSTNAMES, key: spec, now });
    cert = new X509Certificate(generated.certPem);
  });
  afterAll(() => tmp.cleanup());

  it('covers every hostname in subjectAltName, with CN = first hostname', () => {
    expect(cert.subjectAltName).toBe('DNS:api.am.wso2.com, DNS:gw.am.wso2.com, DNS:mgtgw.am.wso2.com');
    expect(cert.subject).toBe('CN=api.am.wso2.com');
    for (const host of HOSTNAMES) expect(cert.checkHost(host)).toBe(host);
  });

  it('is valid 365 days by default, from (slightly before) now', () => {
    const notAfter = new Date(cert.validTo).getTime();
    const notBefore = new Date(cert.validFrom).getTime();
    const issued = Math.floor(now.getTime() / 1000) * 1000;
    expect(notAfter).toBe(issued + 365 * DAY_MS);
    expect(notBefore).toBeLessThanOrEqual(now.getTime());
    expect(now.getTime() - notBefore).toBeLessThan(10 * 60 * 1000);
  });

  it('matches its key, is self-issued and its signature verifies', () => {
    expect(cert.checkPrivateKey(createPrivateKey(generated.keyPem))).toBe(true);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(generated.keyPem).not.toMatch(/ENCRYPTED/);
  });

  it('passes openssl verify and shows the TLS server extensions in openssl x509 -text', () => {
    const certFile = tmp.file('server.crt', generated.certPem);
    expect(openssl(['verify', '-CAfile', certFile, '-purpose', 'sslserver', certFile])).toContain(': OK');
    const text = openssl(['x509', '-in', certFile, '-noout', '-text']);
    expect(text).toContain(label === 'RSA' ? 'sha256WithRSAEncryption' : 'ecdsa-with-SHA256');
    expect(text).toContain(label === 'RSA' ? 'Public-Key: (2048 bit)' : 'NIST CURVE: P-256');
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature/);
    expect(text.includes('Key Encipherment')).toBe(label === 'RSA');
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Subject Key Identifier:\s+([0-9A-F:]+)\s+X509v3 Authority Key Identifier:\s+\1/);
  });

  it('is described by inspectCertificate as openssl sees it', () => {
    const meta = inspectCertificate(generated.certPem);
    const certFile = tmp.file('inspect.crt', generated.certPem);
    const fingerprint = openssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256']).trim();
    expect(fingerprint).toBe(`sha256 Fingerprint=${meta.fingerprintSha256}`);
    expect(meta).toMatchObject({
      subject: 'CN=api.am.wso2.com',
      issuer: 'CN=api.am.wso2.com',
      sans: HOSTNAMES,
    });
    expect(meta.notAfter).toBe(new Date(cert.validTo).toISOString());
  });

  it('has a random positive 16-byte serial', () => {
    expect(cert.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    expect(cert.serialNumber.slice(0, 2)).not.toBe('00');
    const other = new X509Certificate(createCertificate({ hostnames: HOSTNAMES, key: ECDSA }).certPem);
    expect(other.serialNumber).not.toBe(cert.serialNumber);
  });

  it('comes with a CSR for the same key and names that openssl verifies', () => {
    const csrFile = tmp.file('server.csr', generated.csrPem);
    const text = openssl(['req', '-in', csrFile, '-noout', '-verify', '-text']);
    expect(text).toContain('Subject: CN = api.am.wso2.com');
    expect(text).toContain('DNS:api.am.wso2.com, DNS:gw.am.wso2.com, DNS:mgtgw.am.wso2.com');
    const csrKey = openssl(['req', '-in', csrFile, '-noout', '-pubkey']);
    expect(csrKey).toBe(cert.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  });
});

describe('CA-signed certificate', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it.each([
    ['RSA CA, ECDSA leaf', RSA, ECDSA],
    ['ECDSA CA, RSA leaf', ECDSA, RSA],
  ] as const)('%s verifies against the CA (Node and openssl)', (_label, caKey, leafKey) => {
    const ca = createCa({ commonName: 'Test CA', key: caKey, days: 3650 });
    const leaf = createCertificate({ hostnames: HOSTNAMES, key: leafKey, days: 90, issuer: ca });
    const caCert = new X509Certificate(ca.certPem);
    const leafCert = new X509Certificate(leaf.certPem);
    expect(leafCert.checkIssued(caCert)).toBe(true);
    expect(leafCert.verify(caCert.publicKey)).toBe(true);
    expect(leafCert.issuer).toBe('CN=Test CA');

    const caFile = tmp.file('ca.crt', ca.certPem);
    const leafFile = tmp.file('leaf.crt', leaf.certPem);
    expect(openssl(['verify', '-CAfile', caFile, '-purpose', 'sslserver', leafFile])).toContain(': OK');
    const caText = openssl(['x509', '-in', caFile, '-noout', '-text']);
    const leafText = openssl(['x509', '-in', leafFile, '-noout', '-text']);
    const caSki = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(caText)?.[1];
    expect(caSki).toBeDefined();
    expect(leafText).toMatch(new RegExp(`Authority Key Identifier:\\s+${caSki}`));
    expect(inspectCertificate(leaf.certPem).issuer).toBe('CN=Test CA');
  });

  it('is rejected by openssl against an unrelated CA', () => {
    const ca = createCa({ commonName: 'Test CA', key: ECDSA, days: 3650 });
    const other = createCa({ commonName: 'Test CA', key: ECDSA, days: 3650 });
    const leaf = createCertificate({ hostnames: HOSTNAMES, key: ECDSA, issuer: ca });
    const result = opensslStatus([
      'verify',
      '-CAfile',
      tmp.file('other.crt', other.certPem),
      tmp.file('l.crt', leaf.certPem),
    ]);
    expect(result.status).not.toBe(0);
  });

  it('can be signed by a CA that openssl made (key identifier taken from the CA)', () => {
    const dir = tmp.dir;
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/O=Ops/CN=Ops Root',
      ].concat(['-keyout', 'ossl-ca.key', '-out', 'ossl-ca.crt', '-days', '3650']),
      dir,
    );
    const issuer = {
      certPem: openssl(['x509', '-in', 'ossl-ca.crt'], dir),
      keyPem: openssl(['pkey', '-in', 'ossl-ca.key'], dir),
    };
    const leaf = createCertificate({ hostnames: ['gw.am.wso2.com'], key: ECDSA, issuer });
    expect(new X509Certificate(leaf.certPem).issuer).toBe('O=Ops\nCN=Ops Root');
    tmp.file('ossl-leaf.crt', leaf.certPem);
    expect(openssl(['verify', '-CAfile', 'ossl-ca.crt', 'ossl-leaf.crt'], dir)).toContain(': OK');
  });

  it('refuses an issuer that is not a CA, a foreign CA key, and a CA that expires first', () => {
    const notCa = createCertificate({ hostnames: ['x.example.com'], key: ECDSA });
    expect(() =>
      createCertificate({
        hostnames: HOSTNAMES,
        key: ECDSA,
        issuer: { certPem: notCa.certPem, keyPem: notCa.keyPem },
      }),
    ).toThrow(/is not a CA/);
    const ca = createCa({ commonName: 'Test CA', key: ECDSA, days: 100 });
    expect(() =>
      createCertificate({
        hostnames: HOSTNAMES,
        key: ECDSA,
        issuer: { certPem: ca.certPem, keyPem: notCa.keyPem },
      }),
    ).toThrow(/does not match/);
    expect(() => createCertificate({ hostnames: HOSTNAMES, key: ECDSA, days: 365, issuer: ca })).toThrow(
      /CA expires .* before the certificate would/,
    );
  });

  it('checks a CA once for a run, and still judges each certificate against its expiry', () => {
    const ca = createCa({ commonName: 'Run CA', key: ECDSA, days: 100 });
    const leaves = ['a', 'b', 'c'].map((n) =>
      createCertificate({ hostnames: [`${n}.example.com`], key: ECDSA, days: 30, issuer: ca }),
    );
    for (const leaf of leaves)
      expect(new X509Certificate(leaf.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    // The CA is already checked: a certificate outliving it is still refused.
    expect(() => createCertificate({ hostnames: HOSTNAMES, key: ECDSA, days: 200, issuer: ca })).toThrow(
      /CA expires .* before the certificate would/,
    );
    // A different key with the same CA certificate is a different issuer: checked, and refused.
    const other = createCa({ commonName: 'Run CA', key: ECDSA, days: 100 });
    expect(() =>
      createCertificate({
        hostnames: HOSTNAMES,
        key: ECDSA,
        days: 30,
        issuer: { certPem: ca.certPem, keyPem: other.keyPem },
      }),
    ).toThrow(/does not match/);
  });
});

describe('createCertificate input checks and special names', () => {
  it('honours days and now', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const meta = inspectCertificate(
      createCertificate({ hostnames: ['a.example.com'], key: ECDSA, days: 90, now }).certPem,
    );
    expect(meta.notAfter).toBe('2030-04-01T00:00:00.000Z');
  });

  it('warns when the validity exceeds the advised 366 days', () => {
    expect(validityDaysWarning(365)).toBeUndefined();
    expect(validityDaysWarning(366)).toBeUndefined();
    expect(validityDaysWarning(367)).toMatch(/advised maximum of 366$/);
    expect(validityDaysWarning(825)).toMatch(/browsers reject .* more than 398 days/);
  });

  it('uses GeneralizedTime after 2049 (RFC 5280)', () => {
    const now = new Date('2049-12-01T00:00:00Z');
    const meta = inspectCertificate(
      createCertificate({ hostnames: ['a.example.com'], key: ECDSA, now }).certPem,
    );
    expect(meta.notAfter).toBe('2050-12-01T00:00:00.000Z');
  });

  it('rejects invalid hostnames, empty lists and bad day counts', () => {
    expect(() =>
      createCertificate({ hostnames: ['bad_name.example.com', 'ok.example.com'], key: ECDSA }),
    ).toThrow(/"bad_name\.example\.com"/);
    expect(() => createCertificate({ hostnames: [], key: ECDSA })).toThrow(/at least one hostname/);
    expect(() => createCertificate({ hostnames: ['a.example.com'], key: ECDSA, days: 0 })).toThrow(/days/);
    expect(() => createCertificate({ hostnames: ['*.com'], key: ECDSA })).toThrow(CertificateError);
  });

  it('puts wildcards and IP addresses into SANs, de-duplicated and lower-cased', () => {
    const meta = inspectCertificate(
      createCertificate({
        hostnames: ['*.AM.wso2.com', 'am.wso2.com', '10.0.0.5', '*.am.wso2.com.'],
        key: ECDSA,
      }).certPem,
    );
    expect(meta.sans).toEqual(['*.am.wso2.com', 'am.wso2.com', '10.0.0.5']);
    expect(meta.subject).toBe('CN=*.am.wso2.com');
  });

  it('leaves the CN out for a first hostname longer than 64 characters and marks the SAN critical', () => {
    const long = `${'a'.repeat(60)}.example.com`;
    const tmp = tempDir();
    try {
      const generated = createCertificate({ hostnames: [long], key: ECDSA });
      const file = tmp.file('long.crt', generated.certPem);
      const text = openssl(['x509', '-in', file, '-noout', '-text']);
      expect(text).toMatch(/Subject Alternative Name: critical\s+DNS:a{60}\.example\.com/);
      expect(inspectCertificate(generated.certPem).subject).toBe('');
      expect(openssl(['verify', '-CAfile', file, file])).toContain(': OK');
    } finally {
      tmp.cleanup();
    }
  });

  it('createCsr signs a request for an existing key', () => {
    const keyPem = generatePrivateKey(ECDSA);
    const tmp = tempDir();
    try {
      const file = tmp.file('req.csr', createCsr(keyPem, ['store.am.wso2.com']));
      expect(openssl(['req', '-in', file, '-noout', '-verify', '-subject'])).toContain(
        'CN = store.am.wso2.com',
      );
    } finally {
      tmp.cleanup();
    }
  });
});

describe('the metadata of an issued certificate', () => {
  it('is what inspectCertificate reads from it, also for later certificates with the same names', () => {
    const ca = createCa({ commonName: 'Metadata Test CA', key: ECDSA, days: 3650 });
    const otherCa = createCa({ commonName: 'Another CA', key: ECDSA, days: 3650 });
    const names = [
      HOSTNAMES,
      ['192.0.2.7', 'lb.example.com'],
      ['*.example.org'],
      ['2001:db8::1', 'v6.example'],
    ];
    for (let round = 0; round < 2; round++)
      for (const hostnames of names)
        for (const issuer of [ca, otherCa, undefined]) {
          const made = createCertificate({
            hostnames,
            key: ECDSA,
            days: 30 + round,
            ...(issuer ? { issuer } : {}),
          });
          expect(made.certificate).toEqual(inspectCertificate(made.certPem));
        }
  });
});
