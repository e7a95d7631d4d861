import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';

import { keyBlobType } from './fingerprint.js';

/** `@revoked` keys are refused; `@cert-authority` lines are recognised but not supported. */
export type KnownHostsMarker = 'revoked' | 'cert-authority';

/** One key line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  file: string;
  /** 1-based line number, for messages that tell the user what to remove. */
  line: number;
  marker?: KnownHostsMarker;
  /** The host field as written: comma-separated patterns, or one hashed `|1|salt|hash` name. */
  hosts: string;
  keyType: string;
  keyBlob: Buffer;
}

/** The name OpenSSH looks hosts up by: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

/** Parses known_hosts text; comments, blank and malformed lines are skipped as OpenSSH does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostsMarker | undefined;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) return;
    const keyBlob = Buffer.from(keyBase64, 'base64');
    try {
      if (keyBlobType(keyBlob) !== keyType) return;
    } catch {
      return;
    }
    entries.push({ file, line: index + 1, ...(marker ? { marker } : {}), hosts, keyType, keyBlob });
  });
  return entries;
}

/** Whether an entry's host field names `name` (as built by `knownHostsName`). */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) return hashedNameMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (!wildcardMatches(body.toLowerCase(), name)) continue;
    // A matching negated pattern vetoes the whole list, as in OpenSSH's match_hostname().
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, written by `HashKnownHosts yes` / `ssh-keygen -H`. */
function hashedNameMatches(hosts: string, name: string): boolean {
  const [, , salt, hash] = hosts.split('|');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function wildcardMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(name);
}

export function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? homedir() + file.slice(1) : file;
}

/** Reads and parses every file; files that do not exist yet are empty. */
export async function loadKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const file of files) {
    const path = expandHome(file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    all.push(...parseKnownHosts(text, path));
  }
  return all;
}
