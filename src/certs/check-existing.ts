import type { KeyObject, X509Certificate } from 'node:crypto';
import type { Secret } from '../domain/secret.js';
import type { CertificateMetadata } from './inspect.js';
import { checkChainOrder } from './chain-order.js';
import { readPrivateKey } from './decrypt-key.js';
import { CertificateError } from './errors.js';
import { certificateMetadata, formatName, isSelfSigned, parseCertificates } from './inspect.js';
import { keyStrengthProblem } from './keys.js';
import { uncoveredNames } from './san.js';
import { BROWSER_MAX_DAYS, daysBetween } from './validity.js';

/** Warn this many days before expiry: enough time to get a new certificate. */
export const EXPIRY_WARNING_DAYS = 30;

export interface CertificateFilesInput {
  certPem: string;
  keyPem: string;
  /** Intermediates; may also follow the leaf in `certPem`. */
  chainPem?: string;
  passphrase?: Secret;
  /** Every server_name the load balancer serves with this certificate. */
  serverNames: string[];
  now?: Date;
}

export interface CertificateFilesCheck {
  errors: string[];
  warnings: string[];
  /** The key as unencrypted PKCS#8, ready to deploy. */
  keyPem?: string;
  /** Leaf followed by the chain in issuing order: what nginx's ssl_certificate wants. */
  fullChainPem?: string;
  metadata?: CertificateMetadata;
}

function errorMessage(err: unknown): string {
  if (err instanceof CertificateError) return err.message;
  throw err;
}

/** Validity and coverage problems of a leaf certificate at `now`. */
export function leafProblems(
  leaf: X509Certificate,
  serverNames: readonly string[],
  now: Date,
): { errors: string[]; daysLeft: number } {
  return metadataProblems(certificateMetadata(leaf), serverNames, now);
}

/** The same, judged from what the certificate says about itself (its metadata). */
export function metadataProblems(
  meta: CertificateMetadata,
  serverNames: readonly string[],
  now: Date,
): { errors: string[]; daysLeft: number } {
  const errors: string[] = [];
  const notBefore = new Date(meta.notBefore);
  const notAfter = new Date(meta.notAfter);
  if (now < notBefore)
    errors.push(`the certificate is not valid yet: its validity starts ${notBefore.toISOString()}`);
  if (now > notAfter) errors.push(`the certificate expired on ${notAfter.toISOString()}`);
  const { sans } = meta;
  const missing = uncoveredNames(sans, serverNames);
  if (missing.length > 0) {
    errors.push(
      `the certificate does not cover ${missing.join(', ')}: its subjectAltName has ` +
        `${sans.length > 0 ? sans.join(', ') : 'no entries'} (subject ${meta.subject || 'empty'}); ` +
        'the subject CN alone does not count, clients only match subjectAltName entries',
    );
  }
  return { errors, daysLeft: daysBetween(now, notAfter) };
}

/**
 * Checks user-supplied certificate, key and chain files before anything is deployed: everything
 * that would make nginx refuse them or clients reject the connection is an error.
 */
export function checkCertificateFiles(input: CertificateFilesInput): CertificateFilesCheck {
  const now = input.now ?? new Date();
  const errors: string[] = [];
  const warnings: string[] = [];
  const result: CertificateFilesCheck = { errors, warnings };

  let key: KeyObject | undefined;
  try {
    key = readPrivateKey(input.keyPem, input.passphrase);
    result.keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const weak = keyStrengthProblem(key);
    if (weak) errors.push(weak);
  } catch (err) {
    errors.push(errorMessage(err));
  }

  let leaf: X509Certificate;
  let chain: X509Certificate[];
  try {
    [leaf, ...chain] = parseCertificates(input.certPem, 'certificate file') as [
      X509Certificate,
      ...X509Certificate[],
    ];
    if (input.chainPem !== undefined) chain.push(...parseCertificates(input.chainPem, 'chain file'));
  } catch (err) {
    errors.push(errorMessage(err));
    return result;
  }
  result.metadata = certificateMetadata(leaf);

  if (key && !leaf.checkPrivateKey(key)) {
    errors.push(
      `the private key does not match the certificate (${formatName(leaf.subject)}, SHA-256 ${leaf.fingerprint256})`,
    );
  }
  const { errors: leafErrors, daysLeft } = leafProblems(leaf, input.serverNames, now);
  errors.push(...leafErrors);
  if (daysLeft >= 0 && daysLeft < EXPIRY_WARNING_DAYS) {
    warnings.push(
      `the certificate expires in ${Math.floor(daysLeft)} day(s), on ${result.metadata.notAfter}`,
    );
  }
  const lifetime = daysBetween(new Date(leaf.validFrom), new Date(leaf.validTo));
  if (lifetime > BROWSER_MAX_DAYS) {
    warnings.push(
      `the certificate is valid for ${Math.round(lifetime)} days; browsers reject server certificates ` +
        `valid for more than ${BROWSER_MAX_DAYS} days`,
    );
  }
  if (isSelfSigned(leaf)) {
    warnings.push(
      'the certificate is self-signed: clients will not trust it unless it is imported into their trust store',
    );
  }

  // The leaf repeated at the head of the chain file is a common slip; nginx would send it twice.
  const duplicates = chain.filter((c) => c.fingerprint256 === leaf.fingerprint256);
  if (duplicates.length > 0) {
    warnings.push('the chain repeats the server certificate itself; the duplicate is left out');
    chain = chain.filter((c) => c.fingerprint256 !== leaf.fingerprint256);
  }
  const order = checkChainOrder(leaf, chain);
  if (order.ok) {
    result.fullChainPem = [leaf, ...chain].map((c) => c.toString().trimEnd() + '\n').join('');
  } else {
    errors.push(order.message);
  }
  return result;
}
