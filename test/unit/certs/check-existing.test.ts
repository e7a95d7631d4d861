import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import {
  checkCertificateFiles,
  createCa,
  createCertificate,
  inspectCertificate,
  type GeneratedCertificate,
} from '../../../src/certs/index.js';
import { DAY_MS, openssl, tempDir } from './openssl.js';

const ECDSA = { keyType: 'ecdsa', rsaBits: 2048 } as const;
const NAMES = ['gw.am.wso2.com', 'api.am.wso2.com'];

describe('checkCertificateFiles', () => {
  const tmp = tempDir();
  let root: { certPem: string; keyPem: string };
  let intermediate: { certPem: string; keyPem: string };
  let leaf: GeneratedCertificate;
  let selfSigned: GeneratedCertificate;

  beforeAll(() => {
    root = createCa({ commonName: 'Test Root', key: ECDSA, days: 3650 });
    tmp.file('root.crt', root.certPem);
    tmp.file('root.key', root.keyPem);
    tmp.file(
      'int.cnf',
      'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' +
        'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
    openssl(
      ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
        '-subj',
        '/CN=Test Intermediate',
        '-keyout',
        'int.key',
        '-out',
        'int.csr',
      ]),
      tmp.dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'int.csr',
        '-CA',
        'root.crt',
        '-CAkey',
        'root.key',
        '-set_serial',
        '0x1234',
      ].concat(['-days', '1000', '-extfile', 'int.cnf', '-out', 'int.crt']),
      tmp.dir,
    );
    intermediate = {
      certPem: readFileSync(tmp.file('int.crt'), 'utf8'),
      keyPem: readFileSync(tmp.file('int.key'), 'utf8'),
    };
    leaf = createCertificate({ hostnames: NAMES, key: ECDSA, days: 365, issuer: intermediate });
    selfSigned = createCertificate({ hostnames: NAMES, key: ECDSA });
  });
  afterAll(() => tmp.cleanup());

  it('accepts a good certificate with its chain and returns the full chain in order', () => {
    const result = checkCertificateFiles({
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      chainPem: intermediate.certPem + root.certPem,
      serverNames: NAMES,
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.keyPem).toBe(leaf.keyPem);
    expect(result.fullChainPem).toBe(leaf.certPem + intermediate.certPem + root.certPem);
    expect(result.metadata?.issuer).toBe('CN=Test Intermediate');
    // The assembled file is what nginx will send; openssl must build the path from it.
    const full = tmp.file('full.pem', result.fullChainPem);
    expect(openssl(['verify', '-CAfile', 'root.crt', '-untrusted', full, full], tmp.dir)).toContain(': OK');
  });

  it('accepts a certificate file that already holds leaf + intermediate', () => {
    const result = checkCertificateFiles({
      certPem: leaf.certPem + intermediate.certPem,
      keyPem: leaf.keyPem,
      serverNames: NAMES,
    });
    expect(result.errors).toEqual([]);
    expect(result.fullChainPem).toBe(leaf.certPem + intermediate.certPem);
  });

  it('reports a chain out of order and says which order is right', () => {
    const result = checkCertificateFiles({
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      chainPem: root.certPem + intermediate.certPem,
      serverNames: NAMES,
    });
    expect(result.errors).toEqual([
      expect.stringMatching(
        /out of order.*right order is "CN=gw\.am\.wso2\.com" -> "CN=Test Intermediate" -> "CN=Test Root"/,
      ),
    ]);
    expect(result.fullChainPem).toBeUndefined();
  });

  it('reports a chain certificate that does not belong to the chain', () => {
    const stranger = createCa({ commonName: 'Stranger CA', key: ECDSA, days: 30 });
    const result = checkCertificateFiles({
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      chainPem: stranger.certPem,
      serverNames: NAMES,
    });
    expect(result.errors).toEqual([
      expect.stringMatching(
        /chain is broken.*issued "CN=gw\.am\.wso2\.com".*"CN=Stranger CA" does not belong/,
      ),
    ]);
  });

  it('drops the leaf repeated at the head of the chain, with a warning', () => {
    const result = checkCertificateFiles({
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      chainPem: leaf.certPem + intermediate.certPem,
      serverNames: NAMES,
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(/repeats the server certificate/)]);
    expect(result.fullChainPem).toBe(leaf.certPem + intermediate.certPem);
  });

  it('detects a key that does not match the certificate', () => {
    const result = checkCertificateFiles({
      certPem: leaf.certPem,
      keyPem: selfSigned.keyPem,
      serverNames: NAMES,
    });
    expect(result.errors).toEqual([expect.stringMatching(/private key does not match the certificate/)]);
  });

  it('reports expired, not-yet-valid and soon-expiring certificates', () => {
    const notAfter = new Date(inspectCertificate(leaf.certPem).notAfter);
    const at = (now: Date) =>
      checkCertificateFiles({ certPem: leaf.certPem, keyPem: leaf.keyPem, serverNames: NAMES, now });

    expect(at(new Date(notAfter.getTime() + DAY_MS)).errors).toEqual([expect.stringMatching(/expired on/)]);
    expect(at(new Date(Date.now() - 2 * DAY_MS)).errors).toEqual([expect.stringMatching(/not valid yet/)]);
    const soon = at(new Date(notAfter.getTime() - 10 * DAY_MS));
    expect(soon.errors).toEqual([]);
    expect(soon.warnings).toEqual([expect.stringMatching(/expires in 10 day\(s\)/)]);
    expect(at(new Date(notAfter.getTime() - 40 * DAY_MS)).warnings).toEqual([]);
  });

  it('names every server name the SANs miss and says that CN alone does not count', () => {
    const result = checkCertificateFiles({
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      serverNames: [...NAMES, 'publisher.am.wso2.com', 'store.am.wso2.com'],
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('does not cover publisher.am.wso2.com, store.am.wso2.com');
    expect(result.errors[0]).toContain('CN alone does not count');
  });

  it('does not accept a CN-only certificate (no subjectAltName), as the docs procedure makes', () => {
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=gw.am.wso2.com', '-days', '365'].concat(
        ['-keyout', 'cn.key', '-out', 'cn.crt'],
      ),
      tmp.dir,
    );
    const result = checkCertificateFiles({
      certPem: readFileSync(tmp.file('cn.crt'), 'utf8'),
      keyPem: readFileSync(tmp.file('cn.key'), 'utf8'),
      serverNames: ['gw.am.wso2.com'],
    });
    expect(result.errors).toEqual([
      expect.stringMatching(/does not cover gw\.am\.wso2\.com: its subjectAltName has no entries.*CN alone/),
    ]);
  });

  it('rejects a 1024-bit RSA key', () => {
    openssl(
      ['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-subj', '/CN=gw.am.wso2.com', '-days', '365'].concat(
        ['-addext', 'subjectAltName=DNS:gw.am.wso2.com', '-keyout', 'small.key', '-out', 'small.crt'],
      ),
      tmp.dir,
    );
    const result = checkCertificateFiles({
      certPem: readFileSync(tmp.file('small.crt'), 'utf8'),
      keyPem: readFileSync(tmp.file('small.key'), 'utf8'),
      serverNames: ['gw.am.wso2.com'],
    });
    expect(result.errors).toEqual([expect.stringMatching(/RSA key has 1024 bits; at least 2048/)]);
  });

  it('warns about self-signed certificates and validity beyond 398 days', () => {
    const long = createCertificate({ hostnames: NAMES, key: ECDSA, days: 825 });
    const result = checkCertificateFiles({ certPem: long.certPem, keyPem: long.keyPem, serverNames: NAMES });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      expect.stringMatching(/valid for 825 days; browsers reject .* more than 398 days/),
      expect.stringMatching(/self-signed/),
    ]);
    expect(result.fullChainPem).toBe(long.certPem);
  });

  it('reports unparseable PEM', () => {
    const none = checkCertificateFiles({
      certPem: 'not a certificate',
      keyPem: leaf.keyPem,
      serverNames: NAMES,
    });
    expect(none.errors).toEqual([expect.stringMatching(/holds no PEM certificate/)]);
    expect(none.metadata).toBeUndefined();
    const broken = checkCertificateFiles({
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      chainPem: '-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n',
      serverNames: NAMES,
    });
    expect(broken.errors).toEqual([
      expect.stringMatching(/certificate 1 in the chain file cannot be parsed/),
    ]);
    const badKey = checkCertificateFiles({ certPem: leaf.certPem, keyPem: 'nope', serverNames: NAMES });
    expect(badKey.errors).toEqual([expect.stringMatching(/no PEM private key/)]);
    expect(badKey.keyPem).toBeUndefined();
  });

  it('decrypts an encrypted key with the passphrase and returns it unencrypted', () => {
    tmp.file('leaf.key', leaf.keyPem);
    const encrypted = openssl(
      ['pkcs8', '-topk8', '-in', 'leaf.key', '-passout', 'pass:hunter22', '-v2', 'aes-256-cbc'],
      tmp.dir,
    );
    const ok = checkCertificateFiles({
      certPem: leaf.certPem + intermediate.certPem,
      keyPem: encrypted,
      passphrase: new Secret('hunter22'),
      serverNames: NAMES,
    });
    expect(ok.errors).toEqual([]);
    expect(ok.keyPem).toBe(leaf.keyPem);

    const wrong = checkCertificateFiles({
      certPem: leaf.certPem + intermediate.certPem,
      keyPem: encrypted,
      passphrase: new Secret('hunter23'),
      serverNames: NAMES,
    });
    expect(wrong.errors).toEqual([expect.stringMatching(/passphrase is wrong/)]);
    expect(wrong.errors.join()).not.toContain('hunter2');
  });
});
