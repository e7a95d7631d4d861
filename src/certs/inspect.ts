import { X509Certificate } from 'node:crypto';
import { pemSha256 } from '../domain/pem.js';
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

/** The SHA-256 fingerprint of `pem`'s first certificate, as X509Certificate.fingerprint256 writes it. */
function fingerprintOf(pem: string): string {
  return pemSha256(pem)
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

/**
 * Names as X509Certificate reads them (subject, issuer, SANs), by what they are made from: the
 * certificates this run issues with the same hostnames and issuer carry the same name bytes, so
 * one of them is parsed (~0.25 ms of controller CPU per host of a first converge, bench/scale).
 */
const issuedNames = new Map<string, Pick<CertificateMetadata, 'subject' | 'issuer' | 'sans'>>();

/**
 * The metadata of a certificate this tool just issued: its names from the first certificate
 * issued from the same `namesKey` (the hostnames and the issuer), its validity as issued (whole
 * seconds, as X.509 stores it), its fingerprint hashed from the PEM.
 */
export function issuedCertificateMetadata(
  certPem: string,
  namesKey: string,
  validity: { notBefore: Date; notAfter: Date },
): CertificateMetadata {
  let names = issuedNames.get(namesKey);
  if (!names) {
    const { subject, issuer, sans } = inspectCertificate(certPem);
    names = { subject, issuer, sans };
    issuedNames.set(namesKey, names);
  }
  return {
    subject: names.subject,
    issuer: names.issuer,
    sans: [...names.sans],
    notBefore: validity.notBefore.toISOString(),
    notAfter: validity.notAfter.toISOString(),
    fingerprintSha256: fingerprintOf(certPem),
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

const FINGERPRINT = /^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/**
 * The metadata `note` (JSON, as this tool records it next to the sha256 of a certificate file it
 * wrote) says `pem`'s first certificate has, when the note is well formed and names that
 * certificate's SHA-256 fingerprint (hashing the DER costs nothing next to parsing it); else
 * undefined, and the caller parses the certificate.
 */
export function recordedMetadataOf(pem: string, note: string): CertificateMetadata | undefined {
  const meta = noteMetadata(note);
  if (!meta || !pem.includes('-----BEGIN CERTIFICATE-----')) return undefined;
  return fingerprintOf(pem) === meta.fingerprintSha256 ? meta : undefined;
}

/**
 * The metadata a well-formed note holds, else undefined. Alone (the certificate not read), it is
 * only as good as the sha256 recorded with it: the caller must know the file still hashes to that.
 */
export function noteMetadata(note: string): CertificateMetadata | undefined {
  let value: unknown;
  try {
    value = JSON.parse(note);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const isoDate = (v: unknown): v is string =>
    typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
  if (
    Object.keys(m).sort().join() !== 'fingerprintSha256,issuer,notAfter,notBefore,sans,subject' ||
    typeof m.subject !== 'string' ||
    typeof m.issuer !== 'string' ||
    !Array.isArray(m.sans) ||
    !m.sans.every((s) => typeof s === 'string') ||
    !isoDate(m.notBefore) ||
    !isoDate(m.notAfter) ||
    typeof m.fingerprintSha256 !== 'string' ||
    !FINGERPRINT.test(m.fingerprintSha256)
  )
    return undefined;
  return {
    subject: m.subject,
    issuer: m.issuer,
    sans: m.sans,
    notBefore: m.notBefore,
    notAfter: m.notAfter,
    fingerprintSha256: m.fingerprintSha256,
  };
}
