import { buildCsr } from './csr.js';
import { CertificateError } from './errors.js';
import { serverLeafExtensions, subjectAltNameExtension } from './extensions.js';
import { issuedCertificateMetadata, type CertificateMetadata } from './inspect.js';
import { issueCertificate } from './issue-certificate.js';
import { generatePrivateKey, loadPrivateKey, type GeneratedKey, type KeySpec } from './keys.js';
import { commonNameAsn1, isEmptyName } from './names.js';
import { normalizeHostnames } from './san.js';
import { caSigner, selfSigner } from './signers.js';
import { DEFAULT_CERTIFICATE_DAYS, validityWindow } from './validity.js';

export interface CreateCertificateOptions {
  /** Every hostname the load balancer serves; the first becomes the subject CN. */
  hostnames: string[];
  key: KeySpec;
  /** A key already made for this certificate (by generatePrivateKeyAsync); default: a new one of `key`. */
  generatedKey?: GeneratedKey;
  /** Validity in days (default 365). */
  days?: number;
  /** Sign with this CA instead of self-signing. */
  issuer?: { certPem: string; keyPem: string };
  now?: Date;
}

export interface GeneratedCertificate {
  keyPem: string;
  certPem: string;
  /** What the certificate says about itself, as inspectCertificate reads it. */
  certificate: CertificateMetadata;
  /** Made when first read: `certs create` writes it, `apply` never needs it. */
  readonly csrPem: string;
}

export function assertValidDays(days: number): void {
  if (!Number.isInteger(days) || days < 1) {
    throw new CertificateError(`certificate validity must be a whole number of days >= 1, got ${days}`);
  }
}

/** A fresh key, its CSR and a TLS server certificate (self-signed, or signed by `issuer`). */
export function createCertificate(opts: CreateCertificateOptions): GeneratedCertificate {
  const days = opts.days ?? DEFAULT_CERTIFICATE_DAYS;
  assertValidDays(days);
  const hostnames = normalizeHostnames(opts.hostnames);
  const { notBefore, notAfter } = validityWindow(opts.now ?? new Date(), days);
  const keyPem = opts.generatedKey?.pem ?? generatePrivateKey(opts.key);
  const key = opts.generatedKey?.object ?? loadPrivateKey(keyPem);
  const subjectName = commonNameAsn1(hostnames[0]);
  const signer = opts.issuer ? caSigner(opts.issuer, notAfter) : selfSigner(key, subjectName);
  const certPem = issueCertificate({
    subjectName,
    subjectKey: key,
    extensions: [...serverLeafExtensions(key), subjectAltNameExtension(hostnames, isEmptyName(subjectName))],
    signer,
    notBefore,
    notAfter,
  });
  let csrPem: string | undefined;
  // The names are those hostnames (subject CN and SANs) and the issuer's subject (or the same CN).
  const namesKey = JSON.stringify([hostnames, opts.issuer?.certPem ?? null]);
  return {
    keyPem,
    certPem,
    certificate: issuedCertificateMetadata(certPem, namesKey, { notBefore, notAfter }),
    get csrPem() {
      return (csrPem ??= buildCsr(key, hostnames));
    },
  };
}
