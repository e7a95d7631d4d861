import type { Deployment, EditionDecision, RenderedConfig } from '../domain/types.js';
import { decideEdition, EXPECTED_NGINX, renderConfig } from '../patterns/index.js';
import type { HostSession } from './host-session.js';
import { FALLBACK_NGINX_VERSION } from './run-options.js';

/** The pattern's plan for one load balancer, computed from the inventory and this host's facts. */
export interface LoadBalancerPlan {
  deployment: Deployment;
  decision: EditionDecision;
  nginxVersion: string;
  rendered: RenderedConfig;
}

/** Moves the certificate paths under the host's conf prefix when nginx -V reports another one. */
function rebase(d: Deployment, confPrefix: string): Deployment {
  const move = (p: string) => p.replace(/^\/etc\/nginx(?=\/)/, confPrefix);
  return { ...d, tlsPaths: { certificate: move(d.tlsPaths.certificate), key: move(d.tlsPaths.key) } };
}

export function planLoadBalancer(session: HostSession): LoadBalancerPlan {
  const lb = session.loadBalancer;
  if (!lb)
    throw new Error(`host ${session.host.name} is not in the loadbalancers group: no WSO2 pattern to apply`);
  const nginx = session.facts.nginx;
  // Rendering follows the nginx that is (or, after the install task, will be) on the host. Before
  // the install, apt's candidate is the distribution's: nginx.org and Plus bring their own.
  const candidate =
    lb.install.ossSource === 'nginx.org' ? EXPECTED_NGINX.nginxOrg : session.facts.nginxCandidateVersion;
  const ossVersion = nginx && !nginx.plus ? nginx.version : candidate;
  const decision = decideEdition(lb.deployment, lb.editionChoice, {
    plusLicenceGiven: lb.plusLicence !== undefined,
    ...(ossVersion ? { ossNginxVersion: ossVersion } : {}),
  });
  const installedFits = nginx !== undefined && nginx.plus === (decision.edition === 'plus');
  const nginxVersion =
    (installedFits ? nginx.version : undefined) ??
    (decision.edition === 'plus' ? EXPECTED_NGINX.plus : candidate) ??
    FALLBACK_NGINX_VERSION;
  const deployment = rebase(lb.deployment, session.confPrefix);
  const rendered = renderConfig(deployment, {
    edition: decision.edition,
    nginxVersion,
    ...(decision.sticky ? { sticky: decision.sticky } : {}),
    confPrefix: session.confPrefix,
    ipv6: lb.listenIpv6 === 'auto' ? session.facts.ipv6 : lb.listenIpv6,
  });
  return { deployment, decision, nginxVersion, rendered };
}
