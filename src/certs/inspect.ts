import { X509Certificate } from 'node:crypto';
import { CertificateError } from './errors.js';
import { parseSubjectAltName } from './san.js';

/** What a certificate says about itself, shown instead of its PEM (plan, --diff, JSON). */
export interface CertificateMetadata {
  subject: string;
  issuer: string;
  sans: string[];
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text, in file order; throws naming the block that does not parse. */
export function parseCertificates(pem: string, what = 'certificate file'): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new CertificateError(
      `the ${what} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----")`,
    );
  }
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new CertificateError(
        `certificate ${i + 1} in the ${what} cannot be parsed: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  });
}

/** Node separates RDNs with newlines (and gives undefined for an empty name); one line reads better. */
export function formatName(name: string | undefined): string {
  return (name ?? '').split('\n').filter(Boolean).join(', ');
}

export function certificateMetadata(cert: X509Certificate): CertificateMetadata {
  return {
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    sans: parseSubjectAltName(cert.subjectAltName),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprintSha256: cert.fingerprint256,
  };
}

/** Metadata of the first certificate in `pem`: what reports show instead of PEM. */
export function inspectCertificate(pem: string): CertificateMetadata {
  const [first] = parseCertificates(pem);
  return certificateMetadata(first!);
}

/** Compared by name and signature: checkIssued(self) is false for a leaf without keyCertSign. */
export function isSelfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && cert.verify(cert.publicKey);
}

/** `issuer` issued `cert`: names/key ids match and the signature verifies with the issuer's key. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}
