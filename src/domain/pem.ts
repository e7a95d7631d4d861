import { createHash } from 'node:crypto';

const pemToDer = (pem: string): Buffer =>
  Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');

export const certificateSha256 = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

/** The sha256 of the DER form of the first certificate of a PEM text. */
export function pemSha256(pem: string): string {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem)?.[0] ?? '';
  return certificateSha256(pemToDer(first));
}

/** PEM armour with 64-character lines. */
export function toPem(label: string, der: Buffer): string {
  const body = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
