import { setKey } from '../input/set-key.js';
import { Secret } from '../domain/secret.js';
import { markFloat, VaultedText } from '../domain/tagged-values.js';
import type { AnsibleInventory } from './ansible-inventory.js';
import { isPlainObject, type ScopedVars } from './inventory-tree.js';
import { isSecretVar } from './vars-schema.js';

/**
 * What `ansible-inventory --list / --host / --graph` shows, from the inventory as Ansible sees it.
 * With `mask`, secrets are shown as ******** (secret variables, values from vault-encrypted files);
 * inline vault values show as Ansible shows them ({"__ansible_vault": ciphertext}).
 */
export interface ViewOptions {
  mask: boolean;
}

/** Variables ansible-inventory leaves out of its output (its INTERNAL_VARS). */
const INTERNAL_VARS = new Set([
  'ansible_diff_mode',
  'ansible_config_file',
  'ansible_facts',
  'ansible_forks',
  'ansible_inventory_sources',
  'ansible_limit',
  'ansible_playbook_python',
  'ansible_run_tags',
  'ansible_skip_tags',
  'ansible_verbosity',
  'ansible_version',
  'inventory_dir',
  'inventory_file',
  'inventory_hostname',
  'inventory_hostname_short',
  'groups',
  'group_names',
  'omit',
  'playbook_dir',
]);

function masked(name: string, value: unknown, secret: boolean | undefined): unknown {
  if (value instanceof VaultedText) return value;
  if (secret) return new Secret('');
  // { env: X } / { file: F } name where a secret comes from; they are not the secret.
  if (isSecretVar(name) && !isPlainObject(value) && value !== null) return new Secret('');
  return value;
}

/** A scope's variables as one object, floats remembered (for Python's 1.0). */
export function varsObject(vars: ScopedVars, options: ViewOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of vars) {
    if (INTERNAL_VARS.has(name)) continue;
    const value = options.mask ? masked(name, v.value, v.secret) : v.value;
    setKey(out, name, value);
    if (v.float) markFloat(out, name);
  }
  return out;
}

/** ansible-inventory --list: groups with their hosts and children, and `_meta.hostvars`. */
export function listView(inventory: AnsibleInventory, options: ViewOptions): Record<string, unknown> {
  const { data } = inventory;
  const result: Record<string, unknown> = {};
  const seen = new Set<string>();
  const format = (name: string): void => {
    const g = data.groups.get(name)!;
    const entry: Record<string, unknown> = {};
    if (name !== 'all' && g.hosts.length > 0) entry.hosts = [...g.hosts];
    if (g.children.length > 0) entry.children = [...g.children];
    if (Object.keys(entry).length > 0) result[name] = entry;
    for (const child of g.children) {
      if (seen.has(child)) continue;
      seen.add(child);
      format(child);
    }
  };
  format('all');
  const hostvars: Record<string, unknown> = {};
  for (const host of data.hosts.keys()) {
    const vars = varsObject(inventory.hostVars(host), options);
    if (Object.keys(vars).length > 0) setKey(hostvars, host, vars);
  }
  result._meta = { hostvars };
  return result;
}

/** ansible-inventory --graph [GROUP] [--vars]: the tree of groups, hosts (and variables). */
export function graphView(
  inventory: AnsibleInventory,
  start: string,
  withVars: boolean,
  options: ViewOptions,
  show: (value: unknown, float: boolean) => string,
): string {
  const { data } = inventory;
  const lines: string[] = [];
  const name = (text: string, depth: number) => (depth > 0 ? `${'  |'.repeat(depth)}--${text}` : text);
  const vars = (scope: ScopedVars, depth: number) => {
    const obj = varsObject(scope, options);
    for (const key of Object.keys(obj).sort()) {
      const float = scope.get(key)?.float ?? false;
      lines.push(name(`{${key} = ${show(obj[key], float)}}`, depth));
    }
  };
  const group = (g: string, depth: number): void => {
    lines.push(name(`@${g}:`, depth));
    const record = data.groups.get(g)!;
    for (const child of record.children) group(child, depth + 1);
    if (g !== 'all') {
      for (const host of record.hosts) {
        lines.push(name(host, depth + 1));
        if (withVars) vars(inventory.hostVars(host), depth + 2);
      }
    }
    if (withVars) vars(groupViewVars(inventory, g), depth + 1);
  };
  group(start, 0);
  return lines.join('\n');
}

/** A group's variables as --graph --vars shows them (with a priority other than 1). */
function groupViewVars(inventory: AnsibleInventory, group: string): ScopedVars {
  const vars = new Map(inventory.groupVars(group));
  const record = inventory.data.groups.get(group)!;
  if (record.priority !== 1)
    vars.set('ansible_group_priority', { value: record.priority, origin: record.origin });
  return vars;
}
