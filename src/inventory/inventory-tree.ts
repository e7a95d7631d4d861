import type { KeyPath, YamlSource } from '../input/yaml-source.js';
import type { DiagnosticBag } from './diagnostic-bag.js';
import { didYouMean } from './did-you-mean.js';

/** Where a value was written: the file and the key path inside it. */
export interface Origin {
  source: YamlSource;
  path: KeyPath;
}

export interface VarValue {
  value: unknown;
  origin: Origin;
}

/** Variables of one scope (a group, a host, a vars file), each with where it was set. */
export type ScopedVars = Map<string, VarValue>;

export interface GroupRecord {
  name: string;
  /** Hosts listed directly under the group, in inventory order. */
  hosts: string[];
  children: string[];
  parents: string[];
  /** Inline `vars:`; a group defined in several places merges them, the later one winning. */
  vars: ScopedVars;
  origin: Origin;
}

export interface HostRecord {
  name: string;
  /** Inline host variables from every place the host is listed, the later one winning. */
  vars: ScopedVars;
  /** Where the host is first listed. */
  origin: Origin;
}

/** The inventory file's structure, before variables are merged. Maps keep inventory order. */
export interface InventoryTree {
  source: YamlSource;
  groups: Map<string, GroupRecord>;
  hosts: Map<string, HostRecord>;
}

const GROUP_KEYS = ['hosts', 'children', 'vars'];
const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOST_RANGE = /\[[^\]]*:[^\]]*\]/;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describeType(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

/**
 * Reads the Ansible YAML inventory structure: `all` with `hosts` / `children` / `vars` at any depth.
 * Top-level keys other than `all` are groups, children of `all` (as Ansible reads them).
 */
export function parseInventoryTree(source: YamlSource, bag: DiagnosticBag): InventoryTree {
  const tree: InventoryTree = { source, groups: new Map(), hosts: new Map() };
  ensureGroup(tree, 'all', []);
  const data = source.data;
  if (!isPlainObject(data)) {
    bag.push(
      source.diagnostic(
        [],
        `the inventory must be a mapping with the top-level key "all", got ${describeType(data)}`,
        'start the file with "all:" and put "hosts:", "children:" and "vars:" under it',
      ),
    );
    return tree;
  }
  for (const [key, value] of Object.entries(data)) {
    if (GROUP_KEYS.includes(key)) {
      bag.push(
        source.diagnostic(
          [key],
          `"${key}" at the top level is not a group: it belongs under a group`,
          `indent it under "all:" (all.${key})`,
        ),
      );
      continue;
    }
    parseGroup(tree, bag, key, value, [key], key === 'all' ? undefined : 'all');
  }
  addUngrouped(tree);
  return tree;
}

/** Ansible's implicit group of the hosts that belong to no group but `all` (usable in --limit). */
function addUngrouped(tree: InventoryTree): void {
  const grouped = new Set([...tree.groups.values()].filter((g) => g.name !== 'all').flatMap((g) => g.hosts));
  const loose = [...tree.hosts.keys()].filter((h) => !grouped.has(h));
  if (loose.length === 0 || tree.groups.has('ungrouped')) return;
  const all = tree.groups.get('all')!;
  const group = ensureGroup(tree, 'ungrouped', all.origin.path);
  group.hosts.push(...loose);
  group.parents.push('all');
  all.children.push('ungrouped');
}

function ensureGroup(tree: InventoryTree, name: string, path: KeyPath): GroupRecord {
  let g = tree.groups.get(name);
  if (!g) {
    g = {
      name,
      hosts: [],
      children: [],
      parents: [],
      vars: new Map(),
      origin: { source: tree.source, path },
    };
    tree.groups.set(name, g);
  }
  return g;
}

function addUnique(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}

function parseGroup(
  tree: InventoryTree,
  bag: DiagnosticBag,
  name: string,
  value: unknown,
  path: KeyPath,
  parent: string | undefined,
): void {
  const { source } = tree;
  if (!GROUP_NAME.test(name)) {
    bag.push(
      source.diagnostic(
        path,
        `group name "${name}" is not a valid Ansible group name (letters, digits and underscores, not starting with a digit)`,
        `rename the group, e.g. "${name.replace(/[^A-Za-z0-9_]/g, '_')}"`,
        'warning',
      ),
    );
  }
  const group = ensureGroup(tree, name, path);
  if (parent !== undefined) {
    addUnique(tree.groups.get(parent)!.children, name);
    addUnique(group.parents, parent);
  }
  if (value === null || value === undefined) return;
  if (!isPlainObject(value)) {
    bag.push(
      source.diagnostic(
        path,
        `group "${name}" must be a mapping with "hosts", "children" or "vars", got ${describeType(value)}`,
        `write "${name}:" followed by an indented "hosts:" mapping of host names`,
      ),
    );
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const itemPath = [...path, key];
    if (key === 'hosts') parseHosts(tree, bag, group, item, itemPath);
    else if (key === 'children') parseChildren(tree, bag, group, item, itemPath);
    else if (key === 'vars') {
      if (item === null || item === undefined) continue;
      if (!isPlainObject(item)) {
        bag.push(
          source.diagnostic(
            itemPath,
            `"vars" of group "${name}" must be a mapping of variable names to values, got ${describeType(item)}`,
            'write one "name: value" pair per line under "vars:"',
          ),
        );
        continue;
      }
      addVars(group.vars, item, { source, path: itemPath }, bag);
    } else {
      bag.push(
        source.diagnostic(
          itemPath,
          `unknown key "${key}" in group "${name}"${didYouMean(key, GROUP_KEYS)}`,
          'a group may only contain "hosts", "children" and "vars"',
        ),
      );
    }
  }
}

function parseHosts(
  tree: InventoryTree,
  bag: DiagnosticBag,
  group: GroupRecord,
  value: unknown,
  path: KeyPath,
): void {
  const { source } = tree;
  if (value === null || value === undefined) return;
  if (!isPlainObject(value)) {
    bag.push(
      source.diagnostic(
        path,
        `"hosts" of group "${group.name}" must be a mapping of host names, got ${describeType(value)}`,
        'write each host as "name:" (optionally followed by its variables), not as a list item "- name"',
      ),
    );
    return;
  }
  for (const [name, vars] of Object.entries(value)) {
    const hostPath = [...path, name];
    if (HOST_RANGE.test(name)) {
      bag.push(
        source.diagnostic(
          hostPath,
          `host ranges such as "${name}" are not supported`,
          'list each host by name (a load balancer fronting many nodes needs each node addressed anyway)',
        ),
      );
      continue;
    }
    let host = tree.hosts.get(name);
    if (!host) {
      host = { name, vars: new Map(), origin: { source, path: hostPath } };
      tree.hosts.set(name, host);
    }
    addUnique(group.hosts, name);
    if (vars === null || vars === undefined) continue;
    if (!isPlainObject(vars)) {
      bag.push(
        source.diagnostic(
          hostPath,
          `host "${name}" must be followed by a mapping of its variables (or nothing), got ${describeType(vars)}`,
          `write "${name}:" and indent "ansible_host: <address>" etc. under it`,
        ),
      );
      continue;
    }
    addVars(host.vars, vars, { source, path: hostPath }, bag);
  }
}

function parseChildren(
  tree: InventoryTree,
  bag: DiagnosticBag,
  group: GroupRecord,
  value: unknown,
  path: KeyPath,
): void {
  if (value === null || value === undefined) return;
  if (!isPlainObject(value)) {
    bag.push(
      tree.source.diagnostic(
        path,
        `"children" of group "${group.name}" must be a mapping of group names, got ${describeType(value)}`,
        'write each child group as "name:" followed by its own "hosts:"/"children:"/"vars:"',
      ),
    );
    return;
  }
  for (const [child, def] of Object.entries(value)) {
    if (child === 'all') {
      bag.push(
        tree.source.diagnostic(
          [...path, child],
          '"all" cannot be a child group: it is the root',
          'rename the group or move its content to the top-level "all"',
        ),
      );
      continue;
    }
    parseGroup(tree, bag, child, def, [...path, child], group.name);
  }
}

/** Adds every `name: value` of `mapping` to `vars`, remembering where each was written. */
export function addVars(
  vars: ScopedVars,
  mapping: Record<string, unknown>,
  at: Origin,
  bag: DiagnosticBag,
): void {
  for (const [name, value] of Object.entries(mapping)) {
    const path = [...at.path, name];
    if (!VAR_NAME.test(name)) {
      bag.push(
        at.source.diagnostic(
          path,
          `"${name}" is not a valid variable name (letters, digits and underscores, not starting with a digit)`,
          'rename the variable',
        ),
      );
      continue;
    }
    vars.set(name, { value, origin: { source: at.source, path } });
  }
}
