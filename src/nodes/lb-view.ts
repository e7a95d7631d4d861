import type { ComponentRole, Deployment, HostnameKey } from '../domain/types.js';
import type { PatternPlan, ProxyServerPlan, UpstreamPlan, Wso2Port } from '../patterns/index.js';

/** One public name and port of the load balancer, and the nodes behind it. */
interface Front {
  key: HostnameKey;
  name: string;
  listenPort: number;
  upstream: UpstreamPlan;
}

/**
 * What one load balancer exposes, read from the same pattern plan its conf.d file is rendered from:
 * which public name reaches which node's WSO2 port. The node side asks this view only, so the two
 * sides cannot drift.
 */
export interface LoadBalancerView {
  deployment: Deployment;
  /** The public name whose 443 block reaches `node`'s `port` (plan order: portals before gw). */
  nameReaching(node: string, port: Wso2Port): Front | undefined;
  /** The public name whose 443 block reaches the `port` of a node of one of `roles` (first role first). */
  nameForRole(roles: ComponentRole[], port: Wso2Port): string | undefined;
  /** Names with a port-80 block (a redirect to HTTPS, or plain HTTP API calls). */
  hasPort80(name: string): boolean;
  /** The gateway's public name (API calls on 443), if the load balancer serves one. */
  gatewayName: string | undefined;
  /** Listen ports of the gateway name besides 443 (WebSocket 8099/9099, pass-through 8243/8280). */
  gatewayPorts: Set<number>;
  /** Every node name behind this load balancer. */
  nodes: Set<string>;
  /** Every hostname key with the nodes reached through it. */
  keysReaching(node: string): HostnameKey[];
}

export function loadBalancerView(deployment: Deployment, plan: PatternPlan): LoadBalancerView {
  const upstreams = new Map(plan.upstreams.map((u) => [u.name, u]));
  const fronts: Front[] = [];
  const byProxy = (p: ProxyServerPlan): Front => {
    const upstream = upstreams.get(p.upstream);
    if (!upstream)
      throw new Error(`pattern plan: server ${p.serverName} names unknown upstream ${p.upstream}`);
    return { key: p.hostnameKey, name: p.serverName, listenPort: p.listenPort, upstream };
  };
  for (const p of plan.proxies) fronts.push(byProxy(p));
  const https = fronts.filter((f) => f.listenPort === 443);
  const reaches = (f: Front, node: string): boolean => f.upstream.servers.some((s) => s.node === node);
  const gateway = https.find((f) => f.key === 'gw');
  const port80 = new Set(plan.redirects.map((r) => r.serverName));
  for (const f of fronts) if (f.listenPort === 80) port80.add(f.name);
  const nodes = new Set(plan.upstreams.flatMap((u) => u.servers.map((s) => s.node)));
  return {
    deployment,
    nameReaching: (node, port) => https.find((f) => f.upstream.port === port && reaches(f, node)),
    nameForRole: (roles, port) => {
      for (const role of roles) {
        const f = https.find((x) => x.upstream.port === port && x.upstream.role === role);
        if (f) return f.name;
      }
      return undefined;
    },
    hasPort80: (name) => port80.has(name),
    gatewayName: gateway?.name,
    gatewayPorts: new Set(
      fronts
        .filter((f) => gateway && f.name === gateway.name && f.listenPort !== 443)
        .map((f) => f.listenPort),
    ),
    nodes,
    keysReaching: (node) => [...new Set(fronts.filter((f) => reaches(f, node)).map((f) => f.key))],
  };
}
