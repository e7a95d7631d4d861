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
  if (fromVar === 'apim_address' && !isAddress(address)) {
    r.report(
      'apim_address',
      `apim_address "${address}" is not an IPv4/IPv6 address or a DNS name`,
      'set apim_address to the address the load balancer reaches this node at',
    );
  }
  // A bad ansible_host (or host name) is already reported by the connection check.
  const portOffset = r.int('apim_port_offset', 0, 0, 10000, 'WSO2 port offsets keep every port below 65535');
  return { name, address, portOffset };
}
