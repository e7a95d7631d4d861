import { isIPv4, isIPv6 } from 'node:net';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most. */
export function isDnsName(name: string): boolean {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '' || trimmed.length > 253) return false;
  const labels = trimmed.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  // All-numeric names look like IPv4 addresses; only real ones are accepted (by isAddress).
  return !/^\d+$/.test(labels[labels.length - 1]!);
}

/**
 * An IPv4 or IPv6 literal, or a DNS name. node's isIPv6 is a large regex compiled by its first use
 * (~5 ms): only text with a colon, which every IPv6 literal has and no DNS name, is given to it.
 */
export function isAddress(value: string): boolean {
  return isIPv4(value) || (value.includes(':') && isIPv6(value)) || isDnsName(value);
}
