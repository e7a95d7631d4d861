import type { DiagnosticBag } from './diagnostic-bag.js';
import type { Origin, ScopedVars, VarValue } from './inventory-tree.js';

export interface GroupRecord {
  name: string;
  /** Hosts listed directly under the group, in the order Ansible adds them. */
  hosts: string[];
  hostSet: Set<string>;
  children: string[];
  parents: string[];
  /** Inline variables (a group defined in several places merges them, the later one winning). */
  vars: ScopedVars;
  /** `ansible_group_priority` (default 1): orders groups of the same depth. */
  priority: number;
  /** Longest path from `all` (computed by `finish`). */
  depth: number;
  /** Where the group is first defined. */
  origin: Origin;
}

export interface HostRecord {
  name: string;
  /** Inline host variables from every place the host is listed, the later one winning. */
  vars: ScopedVars;
  /** Where the host is first listed. */
  origin: Origin;
  /** The inventory source that first listed the host (Ansible's inventory_file). */
  inventoryFile?: string;
}

/** Ansible's Group name check: only letters, digits and underscores, not starting with a digit. */
const INVALID_GROUP_CHARS = /^[\d\W]|[^\w]/u;

/**
 * The inventory as Ansible's InventoryData builds it from every source: groups, hosts, their
 * relations and inline variables, with the places they were written. `all` and `ungrouped` always
 * exist; `finish` applies Ansible's reconcile rules and computes the depths.
 */
export class InventoryData {
  readonly groups = new Map<string, GroupRecord>();
  readonly hosts = new Map<string, HostRecord>();
  /** Sources parsed, in order: their folders hold group_vars/ and host_vars/. */
  readonly sources: string[] = [];
  /** Set while a source is parsed: new hosts remember it as their inventory_file. */
  currentSource: string | undefined;

  constructor(
    readonly bag: DiagnosticBag,
    readonly rootOrigin: Origin,
  ) {
    this.addGroup('all', rootOrigin);
    this.addGroup('ungrouped', rootOrigin);
    this.addChild('all', 'ungrouped', rootOrigin);
  }

  addGroup(name: string, origin: Origin): GroupRecord {
    let g = this.groups.get(name);
    if (g) {
      // `all` and `ungrouped` exist before any file: they are located where a file first names them.
      if (g.origin === this.rootOrigin) g.origin = origin;
      return g;
    }
    if (INVALID_GROUP_CHARS.test(name)) {
      this.bag.push(
        origin.source.diagnostic(
          origin.path,
          `group name "${name}" has characters Ansible warns about (only letters, digits and underscores, not starting with a digit)`,
          `rename the group, e.g. "${name.replace(/[^\w]/gu, '_').replace(/^(\d)/, '_$1')}"`,
          'warning',
        ),
      );
    }
    g = {
      name,
      hosts: [],
      hostSet: new Set(),
      children: [],
      parents: [],
      vars: new Map(),
      priority: 1,
      depth: 0,
      origin,
    };
    this.groups.set(name, g);
    return g;
  }

  /** Adds a host (the port, if any, only when it is new: Ansible's rule) and puts it in `group`. */
  addHost(name: string, group: string | undefined, port: number | undefined, origin: Origin): HostRecord {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: new Map(), origin };
      if (this.currentSource !== undefined) h.inventoryFile = this.currentSource;
      if (port !== undefined) h.vars.set('ansible_port', { value: port, origin });
      this.hosts.set(name, h);
    }
    if (group !== undefined) {
      const g = this.groups.get(group)!;
      if (!g.hostSet.has(name)) {
        g.hostSet.add(name);
        g.hosts.push(name);
      }
    }
    return h;
  }

  /** Makes `child` a child group of `parent`; a loop is an error (the edge is not added). */
  addChild(parent: string, child: string, origin: Origin): boolean {
    const p = this.groups.get(parent)!;
    const c = this.groups.get(child)!;
    if (p.children.includes(child)) return false;
    if (parent === child || this.ancestors(parent).has(child)) {
      this.bag.push(
        origin.source.diagnostic(
          origin.path,
          `adding group "${child}" as a child of "${parent}" creates a loop (${child} is already an ancestor of ${parent})`,
          `remove "${child}" from the children of "${parent}"`,
        ),
      );
      return false;
    }
    p.children.push(child);
    if (!c.parents.includes(parent)) c.parents.push(parent);
    return true;
  }

  removeHostFromGroup(group: string, host: string): void {
    const g = this.groups.get(group)!;
    if (!g.hostSet.delete(host)) return;
    g.hosts.splice(g.hosts.indexOf(host), 1);
  }

  setGroupVariable(group: string, name: string, value: VarValue): void {
    const g = this.groups.get(group)!;
    if (name === 'ansible_group_priority') {
      const n = pythonInt(value.value);
      if (n === undefined) {
        this.bag.push(
          value.origin.source.diagnostic(
            value.origin.path,
            `ansible_group_priority must be an integer, got ${JSON.stringify(value.value)}`,
            'write ansible_group_priority: 10 (a higher priority wins among groups of the same depth)',
          ),
        );
      } else g.priority = n;
      return;
    }
    g.vars.set(name, value);
  }

  /** Every ancestor of a group (not itself). */
  ancestors(name: string): Set<string> {
    const seen = new Set<string>();
    const stack = [...(this.groups.get(name)?.parents ?? [])];
    while (stack.length > 0) {
      const g = stack.pop()!;
      if (seen.has(g)) continue;
      seen.add(g);
      stack.push(...this.groups.get(g)!.parents);
    }
    return seen;
  }

  /**
   * Ansible's reconcile_inventory, then depths: a group without parents becomes a child of `all`; a
   * host in `ungrouped` and in another group leaves `ungrouped`; a host in no group joins it.
   */
  finish(rootOrigin: Origin): void {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name, rootOrigin);
    }
    const memberOf = this.groupsOfHosts();
    const ungrouped = this.groups.get('ungrouped')!;
    for (const host of this.hosts.keys()) {
      const groups = memberOf.get(host) ?? new Set<string>();
      if (groups.has('ungrouped')) {
        if ([...groups].some((g) => g !== 'all' && g !== 'ungrouped'))
          this.removeHostFromGroup('ungrouped', host);
      } else if ([...groups].every((g) => g === 'all')) {
        if (!ungrouped.hostSet.has(host)) {
          ungrouped.hostSet.add(host);
          ungrouped.hosts.push(host);
        }
      }
    }
    this.#computeDepths();
  }

  /** The groups of every host: the groups listing it, their ancestors (and `all` once reconciled). */
  groupsOfHosts(): Map<string, Set<string>> {
    const ancestorCache = new Map<string, Set<string>>();
    const result = new Map<string, Set<string>>();
    for (const g of this.groups.values()) {
      if (g.hosts.length === 0) continue;
      let up = ancestorCache.get(g.name);
      if (!up) ancestorCache.set(g.name, (up = this.ancestors(g.name)));
      for (const h of g.hosts) {
        let set = result.get(h);
        if (!set) result.set(h, (set = new Set()));
        set.add(g.name);
        for (const a of up) set.add(a);
      }
    }
    return result;
  }

  #computeDepths(): void {
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string): void => {
      if (state.get(name) !== undefined) return;
      state.set(name, 'visiting');
      for (const child of this.groups.get(name)!.children) visit(child);
      state.set(name, 'done');
      order.push(name);
    };
    for (const name of this.groups.keys()) visit(name);
    // Reverse post-order is a topological order: parents before children.
    for (const name of order.reverse()) {
      const g = this.groups.get(name)!;
      for (const child of g.children) {
        const c = this.groups.get(child)!;
        c.depth = Math.max(c.depth, g.depth + 1);
      }
    }
  }

  /**
   * Ansible's Group.get_hosts(): the group's own hosts, then its children's level by level, each
   * host once, in the order they are met.
   */
  hostsOf(group: string): string[] {
    const g = this.groups.get(group);
    if (!g) return [];
    const ordered = [g.name, ...g.children];
    const seen = new Set(ordered);
    let frontier = g.children;
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const name of frontier) {
        for (const child of this.groups.get(name)!.children) {
          if (seen.has(child)) continue;
          seen.add(child);
          ordered.push(child);
          next.push(child);
        }
      }
      frontier = next;
    }
    const hosts: string[] = [];
    const added = new Set<string>();
    for (const name of ordered) {
      for (const h of this.groups.get(name)!.hosts) {
        if (added.has(h)) continue;
        added.add(h);
        hosts.push(h);
      }
    }
    return hosts;
  }
}

/** Python's int(): whole numbers, digit strings (with spaces, sign, underscores), floats truncated. */
export function pythonInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string' && /^\s*[-+]?\d+(?:_\d+)*\s*$/.test(value))
    return Number(value.replace(/_/g, ''));
  return undefined;
}
