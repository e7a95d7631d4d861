import { createHash } from 'node:crypto';

/** The key fingerprint as `ssh-keygen -l` prints it: `SHA256:` + unpadded base64 of the blob's hash. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function keyBlobType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('SSH public key blob is too short');
  const length = keyBlob.readUInt32BE(0);
  if (length > keyBlob.length - 4) throw new Error('SSH public key blob has a bad type length');
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}

/** Short key type label as OpenSSH prints it in messages, e.g. `ED25519`, `ECDSA`, `RSA`. */
export function keyTypeLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType.startsWith('ecdsa-')) return 'ECDSA';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType === 'ssh-dss') return 'DSA';
  return keyType;
}
