import type { Deployment, EditionChoice, EditionDecision, StickyMethod } from '../domain/types.js';
import { NGINX_FEATURES, nginxVersionAtLeast } from './nginx-version.js';
import { planUpstreams, roleTitle, type UpstreamPlan } from './pattern-plan.js';

export interface EditionOptions {
  /** An NGINX Plus licence (repository certificate and key) is configured. */
  plusLicenceGiven: boolean;
  /** Version of the Community nginx that would be installed or is installed, when known. */
  ossNginxVersion?: string;
}

function stickyUpstreams(d: Deployment): UpstreamPlan[] {
  return planUpstreams(d).filter((u) => u.balancing === 'sticky');
}

/**
 * The docs' table: 9443 upstreams with several nodes behind a session (all-in-one portals, Gateway
 * Managers before 4.x, Publisher, Store, Key Manager, 4.x Control Plane) need sticky sessions.
 * Fail-over upstreams (4.x gwm, Traffic Manager) and API ports never do.
 */
export function needsSticky(d: Deployment): boolean {
  return stickyUpstreams(d).length > 0;
}

function describe(upstreams: UpstreamPlan[]): string {
  return upstreams.map((u) => `${roleTitle(u.role)} on ${u.port} (${u.servers.length} nodes)`).join(', ');
}

/** Why stickiness is (not) needed, in the user's words. */
function stickyReasons(d: Deployment, sticky: UpstreamPlan[]): string[] {
  const all = planUpstreams(d);
  const reasons: string[] = [];
  if (sticky.length > 0) {
    reasons.push(
      `Sticky sessions are needed for ${describe(sticky)}: the portals, consoles and admin-service calls keep their session on one node.`,
    );
  } else {
    reasons.push(
      'No upstream needs sticky sessions (no 9443 session upstream has several nodes): NGINX Community is enough.',
    );
  }
  const failover = all.filter((u) => u.balancing === 'failover');
  if (failover.length > 0) {
    reasons.push(
      `${failover.map((u) => roleTitle(u.role)).join(' and ')} on 9443 use fail-over (the second and later nodes are backups), which needs no stickiness.`,
    );
  }
  if (all.some((u) => u.port !== 9443)) {
    reasons.push('API traffic (8243, 8280 and WebSocket ports) is balanced round robin and is never sticky.');
  }
  return reasons;
}

function ipHashWarning(sticky: UpstreamPlan[], why: string): string {
  return (
    `${why} The sticky 9443 upstreams (${sticky.map((u) => u.name).join(', ')}) use ip_hash instead of a session cookie: ` +
    "WSO2's documentation needs sticky sessions for these nodes and accepts ip_hash as the Community fallback, " +
    'but every client behind one NAT or proxy lands on the same node. ' +
    `For cookie stickiness, give an NGINX Plus licence or install nginx >= ${NGINX_FEATURES.ossSticky} (e.g. from nginx.org).`
  );
}

function community(
  sticky: UpstreamPlan[],
  opts: EditionOptions,
  reasons: string[],
  warnings: string[],
): EditionDecision {
  if (sticky.length === 0) return { edition: 'oss', needsSticky: false, reasons, warnings };
  const version = opts.ossNginxVersion;
  let method: StickyMethod;
  if (version && nginxVersionAtLeast(version, NGINX_FEATURES.ossSticky)) {
    method = 'sticky-cookie';
    reasons.push(
      `nginx ${version} has the open-source \`sticky learn\` directive (since ${NGINX_FEATURES.ossSticky}): sticky sessions follow the JSESSIONID cookie.`,
    );
  } else {
    method = 'ip_hash';
    const why = version
      ? `NGINX Community ${version} has no \`sticky\` directive (it arrived in ${NGINX_FEATURES.ossSticky}).`
      : 'The Community nginx version is not known, so `sticky` (nginx >= ' +
        `${NGINX_FEATURES.ossSticky}) cannot be assumed.`;
    reasons.push(`${why} Sticky upstreams use ip_hash.`);
    warnings.push(ipHashWarning(sticky, why));
  }
  return { edition: 'oss', sticky: method, needsSticky: true, reasons, warnings };
}

/** Which nginx edition to install and how sticky upstreams are realised. */
export function decideEdition(d: Deployment, choice: EditionChoice, opts: EditionOptions): EditionDecision {
  const sticky = stickyUpstreams(d);
  const reasons = stickyReasons(d, sticky);
  const warnings: string[] = [];
  const needs = sticky.length > 0;

  if (choice === 'plus') {
    reasons.push('NGINX Plus was chosen explicitly.');
    if (!opts.plusLicenceGiven) {
      warnings.push(
        'NGINX Plus was chosen but no Plus licence is configured: the Plus repository cannot be reached without its certificate and key.',
      );
    }
    return needs
      ? {
          edition: 'plus',
          sticky: 'sticky-cookie',
          needsSticky: true,
          reasons: [...reasons, 'Sticky upstreams use the Plus `sticky learn` session cookie (JSESSIONID).'],
          warnings,
        }
      : { edition: 'plus', needsSticky: false, reasons, warnings };
  }

  if (choice === 'oss') {
    reasons.push('NGINX Community was chosen explicitly.');
    return community(sticky, opts, reasons, warnings);
  }

  // auto
  if (needs && opts.plusLicenceGiven) {
    reasons.push(
      'A Plus licence is configured, so NGINX Plus provides cookie-based sticky sessions (`sticky learn`).',
    );
    return { edition: 'plus', sticky: 'sticky-cookie', needsSticky: true, reasons, warnings };
  }
  if (needs) reasons.push('No Plus licence is configured: NGINX Community is used.');
  else if (opts.plusLicenceGiven)
    reasons.push('The configured Plus licence is not needed for this deployment.');
  return community(sticky, opts, reasons, warnings);
}
