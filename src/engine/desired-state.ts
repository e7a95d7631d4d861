import type { Change, DesiredDirectory, DesiredFile } from '../modules/contract.js';
import { normaliseMode, sha256 } from '../modules/files.js';
import type { ExpectedContent, RemoteFileFact } from '../remote/index.js';

export { normaliseMode, sha256 };

/**
 * What the transaction's compare-and-swap expects at a path: the sha256 the plan saw, `absent`, or
 * `link` (a link is replaced, never followed). Undefined for a folder or device, which a file
 * cannot replace: the plan fails first.
 */
export function expectedContent(fact: RemoteFileFact | undefined): ExpectedContent | undefined {
  if (!fact || !fact.exists) return 'absent';
  if (fact.type === 'link') return 'link';
  if (fact.type === 'file') return fact.sha256;
  return undefined;
}

function ownerParts(
  fact: { mode: string; owner: string; group: string },
  desired: { mode: string; owner: string; group: string },
): string[] {
  const parts: string[] = [];
  if (normaliseMode(fact.mode) !== normaliseMode(desired.mode)) {
    parts.push(`mode ${normaliseMode(fact.mode)} -> ${normaliseMode(desired.mode)}`);
  }
  if (fact.owner !== desired.owner || fact.group !== desired.group) {
    parts.push(`owner ${fact.owner}:${fact.group} -> ${desired.owner}:${desired.group}`);
  }
  return parts;
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
  const parts = fact.sha256 !== sha256(desired.content) ? ['content'] : [];
  parts.push(...ownerParts(fact, desired));
  return parts.length === 0 ? undefined : { ...base, action: 'update', summary: parts.join(', ') };
}

export function planDirectory(
  desired: DesiredDirectory,
  fact: RemoteFileFact | undefined,
): Change | undefined {
  const base = { kind: 'directory' as const, target: desired.path };
  if (!fact || !fact.exists) {
    return { ...base, action: 'create', summary: `mode ${normaliseMode(desired.mode)}` };
  }
  const parts = ownerParts(fact, desired);
  return parts.length === 0 ? undefined : { ...base, action: 'update', summary: parts.join(', ') };
}

/** Why a path cannot become what the plan wants (a file over a folder, a folder over a link). */
export function stagingProblem(
  kind: 'file' | 'directory',
  path: string,
  fact: RemoteFileFact | undefined,
): string | undefined {
  if (!fact?.exists) return undefined;
  if (kind === 'file' && (fact.type === 'directory' || fact.type === 'other'))
    return `${path} exists and is not a regular file (${fact.type})`;
  if (kind === 'directory' && fact.type === 'link')
    return `${path} is a symbolic link, not a folder: links are not followed (make it a folder)`;
  if (kind === 'directory' && fact.type !== 'directory')
    return `${path} exists and is not a folder (${fact.type})`;
  return undefined;
}

/** A recorded file its module no longer manages: removed, shown as a change. */
export function planRetirement(
  path: string,
  manager: string,
  fact: RemoteFileFact | undefined,
): Change | undefined {
  if (!fact || !fact.exists) return undefined;
  return { kind: 'file', action: 'remove', target: path, summary: `no longer managed by ${manager}` };
}
