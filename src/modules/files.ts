import { createHash } from 'node:crypto';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Normalises `644`, `0644`, `0o644` to the 4-digit form the facts use. */
export function normaliseMode(mode: string): string {
  const digits = mode.replace(/^0o/, '').replace(/^0+(?=\d{4})/, '');
  return digits.padStart(4, '0');
}
