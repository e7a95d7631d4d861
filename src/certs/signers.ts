import { X509Certificate, type KeyObject } from 'node:crypto';
import type forge from 'node-forge';
import { subjectKeyIdentifierOf, subjectNameOf } from './cert-der.js';
import { keyIdentifier } from './der-signing.js';
import { CertificateError } from './errors.js';
import type { Signer } from './issue-certificate.js';
import { loadPrivateKey } from './keys.js';

/** A certificate that signs itself: issuer = subject, authority key id = its own key id. */
export function selfSigner(privateKey: KeyObject, subjectName: forge.asn1.Asn1): Signer {
  return { name: subjectName, privateKey, keyId: keyIdentifier(privateKey) };
}

/**
 * A CA that signs a certificate valid until `notAfter`. Refuses a non-CA, a key that is not the
 * CA's, and a CA that expires first (the issued certificate would stop validating early).
 */
export function caSigner(issuer: { certPem: string; keyPem: string }, notAfter: Date): Signer {
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(issuer.certPem);
  } catch (err) {
    throw new CertificateError(`cannot read the CA certificate: ${(err as Error).message}`, { cause: err });
  }
  const privateKey = loadPrivateKey(issuer.keyPem);
  if (!ca.ca)
    throw new CertificateError(
      `the issuer certificate (${ca.subject}) is not a CA (basicConstraints CA:FALSE)`,
    );
  if (!ca.checkPrivateKey(privateKey))
    throw new CertificateError('the CA key does not match the CA certificate');
  const caNotAfter = new Date(ca.validTo);
  if (caNotAfter.getTime() < notAfter.getTime()) {
    throw new CertificateError(
      `the CA expires on ${caNotAfter.toISOString()}, before the certificate would (${notAfter.toISOString()}): ` +
        'create a new CA or issue for fewer days',
    );
  }
  return {
    name: subjectNameOf(ca.raw),
    privateKey,
    keyId: subjectKeyIdentifierOf(ca.raw) ?? keyIdentifier(ca.publicKey),
  };
}
