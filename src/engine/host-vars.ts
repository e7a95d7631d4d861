import type { Inventory } from '../domain/types.js';
import { withLazyTemplates } from '../playbook/index.js';
import type { Play } from '../playbook/types.js';
import type { HostSession } from './host-session.js';

/**
 * Variables templates see on a host: inventory vars, play vars, then what the run knows about the
 * host. Templated vars render when read, against the others, as in Ansible. Facts the host does
 * not have yet (no nginx installed) are left out rather than set to undefined.
 */
export function templateVars(session: HostSession, play: Play): Record<string, unknown> {
  const { host, facts, inventory, loadBalancer } = session;
  const known: Record<string, unknown> = {
    inventory_hostname: host.name,
    group_names: host.groups.filter((g) => g !== 'all'),
    groups: groupsMap(inventory),
    hostvars: Object.fromEntries([...inventory.hosts.values()].map((h) => [h.name, h.vars])),
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
  return withLazyTemplates({ ...host.vars, ...play.vars, ...known }, play.loc);
}

function groupsMap(inventory: Inventory): Record<string, string[]> {
  const out: Record<string, string[]> = { all: [...inventory.hosts.keys()] };
  for (const [name, group] of inventory.groups) out[name] = group.hosts;
  return out;
}
