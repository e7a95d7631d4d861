import { isIPv6 } from 'node:net';
import type { Host, Inventory } from '../domain/types.js';
import { didYouMean } from './did-you-mean.js';

/** A host pattern that cannot be used: it names nothing, or is malformed. */
export class HostPatternError extends Error {
  override readonly name = 'HostPatternError';
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/** Splits one pattern the way Ansible does: by commas, else by colons (IPv6 addresses and ranges stay whole). */
export function splitPattern(pattern: string): string[] {
  const trimmed = pattern.trim();
  if (trimmed.includes(',')) return trimmed.split(',').map((t) => t.trim());
  // Without a colon there is nothing to split (and no IPv6 address to test, see address.ts).
  if (!trimmed.includes(':')) return [trimmed];
  if (isIPv6(trimmed) || /^[^:]*\[.*\][^:]*$/.test(trimmed)) return [trimmed];
  return trimmed.split(':').map((t) => t.trim());
}

/** fnmatch.translate: `*`, `?`, `[seq]` and `[!seq]`, anchored at both ends, case-sensitive. */
function fnmatchRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let set = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        re += `[${set}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)?\s*:\s*([0-9]+)?)\]$/;

function applySubscript(hosts: string[], term: string): string[] {
  const m = SUBSCRIPT.exec(term);
  if (!m) return hosts;
  if (m[2] !== undefined) {
    const i = Number(m[2]);
    const h = hosts.at(i);
    return h === undefined ? [] : [h];
  }
  const start = m[3] !== undefined ? Number(m[3]) : 0;
  const end = m[4] !== undefined ? Number(m[4]) : hosts.length - 1;
  return hosts.slice(start, end + 1);
}

/**
 * Host names one term stands for, as Ansible matches it: a group (with its descendants' hosts) or a
 * host by name, `all`/`*`, an fnmatch glob, a `~regex`, and a `[n]` / `[a:b]` subscript.
 */
function hostsOfTerm(inventory: Inventory, term: string): string[] {
  const sub = SUBSCRIPT.exec(term);
  const base = sub ? sub[1]! : term;
  let matcher: RegExp;
  if (base.startsWith('~')) {
    try {
      matcher = new RegExp(`^(?:${base.slice(1)})`);
    } catch {
      throw new HostPatternError(
        `pattern "${term}" is not a valid regular expression`,
        'fix the expression after ~',
      );
    }
  } else matcher = fnmatchRegExp(base);
  const found: string[] = [];
  const add = (names: Iterable<string>) => {
    for (const n of names) if (!found.includes(n)) found.push(n);
  };
  const groups = [...inventory.groups.keys()].filter((g) => matcher.test(g));
  for (const g of groups) add(membersOf(inventory, g));
  if (groups.length === 0 || base.startsWith('~') || /[.?*[]/.test(base)) {
    add([...inventory.hosts.keys()].filter((h) => matcher.test(h)));
  }
  return sub ? applySubscript(found, term) : found;
}

function membersOf(inventory: Inventory, group: string): string[] {
  if (group === 'all') return [...inventory.hosts.keys()];
  return [...inventory.hosts.values()].filter((h) => h.groups.includes(group)).map((h) => h.name);
}

/**
 * Ansible host-pattern semantics: the union of the plain terms, intersected with every `&term`,
 * minus every `!term`; with only `&`/`!` terms the start is all hosts. The result keeps the order of
 * `candidates`. A term that matches no host or group is an error (a typo must not run on nothing):
 * stricter than Ansible, which warns and goes on. A group that exists but has no hosts (e.g.
 * `apim_nodes` when no node has connection details) matches nothing without error, as in Ansible.
 */
export function selectHosts(
  inventory: Inventory,
  patterns: readonly string[] | undefined,
  candidates: Host[],
): Host[] {
  const terms = (patterns ?? []).flatMap(splitPattern).filter((t) => t !== '');
  if (terms.length === 0) return [...candidates];
  let union: Set<string> | undefined;
  const intersections: Set<string>[] = [];
  const exclusions = new Set<string>();
  for (const term of terms) {
    const kind = term[0] === '!' ? 'exclude' : term[0] === '&' ? 'intersect' : 'include';
    const name = kind === 'include' ? term : term.slice(1);
    const names = hostsOfTerm(inventory, name);
    if (names.length === 0 && !inventory.groups.has(name)) {
      const known = [...inventory.groups.keys(), ...inventory.hosts.keys()];
      throw new HostPatternError(
        `"${name}" matches no host or group of the inventory${didYouMean(name, known)}`,
        `groups: ${[...inventory.groups.keys()].join(', ')}`,
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
