/** A certificate or key could not be created, read or used. Messages never contain secrets. */
export class CertificateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateError';
  }
}
