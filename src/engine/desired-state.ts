import { createHash } from 'node:crypto';
import type { RemoteFileFact } from '../remote/index.js';
import type { Change, CertificateMetadata } from './types.js';

/** A file as it must be on the host. */
export interface DesiredFile {
  path: string;
  content: Buffer;
  mode: string;
  owner: string;
  group: string;
  /** Private keys, licences: never diffed, never shown. */
  secret: boolean;
  /** Certificates are shown as metadata instead of PEM. */
  certificate?: CertificateMetadata;
}

export interface DesiredDirectory {
  path: string;
  mode: string;
  owner: string;
  group: string;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Normalises `644`, `0644`, `0o644` to the 4-digit form the facts use. */
export function normaliseMode(mode: string): string {
  const digits = mode.replace(/^0o/, '').replace(/^0+(?=\d{4})/, '');
  return digits.padStart(4, '0');
}

/** What differs between a file on the host and its desired state; undefined when nothing does. */
export function planFile(desired: DesiredFile, fact: RemoteFileFact | undefined): Change | undefined {
  const base = {
    kind: 'file' as const,
    target: desired.path,
    ...(desired.secret ? { secret: true } : {}),
    ...(desired.certificate ? { certificate: desired.certificate } : {}),
  };
  if (!fact || !fact.exists) {
    return {
      ...base,
      action: 'create',
      summary: `mode ${normaliseMode(desired.mode)}, ${desired.owner}:${desired.group}`,
    };
  }
  if (fact.type !== 'file') {
    return { ...base, action: 'update', summary: `replace ${fact.type} with a file` };
  }
  const parts: string[] = [];
  if (fact.sha256 !== sha256(desired.content)) parts.push('content');
  if (normaliseMode(fact.mode) !== normaliseMode(desired.mode)) {
    parts.push(`mode ${normaliseMode(fact.mode)} -> ${normaliseMode(desired.mode)}`);
  }
  if (fact.owner !== desired.owner || fact.group !== desired.group) {
    parts.push(`owner ${fact.owner}:${fact.group} -> ${desired.owner}:${desired.group}`);
  }
  if (parts.length === 0) return undefined;
  return { ...base, action: 'update', summary: parts.join(', ') };
}

export function planDirectory(
  desired: DesiredDirectory,
  fact: RemoteFileFact | undefined,
): Change | undefined {
  const base = { kind: 'directory' as const, target: desired.path };
  if (!fact || !fact.exists) {
    return { ...base, action: 'create', summary: `mode ${normaliseMode(desired.mode)}` };
  }
  if (fact.type !== 'directory')
    return { ...base, action: 'update', summary: `replace ${fact.type} with a folder` };
  const parts: string[] = [];
  if (normaliseMode(fact.mode) !== normaliseMode(desired.mode)) {
    parts.push(`mode ${normaliseMode(fact.mode)} -> ${normaliseMode(desired.mode)}`);
  }
  if (fact.owner !== desired.owner || fact.group !== desired.group) {
    parts.push(`owner ${fact.owner}:${fact.group} -> ${desired.owner}:${desired.group}`);
  }
  return parts.length === 0 ? undefined : { ...base, action: 'update', summary: parts.join(', ') };
}

export function planDelete(path: string, fact: RemoteFileFact | undefined): Change | undefined {
  if (!fact || !fact.exists) return undefined;
  return { kind: 'file', action: 'delete', target: path, summary: 'no longer wanted' };
}
