import { describe, expect, it } from 'vitest';
import {
  createCertificate,
  deployedCertificateVerdict,
  inspectCertificate,
  recordedCertificateVerdict,
  recordedMetadataOf,
} from '../../../src/certs/index.js';
import { DAY_MS } from './openssl.js';

const ECDSA = { keyType: 'ecdsa', rsaBits: 2048 } as const;
const NAMES = ['api.am.wso2.com', 'gw.am.wso2.com'];

/** The reason to renew, or undefined when the certificate can stay. */
function certificateNeedsRenewal(...args: Parameters<typeof deployedCertificateVerdict>): string | undefined {
  const verdict = deployedCertificateVerdict(...args);
  return 'renew' in verdict ? verdict.renew : undefined;
}

describe('deployedCertificateVerdict', () => {
  const current = createCertificate({ hostnames: NAMES, key: ECDSA, days: 365 });
  const notAfter = new Date(inspectCertificate(current.certPem).notAfter).getTime();

  it('keeps a certificate that still fits (idempotent runs), with the metadata the plan shows', () => {
    expect(deployedCertificateVerdict(current.certPem, current.keyPem, NAMES)).toEqual({
      keep: inspectCertificate(current.certPem),
    });
    expect(certificateNeedsRenewal(current.certPem, current.keyPem, NAMES)).toBeUndefined();
    expect(certificateNeedsRenewal(current.certPem, undefined, ['GW.am.wso2.com'])).toBeUndefined();
  });

  it('asks for a new certificate when a server name is missing', () => {
    expect(certificateNeedsRenewal(current.certPem, current.keyPem, [...NAMES, 'km.am.wso2.com'])).toMatch(
      /does not cover km\.am\.wso2\.com/,
    );
  });

  it('asks for a new certificate within minDays of expiry, or after it', () => {
    const in20Days = new Date(notAfter - 20 * DAY_MS);
    expect(certificateNeedsRenewal(current.certPem, undefined, NAMES, in20Days)).toMatch(
      /expires in 20 day\(s\)/,
    );
    expect(certificateNeedsRenewal(current.certPem, undefined, NAMES, in20Days, 14)).toBeUndefined();
    expect(certificateNeedsRenewal(current.certPem, undefined, NAMES, new Date(notAfter + DAY_MS))).toMatch(
      /expired/,
    );
  });

  it('asks for a new certificate when the deployed key is another one or unreadable', () => {
    const other = createCertificate({ hostnames: NAMES, key: ECDSA });
    expect(certificateNeedsRenewal(current.certPem, other.keyPem, NAMES)).toMatch(/key does not match/);
    expect(certificateNeedsRenewal(current.certPem, 'garbage', NAMES)).toMatch(/key cannot be read/);
  });

  it('asks for a new certificate when the deployed one cannot be parsed', () => {
    expect(certificateNeedsRenewal('garbage', undefined, NAMES)).toMatch(/cannot be parsed/);
  });
});

describe('recordedCertificateVerdict and recordedMetadataOf (the metadata recorded with the bytes)', () => {
  const current = createCertificate({ hostnames: NAMES, key: ECDSA, days: 365 });
  const meta = inspectCertificate(current.certPem);
  const note = JSON.stringify(meta);
  const notAfter = new Date(meta.notAfter).getTime();

  it('reads back exactly what parsing gives, and judges it as the parsed certificate is judged', () => {
    expect(recordedMetadataOf(current.certPem, note)).toEqual(meta);
    for (const [names, at] of [
      [NAMES, new Date()],
      [[...NAMES, 'km.am.wso2.com'], new Date()],
      [NAMES, new Date(notAfter - 20 * DAY_MS)],
      [NAMES, new Date(notAfter + DAY_MS)],
      [NAMES, new Date(new Date(meta.notBefore).getTime() - DAY_MS)],
    ] as const)
      expect(recordedCertificateVerdict(meta, [...names], at)).toEqual(
        deployedCertificateVerdict(current.certPem, undefined, [...names], at),
      );
  });

  it('is no use for other bytes or a malformed note (the certificate is parsed then)', () => {
    const other = createCertificate({ hostnames: NAMES, key: ECDSA, days: 365 });
    expect(recordedMetadataOf(other.certPem, note)).toBeUndefined();
    expect(recordedMetadataOf(current.certPem, 'not json')).toBeUndefined();
    expect(recordedMetadataOf(current.certPem, JSON.stringify({ ...meta, extra: 1 }))).toBeUndefined();
    expect(recordedMetadataOf(current.certPem, JSON.stringify({ ...meta, sans: [1] }))).toBeUndefined();
    expect(
      recordedMetadataOf(current.certPem, JSON.stringify({ ...meta, notAfter: '2099-01-01' })),
    ).toBeUndefined();
  });
});
