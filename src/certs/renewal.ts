import { X509Certificate } from 'node:crypto';
import { EXPIRY_WARNING_DAYS, leafProblems, metadataProblems } from './check-existing.js';
import { CertificateError } from './errors.js';
import { certificateMetadata, type CertificateMetadata } from './inspect.js';
import { loadPrivateKey } from './keys.js';

export type DeployedCertificateVerdict = { keep: CertificateMetadata } | { renew: string };

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
): DeployedCertificateVerdict {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return { renew: 'the deployed certificate cannot be parsed' };
  }
  const judged = judge(certificateMetadata(cert), leafProblems(cert, serverNames, now), minDays);
  if ('renew' in judged || keyPem === undefined) return judged;
  try {
    if (!cert.checkPrivateKey(loadPrivateKey(keyPem)))
      return { renew: 'the deployed key does not match the certificate' };
  } catch (err) {
    if (!(err instanceof CertificateError)) throw err;
    return { renew: 'the deployed key cannot be read' };
  }
  return judged;
}

/**
 * The same verdict for a certificate known by its metadata only (no key match): the metadata its
 * records hold for bytes that hash to what they recorded, taken when those bytes were written.
 */
export function recordedCertificateVerdict(
  meta: CertificateMetadata,
  serverNames: string[],
  now: Date = new Date(),
  minDays = EXPIRY_WARNING_DAYS,
): DeployedCertificateVerdict {
  return judge(meta, metadataProblems(meta, serverNames, now), minDays);
}

function judge(
  meta: CertificateMetadata,
  { errors, daysLeft }: { errors: string[]; daysLeft: number },
  minDays: number,
): DeployedCertificateVerdict {
  if (errors.length > 0) return { renew: errors.join('; ') };
  if (daysLeft < minDays) {
    return {
      renew: `the certificate expires in ${Math.floor(daysLeft)} day(s) (renewal threshold ${minDays} days)`,
    };
  }
  return { keep: meta };
}
