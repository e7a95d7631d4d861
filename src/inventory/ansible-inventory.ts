import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../input/diagnostics.js';
import { isHostList, pathKind } from '../input/path-kind.js';
import type { YamlOptions } from '../input/yaml-source.js';
import { DiagnosticBag } from './diagnostic-bag.js';
import { looksLikeIpAddress } from './host-pattern.js';
import { InventoryData } from './inventory-data.js';
import { parseSource } from './inventory-sources.js';
import { pseudoSource, type ScopedVars, type VarValue } from './inventory-tree.js';
import { VarsFiles } from './vars-files.js';

export interface AnsibleInventoryOptions {
  /** The playbook's folder: its group_vars/ and host_vars/ apply too (Ansible's playbook vars). */
  playbookDir?: string;
  /** `-e` variables: the highest precedence. */
  extraVars?: ScopedVars;
  decryptFile: NonNullable<YamlOptions['decryptFile']>;
}

/**
 * The inventory exactly as Ansible sees it: groups and hosts of every source (later sources add to
 * earlier ones), and each host's variables merged with Ansible's precedence:
 *
 *   all's inline vars < other groups' inline vars (by depth, ansible_group_priority, name)
 *   < group_vars/all (per inventory source, then the playbook's) < group_vars/<group> (per source,
 *   groups in that order, then the playbook's) < inline host vars < host_vars/<host> (per source,
 *   then the playbook's) < extra vars (-e).
 *
 * Every group_vars *file* beats every inline group `vars:`, as in Ansible.
 */
export class AnsibleInventory {
  readonly #hostVars = new Map<string, ScopedVars>();
  readonly #sortedGroups = new Map<string, string[]>();
  readonly #hostGroups: Map<string, Set<string>>;
  /** Folders whose group_vars/ and host_vars/ apply, per inventory source in order. */
  readonly sourceDirs: string[];
  readonly playbookDir: string | undefined;

  constructor(
    readonly data: InventoryData,
    readonly varsFiles: VarsFiles,
    readonly extraVars: ScopedVars,
    playbookDir: string | undefined,
  ) {
    this.sourceDirs = data.sources
      .filter((s) => !isHostList(s))
      .map((s) => (pathKind(s) === 'dir' ? s : dirname(s)));
    this.playbookDir = playbookDir;
    this.#hostGroups = data.groupsOfHosts();
  }

  /** Every group a host belongs to (with ancestors and `all`), by depth, priority and name. */
  groupsOf(host: string): string[] {
    let sorted = this.#sortedGroups.get(host);
    if (!sorted)
      this.#sortedGroups.set(
        host,
        (sorted = this.#sortGroups([...(this.#hostGroups.get(host) ?? []), 'all'])),
      );
    return sorted;
  }

  #sortGroups(names: Iterable<string>): string[] {
    const groups = [...new Set(names)].map((n) => this.data.groups.get(n)!);
    groups.sort(
      (a, b) =>
        a.depth - b.depth || a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    return groups.map((g) => g.name);
  }

  /** group_names: sorted, without `all`. */
  groupNames(host: string): string[] {
    return [...(this.#hostGroups.get(host) ?? [])].filter((g) => g !== 'all').sort();
  }

  #dirs(): string[] {
    return this.playbookDir === undefined ? this.sourceDirs : [...this.sourceDirs, this.playbookDir];
  }

  /** A host's variables after Ansible's precedence (values replace, dictionaries are not merged). */
  hostVars(host: string): ScopedVars {
    const known = this.#hostVars.get(host);
    if (known) return known;
    const merged: ScopedVars = new Map();
    const apply = (vars: ScopedVars) => {
      for (const [k, v] of vars) merged.set(k, v);
    };
    const groups = this.groupsOf(host).filter((g) => g !== 'all');
    const playbook = this.playbookDir;
    apply(this.data.groups.get('all')!.vars);
    for (const g of groups) apply(this.data.groups.get(g)!.vars);
    for (const dir of this.sourceDirs) this.varsFiles.layers(dir, 'group_vars', 'all').forEach(apply);
    if (playbook !== undefined) this.varsFiles.layers(playbook, 'group_vars', 'all').forEach(apply);
    for (const dir of this.sourceDirs)
      for (const g of groups) this.varsFiles.layers(dir, 'group_vars', g).forEach(apply);
    if (playbook !== undefined)
      for (const g of groups) this.varsFiles.layers(playbook, 'group_vars', g).forEach(apply);
    apply(this.data.hosts.get(host)!.vars);
    for (const dir of this.#dirs()) this.varsFiles.layers(dir, 'host_vars', host).forEach(apply);
    apply(this.extraVars);
    this.#hostVars.set(host, merged);
    return merged;
  }

  /** A group's own variables as ansible-inventory shows them: inline, then its group_vars files. */
  groupVars(group: string): ScopedVars {
    const merged: ScopedVars = new Map(this.data.groups.get(group)!.vars);
    for (const dir of this.sourceDirs)
      for (const layer of this.varsFiles.layers(dir, 'group_vars', group))
        for (const [k, v] of layer) merged.set(k, v);
    return merged;
  }

  /** Ansible's magic variables of a host (what templates in inventory values may read besides its vars). */
  magicVars(host: string): Record<string, unknown> {
    const record = this.data.hosts.get(host)!;
    const vars: Record<string, unknown> = {
      inventory_hostname: host,
      inventory_hostname_short: looksLikeIpAddress(host) ? host : host.split('.')[0],
      group_names: this.groupNames(host),
      inventory_file: record.inventoryFile ?? null,
      inventory_dir: record.inventoryFile !== undefined ? dirname(record.inventoryFile) : null,
    };
    if (this.playbookDir !== undefined) vars.playbook_dir = this.playbookDir;
    return vars;
  }

  /** The `groups` magic variable: every group's hosts (with descendants). */
  groupsMap(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const name of this.data.groups.keys()) out[name] = this.data.hostsOf(name);
    return out;
  }
}

/**
 * Reads every source (`-i`, in order) and returns the inventory as Ansible sees it, with every
 * problem found. Variable files are read when a host's variables are first merged.
 */
export function loadAnsibleInventory(
  sources: readonly string[],
  options: AnsibleInventoryOptions,
  bag = new DiagnosticBag(),
): { inventory: AnsibleInventory; diagnostics: Diagnostic[]; bag: DiagnosticBag } {
  const root = { source: pseudoSource(sources[0] ?? 'inventory'), path: [] };
  const data = new InventoryData(bag, root);
  for (const s of sources) parseSource(s, data, options);
  data.finish(root);
  const varsFiles = new VarsFiles(bag, { decryptFile: options.decryptFile });
  const inventory = new AnsibleInventory(
    data,
    varsFiles,
    options.extraVars ?? new Map<string, VarValue>(),
    options.playbookDir !== undefined ? resolve(options.playbookDir) : undefined,
  );
  for (const dir of [
    ...new Set([...inventory.sourceDirs, ...(inventory.playbookDir ? [inventory.playbookDir] : [])]),
  ]) {
    varsFiles.warnUnknownNames(dir, 'group_vars', new Set(data.groups.keys()));
    varsFiles.warnUnknownNames(dir, 'host_vars', new Set(data.hosts.keys()));
  }
  // Merge now: every vars file problem is found before anything runs.
  for (const host of data.hosts.keys()) inventory.hostVars(host);
  for (const group of data.groups.keys()) inventory.groupVars(group);
  return { inventory, diagnostics: bag.items, bag };
}
