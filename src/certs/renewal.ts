import { X509Certificate } from 'node:crypto';
import { EXPIRY_WARNING_DAYS, leafProblems } from './check-existing.js';
import { CertificateError } from './errors.js';
import { loadPrivateKey } from './keys.js';

/**
 * Why a certificate this tool generated earlier must be replaced, or undefined when it can stay
 * (keeping it makes repeated runs change nothing). Reasons: unreadable, a server name not covered,
 * expired or expiring within `minDays`, not valid yet, or (when `keyPem` is given) another key.
 */
export function certificateNeedsRenewal(
  certPem: string,
  keyPem: string | undefined,
  serverNames: string[],
  now: Date = new Date(),
  minDays = EXPIRY_WARNING_DAYS,
): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return 'the deployed certificate cannot be parsed';
  }
  const { errors, daysLeft } = leafProblems(cert, serverNames, now);
  if (errors.length > 0) return errors.join('; ');
  if (daysLeft < minDays) {
    return `the certificate expires in ${Math.floor(daysLeft)} day(s) (renewal threshold ${minDays} days)`;
  }
  if (keyPem !== undefined) {
    try {
      if (!cert.checkPrivateKey(loadPrivateKey(keyPem)))
        return 'the deployed key does not match the certificate';
    } catch (err) {
      if (!(err instanceof CertificateError)) throw err;
      return 'the deployed key cannot be read';
    }
  }
  return undefined;
}
