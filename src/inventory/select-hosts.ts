import { isIPv6 } from 'node:net';
import type { Host, Inventory } from '../domain/types.js';

/** Splits one `--limit` argument the way Ansible does: by commas, else by colons (IPv6 addresses stay whole). */
function splitPattern(pattern: string): string[] {
  const trimmed = pattern.trim();
  if (trimmed.includes(',')) return trimmed.split(',');
  if (isIPv6(trimmed) || /^[^:]*\[.*\][^:]*$/.test(trimmed)) return [trimmed];
  return trimmed.split(':');
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** Host names a single term stands for: a host, a group (with descendants), a `*` wildcard or `~regex`. */
function hostsOfTerm(inventory: Inventory, term: string): string[] | undefined {
  if (term === 'all' || term === '*') return [...inventory.hosts.keys()];
  if (inventory.hosts.has(term)) return [term];
  if (inventory.groups.has(term))
    return [...inventory.hosts.values()].filter((h) => h.groups.includes(term)).map((h) => h.name);
  let matcher: RegExp | undefined;
  if (term.startsWith('~')) {
    try {
      matcher = new RegExp(term.slice(1));
    } catch {
      throw new Error(`--limit pattern "${term}" is not a valid regular expression`);
    }
  } else if (/[*?]/.test(term)) matcher = globToRegExp(term);
  if (!matcher) return undefined;
  const groups = [...inventory.groups.keys()].filter((g) => matcher.test(g));
  const names = new Set<string>();
  for (const h of inventory.hosts.values()) {
    if (matcher.test(h.name) || h.groups.some((g) => groups.includes(g))) names.add(h.name);
  }
  return names.size > 0 ? [...names] : undefined;
}

/**
 * Ansible `--limit` semantics: the union of the plain terms, intersected with every `&term`, minus
 * every `!term`. With only `&`/`!` terms the starting set is all hosts. The result keeps the order of
 * `candidates`. A term that matches no host or group is an error (a typo must not run on nothing).
 */
export function selectHosts(
  inventory: Inventory,
  patterns: string[] | undefined,
  candidates: Host[],
): Host[] {
  const terms = (patterns ?? [])
    .flatMap(splitPattern)
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (terms.length === 0) return [...candidates];
  let union: Set<string> | undefined;
  const intersections: Set<string>[] = [];
  const exclusions = new Set<string>();
  for (const term of terms) {
    const kind = term[0] === '!' ? 'exclude' : term[0] === '&' ? 'intersect' : 'include';
    const name = kind === 'include' ? term : term.slice(1);
    const names = hostsOfTerm(inventory, name);
    if (names === undefined) {
      throw new Error(
        `--limit: "${name}" matches no host or group of the inventory (hosts: ${[...inventory.hosts.keys()].join(', ')}; groups: ${[
          ...inventory.groups.keys(),
        ].join(', ')})`,
      );
    }
    if (kind === 'include') union = new Set([...(union ?? []), ...names]);
    else if (kind === 'intersect') intersections.push(new Set(names));
    else names.forEach((n) => exclusions.add(n));
  }
  return candidates.filter(
    (h) =>
      (union === undefined || union.has(h.name)) &&
      intersections.every((s) => s.has(h.name)) &&
      !exclusions.has(h.name),
  );
}
