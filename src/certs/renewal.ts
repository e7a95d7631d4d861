import { X509Certificate } from 'node:crypto';
import { EXPIRY_WARNING_DAYS, leafProblems } from './check-existing.js';
import { CertificateError } from './errors.js';
import { certificateMetadata, type CertificateMetadata } from './inspect.js';
import { loadPrivateKey } from './keys.js';

/**
 * Whether a certificate this tool generated earlier can stay (keeping it makes repeated runs change
 * nothing): `keep` with its metadata (parsed once, for the plan), or `renew` with the reason:
 * unreadable, a server name not covered, expired or expiring within `minDays`, not valid yet, or
 * (when `keyPem` is given) another key.
 */
export function deployedCertificateVerdict(
  certPem: string,
  keyPem: string | undefined,
  serverNames: string[],
  now: Date = new Date(),
  minDays = EXPIRY_WARNING_DAYS,
): { keep: CertificateMetadata } | { renew: string } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return { renew: 'the deployed certificate cannot be parsed' };
  }
  const { errors, daysLeft } = leafProblems(cert, serverNames, now);
  if (errors.length > 0) return { renew: errors.join('; ') };
  if (daysLeft < minDays) {
    return {
      renew: `the certificate expires in ${Math.floor(daysLeft)} day(s) (renewal threshold ${minDays} days)`,
    };
  }
  if (keyPem !== undefined) {
    try {
      if (!cert.checkPrivateKey(loadPrivateKey(keyPem)))
        return { renew: 'the deployed key does not match the certificate' };
    } catch (err) {
      if (!(err instanceof CertificateError)) throw err;
      return { renew: 'the deployed key cannot be read' };
    }
  }
  return { keep: certificateMetadata(cert) };
}
