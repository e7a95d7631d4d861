import type { Backend, ComponentRole } from '../domain/types.js';
import { COMPONENT_ROLES } from '../domain/types.js';
import { isAddress } from './address.js';
import type { VarReader } from './var-reader.js';

export const LOAD_BALANCER_GROUP = 'loadbalancers';

export function roleGroupName(role: ComponentRole): string {
  return `apim_${role}`;
}

export const ROLE_GROUP_NAMES: readonly string[] = COMPONENT_ROLES.map(roleGroupName);

export function roleOfGroup(group: string): ComponentRole | undefined {
  return COMPONENT_ROLES.find((r) => roleGroupName(r) === group);
}

/** An API-M node as the load balancer sees it; problems are reported where the variables are set. */
export function backendOf(r: VarReader): Backend {
  const name = r.ctx.hostName;
  const fromVar = r.has('apim_address') ? 'apim_address' : r.has('ansible_host') ? 'ansible_host' : undefined;
  const address = (fromVar && r.string(fromVar)) || name;
  // The load balancer proxies to this address whether or not a play reaches the node, so it is
  // checked here (the node's own connection check runs only when it is contacted).
  if (!isAddress(address)) {
    r.report(
      fromVar ?? 'ansible_host',
      fromVar
        ? `${fromVar} "${address}" is not an IPv4/IPv6 address or a DNS name`
        : `host name "${name}" is not an IPv4/IPv6 address or a DNS name, and neither apim_address nor ansible_host is set`,
      'set apim_address to the address the load balancer reaches this node at',
    );
  }
  const portOffset = r.int('apim_port_offset', 0, 0, 10000, 'WSO2 port offsets keep every port below 65535');
  return { name, address, portOffset };
}
