import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
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
  const { signer, caNotAfter } = checkedCa(issuer);
  if (caNotAfter.getTime() < notAfter.getTime()) {
    throw new CertificateError(
      `the CA expires on ${caNotAfter.toISOString()}, before the certificate would (${notAfter.toISOString()}): ` +
        'create a new CA or issue for fewer days',
    );
  }
  return signer;
}

/**
 * A run signs every host's certificate with one CA: its certificate and key are decoded and
 * checked once (that was ~1 ms of controller CPU per host, bench/scale), keyed by their digest.
 */
const checkedCas = new Map<string, { signer: Signer; caNotAfter: Date }>();

function checkedCa(issuer: { certPem: string; keyPem: string }): { signer: Signer; caNotAfter: Date } {
  const id = createHash('sha256').update(issuer.certPem).update('\0').update(issuer.keyPem).digest('hex');
  let checked = checkedCas.get(id);
  if (!checked) {
    checked = decodeCa(issuer);
    checkedCas.set(id, checked);
  }
  return checked;
}

function decodeCa(issuer: { certPem: string; keyPem: string }): { signer: Signer; caNotAfter: Date } {
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
  return {
    signer: {
      name: subjectNameOf(ca.raw),
      privateKey,
      keyId: subjectKeyIdentifierOf(ca.raw) ?? keyIdentifier(ca.publicKey),
    },
    caNotAfter: new Date(ca.validTo),
  };
}
