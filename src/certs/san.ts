import { isIP } from 'node:net';
import { CertificateError } from './errors.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lower-cases and drops a trailing dot: DNS names compare case-insensitively. */
function canonical(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function isDnsName(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.split('.');
  return labels.length >= 1 && labels.every((l) => LABEL.test(l));
}

/** A wildcard is only accepted as the whole left-most label, with at least two labels after it. */
function isWildcardName(name: string): boolean {
  const labels = name.split('.');
  return labels[0] === '*' && labels.length >= 3 && isDnsName(labels.slice(1).join('.'));
}

/**
 * Validates and de-duplicates the names a certificate must carry, keeping their order (the first
 * becomes the subject CN). Throws a CertificateError naming every invalid entry.
 */
export function normalizeHostnames(hostnames: readonly string[]): string[] {
  const result: string[] = [];
  const invalid: string[] = [];
  for (const raw of hostnames) {
    const name = canonical(raw);
    if (!(isIP(name) || isDnsName(name) || isWildcardName(name))) invalid.push(JSON.stringify(raw));
    else if (!result.includes(name)) result.push(name);
  }
  if (invalid.length > 0) {
    throw new CertificateError(`invalid hostname(s) for a certificate: ${invalid.join(', ')}`);
  }
  if (result.length === 0) throw new CertificateError('a certificate needs at least one hostname');
  return result;
}

/**
 * Whether a certificate with these subjectAltName entries is valid for `hostname` (RFC 6125 6.4):
 * exact match, or a `*.` wildcard that stands for exactly one left-most label. The subject CN is
 * deliberately not consulted: browsers and modern clients ignore it.
 */
export function hostnameCovered(sans: readonly string[], hostname: string): boolean {
  const host = canonical(hostname);
  const hostIsIp = isIP(host) !== 0;
  return sans.some((entry) => {
    const san = canonical(entry);
    if (san === host) return true;
    if (hostIsIp || !san.startsWith('*.')) return false;
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot + 1) === san.slice(2);
  });
}

/** The server names these SANs do not cover, in the order given. */
export function uncoveredNames(sans: readonly string[], serverNames: readonly string[]): string[] {
  return serverNames.filter((name) => !hostnameCovered(sans, name));
}

/** forge `subjectAltName` entries: DNS names (type 2) and IP addresses (type 7). */
export function altNamesFor(
  hostnames: readonly string[],
): Array<{ type: 2; value: string } | { type: 7; ip: string }> {
  return hostnames.map((name) =>
    isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
  );
}

/**
 * Parses Node's `X509Certificate.subjectAltName` text (`DNS:a, DNS:b, IP Address:10.0.0.1`) into
 * plain names and addresses.
 */
export function parseSubjectAltName(text: string | undefined): string[] {
  if (!text) return [];
  const names: string[] = [];
  for (const part of text.split(/,\s*/)) {
    const match = /^(DNS|IP Address):(.*)$/.exec(part.trim());
    if (match?.[2]) names.push(match[2].replace(/^"|"$/g, ''));
  }
  return names;
}
