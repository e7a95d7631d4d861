import type { ServerHostKeyAlgorithm } from 'ssh2';

import { keyBlobType } from './fingerprint.js';
import { hostFieldMatches, type KnownHostEntry } from './known-hosts.js';

/** What the known_hosts files say about the key a server presented. */
export type HostKeyVerdict =
  | { kind: 'known'; entry: KnownHostEntry }
  | { kind: 'revoked'; entry: KnownHostEntry }
  /** The host is known with another key of the same type: possible man-in-the-middle. */
  | { kind: 'changed'; entry: KnownHostEntry }
  /**
   * The host is known by keys of other types only, and presented none of them (they are asked
   * for first): its keys were replaced, or someone is in between. A changed key, too.
   */
  | { kind: 'type-changed'; entries: KnownHostEntry[] }
  /** Nothing is recorded for the host. */
  | { kind: 'unknown' };

/** Entries (not markers) that apply to `name`. */
export function entriesForHost(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  return entries.filter((entry) => entry.marker === undefined && hostFieldMatches(entry.hosts, name));
}

export function checkHostKey(
  entries: readonly KnownHostEntry[],
  name: string,
  keyBlob: Buffer,
): HostKeyVerdict {
  const revoked = entries.find(
    (entry) =>
      entry.marker === 'revoked' && hostFieldMatches(entry.hosts, name) && entry.keyBlob.equals(keyBlob),
  );
  if (revoked) return { kind: 'revoked', entry: revoked };
  const forHost = entriesForHost(entries, name);
  const same = forHost.find((entry) => entry.keyBlob.equals(keyBlob));
  if (same) return { kind: 'known', entry: same };
  const type = keyBlobType(keyBlob);
  const changed = forHost.find((entry) => entry.keyType === type);
  if (changed) return { kind: 'changed', entry: changed };
  if (forHost.length > 0) return { kind: 'type-changed', entries: forHost };
  return { kind: 'unknown' };
}

/** ssh2's default host key algorithms, in its order. */
const DEFAULT_HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Signature algorithms that use a key of the given known_hosts key type. */
function algorithmsForKeyType(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

/**
 * Host key algorithms to offer, those with a recorded key first. Otherwise a host known by its
 * RSA key would be asked for its ed25519 key (ssh2's first choice) and look unknown; OpenSSH does
 * the same reordering.
 */
export function preferredHostKeyAlgorithms(knownKeyTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const preferred = new Set<string>(knownKeyTypes.flatMap(algorithmsForKeyType));
  const first = DEFAULT_HOST_KEY_ALGORITHMS.filter((algorithm) => preferred.has(algorithm));
  const rest = DEFAULT_HOST_KEY_ALGORITHMS.filter((algorithm) => !preferred.has(algorithm));
  return [...first, ...rest];
}
