import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createCa,
  createCertificate,
  DEFAULT_KEY_SPEC,
  ensureLocalCa,
  LOCAL_CA_COMMON_NAME,
} from '../../../src/certs/index.js';
import { DAY_MS, openssl, tempDir } from './openssl.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const ECDSA = { keyType: 'ecdsa', rsaBits: 2048 } as const;

describe('createCa', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('makes a CA certificate with critical CA:true and keyCertSign + cRLSign only', () => {
    const ca = createCa({ commonName: 'Lab CA', key: ECDSA, days: 3650 });
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=Lab CA');
    expect(cert.checkIssued(cert)).toBe(true);
    const text = openssl(['x509', '-in', tmp.file('ca.crt', ca.certPem), '-noout', '-text']);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    expect(openssl(['verify', '-CAfile', tmp.file('ca.crt'), tmp.file('ca.crt')])).toContain(': OK');
  });
});

describe('default key type', () => {
  it('is ECDSA P-256, for the load balancers and the local CA alike', () => {
    expect(DEFAULT_KEY_SPEC.keyType).toBe('ecdsa');
    const tmp = tempDir();
    try {
      const ca = ensureLocalCa(join(tmp.dir, 'pki'));
      expect(createPrivateKey(ca.keyPem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      const leaf = createCertificate({
        hostnames: ['lb.example.test'],
        key: DEFAULT_KEY_SPEC,
        days: 30,
        issuer: ca,
      });
      const cert = new X509Certificate(leaf.certPem);
      expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('ensureLocalCa', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const caDir = join(tmp.dir, 'inventory', '.apim-provision', 'ca');

  it('creates ca.crt and ca.key (0600) in a 0700 folder on first use', () => {
    const now = new Date();
    const ca = ensureLocalCa(caDir, { key: ECDSA, now });
    expect(ca.created).toBe(true);
    expect(mode(caDir)).toBe(0o700);
    expect(mode(join(caDir, 'ca.key'))).toBe(0o600);
    expect(mode(join(caDir, 'ca.crt'))).toBe(0o644);
    const cert = new X509Certificate(ca.certPem);
    expect(cert.subject).toBe(`CN=${LOCAL_CA_COMMON_NAME}`);
    expect(cert.ca).toBe(true);
    expect(new Date(cert.validTo).getTime() - now.getTime()).toBeGreaterThan(9.9 * 365 * DAY_MS);
  });

  it('re-uses the same CA afterwards, and certificates it issued verify against the saved ca.crt', () => {
    const first = ensureLocalCa(caDir, { key: ECDSA });
    const second = ensureLocalCa(caDir, { key: ECDSA });
    expect(second.created).toBe(false);
    expect(second.certPem).toBe(first.certPem);
    expect(second.keyPem).toBe(first.keyPem);
    const leaf = createCertificate({ hostnames: ['gw.am.wso2.com'], key: ECDSA, issuer: second });
    const leafFile = tmp.file('leaf.crt', leaf.certPem);
    expect(openssl(['verify', '-CAfile', join(caDir, 'ca.crt'), leafFile])).toContain(': OK');
  });

  it('reports a half-present or broken CA instead of replacing it', () => {
    const dir = join(tmp.dir, 'broken');
    ensureLocalCa(dir, { key: ECDSA });
    rmSync(join(dir, 'ca.key'));
    expect(() => ensureLocalCa(dir)).toThrow(/incomplete local CA .*ca\.key is missing/);
    expect(existsSync(join(dir, 'ca.key'))).toBe(false);

    const other = createCa({ commonName: 'x', key: ECDSA, days: 10 });
    writeFileSync(join(dir, 'ca.key'), other.keyPem, { mode: 0o600 });
    expect(() => ensureLocalCa(dir)).toThrow(/key does not match/);
  });

  it('refuses an expired CA', () => {
    const dir = join(tmp.dir, 'old');
    ensureLocalCa(dir, { key: ECDSA, days: 10, now: new Date(Date.now() - 20 * DAY_MS) });
    expect(() => ensureLocalCa(dir)).toThrow(/expired/);
  });
});
