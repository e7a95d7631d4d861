import type { Inventory } from '../domain/types.js';
import type { Play } from '../playbook/types.js';
import type { HostSession } from './host-session.js';

/** Variables templates see on a host: inventory vars, play vars, then what the run knows about the host. */
export function templateVars(session: HostSession, play: Play): Record<string, unknown> {
  const { host, facts, inventory } = session;
  return {
    ...host.vars,
    ...play.vars,
    inventory_hostname: host.name,
    group_names: host.groups.filter((g) => g !== 'all'),
    groups: groupsMap(inventory),
    ansible_facts: {
      distribution: facts.os.id,
      distribution_version: facts.os.versionId,
      os_family: facts.os.family,
    },
    nginx_version: facts.nginx?.version,
    nginx_conf_prefix: session.confPrefix,
    nginx_edition: facts.nginx ? (facts.nginx.plus ? 'plus' : 'oss') : undefined,
  };
}

function groupsMap(inventory: Inventory): Record<string, string[]> {
  const out: Record<string, string[]> = { all: [...inventory.hosts.keys()] };
  for (const [name, group] of inventory.groups) out[name] = group.hosts;
  return out;
}
