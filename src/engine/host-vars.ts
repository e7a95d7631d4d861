import { copyFloatMarks } from '../domain/tagged-values.js';
import { APIM_NODES_GROUP, type Inventory } from '../domain/types.js';
import { holdsTemplate, withLazyTemplates } from '../playbook/index.js';
import type { Play } from '../playbook/types.js';
import type { HostSession } from './host-session.js';

/**
 * Variables templates see on a host: inventory vars, play vars, then what the run knows about the
 * host. Templated vars render when read, against the others, as in Ansible. Facts the host does
 * not have yet (no nginx installed) are left out rather than set to undefined.
 */
export function templateVars(session: HostSession, play: Play): Record<string, unknown> {
  const { host, facts, inventory, loadBalancer } = session;
  const { shared, plain } = inventoryWide(inventory);
  const known: Record<string, unknown> = {
    inventory_hostname: host.name,
    // The tool's own apim_nodes group is not Ansible's: templates see the groups Ansible would.
    group_names: host.groups.filter((g) => g !== 'all' && g !== APIM_NODES_GROUP),
    ...shared,
    ansible_facts: {
      distribution: facts.os.id,
      distribution_version: facts.os.versionId,
      os_family: facts.os.family,
    },
    nginx_conf_prefix: session.confPrefix,
  };
  if (facts.nginx) {
    known.nginx_version = facts.nginx.version;
    known.nginx_edition = facts.nginx.plus ? 'plus' : 'oss';
  }
  if (loadBalancer) {
    known.apim_pattern = loadBalancer.deployment.pattern;
    known.apim_version = loadBalancer.deployment.version;
  }
  const merged = { ...host.vars, ...play.vars, ...known };
  // YAML's 1.0 stays a float (the spread copies values, not the marks saying which are floats).
  copyFloatMarks(host.vars, merged);
  copyFloatMarks(play.vars, merged);
  const vars = withLazyTemplates(merged, play.loc);
  for (const [name, value] of Object.entries(plain))
    Object.defineProperty(vars, name, { value, enumerable: true, configurable: true, writable: true });
  return vars;
}

interface InventoryWide {
  /** `groups` and `hostvars` when they hold templates: rendered lazily per host, like the rest. */
  shared: Record<string, unknown>;
  /** The same when they hold none: one object for every host, not searched for templates again. */
  plain: Record<string, unknown>;
}

const inventoryWideVars = new WeakMap<Inventory, InventoryWide>();

/**
 * `groups` and `hostvars` are the same for every host and grow with the inventory: built and
 * searched for templates once per run, not once per host (that was O(hosts^2): 3 s of controller
 * CPU at 1,000 hosts, bench/scale).
 */
function inventoryWide(inventory: Inventory): InventoryWide {
  let found = inventoryWideVars.get(inventory);
  if (!found) {
    const groups = groupMembers(inventory);
    const hostvars = Object.fromEntries([...inventory.hosts.values()].map((h) => [h.name, h.vars]));
    found = { shared: {}, plain: {} };
    for (const [name, value] of Object.entries({ groups, hostvars }))
      (holdsTemplate(value) ? found.shared : found.plain)[name] = value;
    inventoryWideVars.set(inventory, found);
  }
  return found;
}

/** Ansible's `groups`: every group with the hosts of its child groups, in inventory order; `all` has every host. */
function groupMembers(inventory: Inventory): Record<string, string[]> {
  const members = (name: string, seen: Set<string>, out: Set<string>): Set<string> => {
    const group = inventory.groups.get(name);
    if (!group || seen.has(name)) return out;
    seen.add(name);
    for (const host of group.hosts) out.add(host);
    for (const child of group.children) members(child, seen, out);
    return out;
  };
  const groups: Record<string, string[]> = {};
  for (const name of inventory.groups.keys())
    if (name !== APIM_NODES_GROUP) groups[name] = [...members(name, new Set(), new Set())];
  groups.all = [...inventory.hosts.keys()];
  return groups;
}
