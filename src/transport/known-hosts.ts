import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
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

/**
 * The entries of the known_hosts files that apply to one host name (markers included), in file and
 * line order; files that do not exist yet are empty.
 */
export async function knownHostsFor(files: readonly string[], name: string): Promise<KnownHostEntry[]> {
  const indexes = await Promise.all(files.map((file) => indexedFile(expandHome(file))));
  return indexes.flatMap((index) => index.matching(name));
}

/**
 * One parsed file, with its plain host names indexed. A run connects to every host of an
 * inventory, and a fleet's known_hosts has a line (or three) per host: parsed and searched at each
 * connection, the checks cost O(hosts^2) (2.6 s of controller CPU at 1,000 hosts, bench/scale). Hashed
 * and wildcard or negated entries cannot be indexed by name; they are matched one by one, as ssh does.
 */
class KnownHostsIndex {
  readonly #byName = new Map<string, KnownHostEntry[]>();
  readonly #unindexed: KnownHostEntry[] = [];

  constructor(entries: KnownHostEntry[]) {
    for (const entry of entries) {
      const patterns = entry.hosts.split(',');
      if (entry.hosts.startsWith('|1|') || patterns.some((p) => /[*?!]/.test(p))) {
        this.#unindexed.push(entry);
        continue;
      }
      for (const name of new Set(patterns.map((p) => p.toLowerCase()))) {
        const list = this.#byName.get(name);
        if (list) list.push(entry);
        else this.#byName.set(name, [entry]);
      }
    }
  }

  matching(name: string): KnownHostEntry[] {
    const found = [
      ...(this.#byName.get(name) ?? []),
      ...this.#unindexed.filter((e) => hostFieldMatches(e.hosts, name)),
    ];
    return found.sort((a, b) => a.line - b.line);
  }
}

const EMPTY = new KnownHostsIndex([]);

/** Parsed files, re-read when their size, times or inode change (a key recorded meanwhile is seen). */
const cache = new Map<string, { version: string; index: Promise<KnownHostsIndex> }>();

async function indexedFile(path: string): Promise<KnownHostsIndex> {
  let version: string;
  try {
    const st = await stat(path);
    version = `${st.ino} ${st.size} ${st.mtimeMs} ${st.ctimeMs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw error;
  }
  const cached = cache.get(path);
  if (cached?.version === version) return cached.index;
  const index = readFile(path, 'utf8').then(
    (text) => new KnownHostsIndex(parseKnownHosts(text, path)),
    (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? EMPTY : Promise.reject(error)),
  );
  cache.set(path, { version, index });
  index.catch(() => cache.delete(path));
  return index;
}
