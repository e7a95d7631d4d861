import type { Deployment, EditionDecision, LoadBalancer, RenderedConfig } from '../domain/types.js';
import { plainDataKey } from '../domain/plain-data.js';
import { decideEdition, EXPECTED_NGINX, renderConfig } from '../patterns/index.js';
import type { ModuleContext } from './contract.js';

/**
 * nginx version assumed for rendering when none is installed yet and the package's candidate is
 * unknown (check mode on a bare host): the oldest syntax we generate works on every version.
 */
export const FALLBACK_NGINX_VERSION = EXPECTED_NGINX.distro;
/** The conf prefix every supported package uses; the facts correct it when nginx -V says otherwise. */
export const DEFAULT_CONF_PREFIX = '/etc/nginx';

/** The pattern's plan for one load balancer, computed from the inventory and this host's facts. */
export interface LoadBalancerPlan {
  deployment: Deployment;
  decision: EditionDecision;
  nginxVersion: string;
  /** False when nothing on the host told the version (nothing installed, no package candidate). */
  versionKnown: boolean;
  rendered: RenderedConfig;
}

/** Moves the certificate paths under the host's conf prefix when nginx -V reports another one. */
function rebase(d: Deployment, confPrefix: string): Deployment {
  const move = (p: string) => p.replace(/^\/etc\/nginx(?=\/)/, confPrefix);
  return { ...d, tlsPaths: { certificate: move(d.tlsPaths.certificate), key: move(d.tlsPaths.key) } };
}

/**
 * Renderings by deployment and render options. Four modules ask for the plan on every host, and
 * the load balancers of a group usually share one deployment (one object: loadInventory interns
 * them): each distinct (deployment, options) is rendered once per run (rendering was ~5 % of a
 * no-op's controller CPU at 1,000 hosts). Frozen, as callers share it.
 */
type Rendering = { deployment: Deployment; rendered: RenderedConfig };
const renderings = new WeakMap<Deployment, Map<string, Rendering>>();

function renderedFor(
  lb: LoadBalancer,
  confPrefix: string,
  options: Omit<Parameters<typeof renderConfig>[1], 'confPrefix'>,
): Rendering {
  const key = plainDataKey([confPrefix, options]);
  let known = renderings.get(lb.deployment);
  const cached = key === undefined ? undefined : known?.get(key);
  if (cached) return cached;
  const deployment = rebase(lb.deployment, confPrefix);
  const rendered = renderConfig(deployment, { ...options, confPrefix });
  for (const list of [rendered.directories, rendered.files, rendered.serverNames, rendered.warnings])
    Object.freeze(list);
  rendered.files.forEach((f) => Object.freeze(f));
  const entry = { deployment, rendered: Object.freeze(rendered) };
  if (key !== undefined) {
    if (!known) renderings.set(lb.deployment, (known = new Map<string, Rendering>()));
    known.set(key, entry);
  }
  return entry;
}

/**
 * The conf.d file and what goes with it for `lb` before anything is known about the host (the
 * first facts round trip asks for these paths): Community nginx, the oldest syntax, /etc/nginx.
 */
export function firstGuessRendering(lb: LoadBalancer): RenderedConfig {
  return renderedFor(lb, DEFAULT_CONF_PREFIX, { edition: 'oss', nginxVersion: FALLBACK_NGINX_VERSION })
    .rendered;
}

/**
 * Edition decisions by deployment and what the host adds to it (the nginx version): pure, and the
 * same for the hosts of a group (planUpstreams twice per decision, on every host, before).
 * Frozen, as callers share it.
 */
const decisions = new WeakMap<Deployment, Map<string, EditionDecision>>();

function decisionFor(lb: LoadBalancer, ossVersion: string | undefined): EditionDecision {
  const plusLicenceGiven = lb.plusLicence !== undefined;
  const key = JSON.stringify([lb.editionChoice, plusLicenceGiven, ossVersion ?? null]);
  let known = decisions.get(lb.deployment);
  const cached = known?.get(key);
  if (cached) return cached;
  const decision = decideEdition(lb.deployment, lb.editionChoice, {
    plusLicenceGiven,
    ...(ossVersion ? { ossNginxVersion: ossVersion } : {}),
  });
  Object.freeze(decision.reasons);
  Object.freeze(decision.warnings);
  if (!known) decisions.set(lb.deployment, (known = new Map<string, EditionDecision>()));
  known.set(key, Object.freeze(decision));
  return decision;
}

/** Undefined when the host is not a load balancer of the inventory. */
export function planLoadBalancer(
  ctx: Pick<ModuleContext, 'loadBalancer' | 'facts' | 'confPrefix'>,
): LoadBalancerPlan | undefined {
  const lb = ctx.loadBalancer;
  if (!lb) return undefined;
  const { facts, confPrefix } = ctx;
  const nginx = facts.nginx;
  // Rendering follows the nginx that is (or, after the install task, will be) on the host. Before
  // the install, apt's candidate is the distribution's: nginx.org and Plus bring their own.
  const candidate =
    lb.install.ossSource === 'nginx.org' ? EXPECTED_NGINX.nginxOrg : facts.nginxCandidateVersion;
  const ossVersion = nginx && !nginx.plus ? nginx.version : candidate;
  const decision = decisionFor(lb, ossVersion);
  const installedFits = nginx !== undefined && nginx.plus === (decision.edition === 'plus');
  const hostTold =
    installedFits ||
    (decision.edition === 'oss' && lb.install.ossSource !== 'nginx.org' && candidate !== undefined);
  const nginxVersion =
    (installedFits ? nginx.version : undefined) ??
    (decision.edition === 'plus' ? EXPECTED_NGINX.plus : candidate) ??
    FALLBACK_NGINX_VERSION;
  const { deployment, rendered } = renderedFor(lb, confPrefix, {
    edition: decision.edition,
    nginxVersion,
    ...(decision.sticky ? { sticky: decision.sticky } : {}),
    ipv6: lb.listenIpv6 === 'auto' ? facts.ipv6 : lb.listenIpv6,
  });
  return { deployment, decision, nginxVersion, versionKnown: hostTold, rendered };
}

/** The message of the WSO2 modules on a host outside the `loadbalancers` group. */
export function notALoadBalancer(host: string): string {
  return `${host} is not in the loadbalancers group: no WSO2 pattern to apply`;
}
