import type { DiagnosticBag } from './diagnostic-bag.js';
import type { InventoryTree, ScopedVars } from './inventory-tree.js';

/** group_vars / host_vars layers per name, in application order. */
export type VarsLayers = Map<string, ScopedVars[]>;

/**
 * Depth of each group: the longest path from `all` (Ansible's rule). A cycle in `children` is an
 * error; the groups on it keep the depth reached before the loop.
 */
export function groupDepths(tree: InventoryTree, bag: DiagnosticBag): Map<string, number> {
  const depth = new Map<string, number>();
  const onStack = new Set<string>();
  const visit = (name: string, d: number): void => {
    if ((depth.get(name) ?? -1) >= d) return;
    depth.set(name, d);
    onStack.add(name);
    const group = tree.groups.get(name)!;
    for (const child of group.children) {
      if (onStack.has(child)) {
        const c = tree.groups.get(child)!;
        bag.push(
          c.origin.source.diagnostic(
            c.origin.path,
            `group "${child}" is its own ancestor (through "${name}"): children form a loop`,
            `remove "${child}" from the children of "${name}"`,
          ),
        );
        continue;
      }
      visit(child, d + 1);
    }
    onStack.delete(name);
  };
  visit('all', 0);
  return depth;
}

/** Every group a host belongs to: direct groups, their ancestors, and `all`. */
export function groupsOfHost(tree: InventoryTree, host: string): Set<string> {
  const result = new Set<string>();
  const add = (name: string): void => {
    if (result.has(name)) return;
    result.add(name);
    for (const p of tree.groups.get(name)?.parents ?? []) add(p);
  };
  for (const g of tree.groups.values()) if (g.hosts.includes(host)) add(g.name);
  result.add('all');
  return result;
}

/** Every host of a group, its own first, then its children's, in inventory order. */
export function hostsOfGroup(tree: InventoryTree, group: string, seen = new Set<string>()): string[] {
  if (seen.has(group)) return [];
  seen.add(group);
  const g = tree.groups.get(group);
  if (!g) return [];
  const hosts = [...g.hosts];
  for (const child of g.children)
    for (const h of hostsOfGroup(tree, child, seen)) if (!hosts.includes(h)) hosts.push(h);
  return hosts;
}

/**
 * A host's variables with Ansible precedence: groups by depth (all < parent < child; same depth by
 * name, as Ansible sorts them), each group's inline vars then its group_vars files, then the host's
 * inline vars, then its host_vars files. Values replace, they are not deep-merged (Ansible's default).
 */
export function mergeHostVars(
  tree: InventoryTree,
  host: string,
  depths: ReadonlyMap<string, number>,
  groupFiles: VarsLayers,
  hostFiles: VarsLayers,
): ScopedVars {
  const groups = [...groupsOfHost(tree, host)].sort(
    (a, b) => (depths.get(a) ?? 0) - (depths.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const merged: ScopedVars = new Map();
  const apply = (vars: ScopedVars): void => {
    for (const [k, v] of vars) merged.set(k, v);
  };
  for (const g of groups) {
    apply(tree.groups.get(g)!.vars);
    (groupFiles.get(g) ?? []).forEach(apply);
  }
  apply(tree.hosts.get(host)!.vars);
  (hostFiles.get(host) ?? []).forEach(apply);
  return merged;
}
