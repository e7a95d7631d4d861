import type { ComponentRole } from '../domain/types.js';
import { NGINX_FEATURES } from '../patterns/index.js';
import { roleTitle } from '../patterns/pattern-plan.js';
import type {
  ApimNodeView,
  ChangeArea,
  DeploymentGraph,
  EditionView,
  HostChanges,
  Listener,
  LoadBalancerView,
  PoolMember,
  PoolMethod,
  PoolView,
} from './model.js';

/* The words of the picture, shared by every format: SVG, Mermaid and DOT say the same things. */

/** The line under the picture's title: how to read it, and what the highlights are. */
export function graphSubtitle(g: DeploymentGraph): string {
  const reading = 'left to right: public hostnames, load balancers with their upstream pools, API-M nodes';
  if (!g.run) return reading;
  return `${reading}; highlighted: what ${g.run.check ? 'apply --check would change' : 'apply changed'}`;
}

/** The balancing method as the pool box names it. */
export function methodLabel(m: PoolMethod): string {
  switch (m) {
    case 'sticky-plus':
      return 'sticky: Plus';
    case 'sticky-community':
      return `sticky: Community >= ${NGINX_FEATURES.ossSticky}`;
    case 'ip-hash-fallback':
      return 'ip_hash: Community fallback';
    case 'failover':
      return 'backup: fail-over';
    case 'round-robin':
      return 'round robin';
    case 'single-node':
      return 'single node';
  }
}

/** Why the pool balances that way, in a few words. */
export function methodReason(m: PoolMethod, lb: LoadBalancerView): string {
  switch (m) {
    case 'sticky-plus':
    case 'sticky-community':
      return 'sessions follow the JSESSIONID cookie';
    case 'ip-hash-fallback':
      return `nginx ${lb.edition.nginxVersion} has no sticky: one node per client address`;
    case 'failover':
      return 'first node serves, the others are backups';
    case 'round-robin':
      return 'API calls need no affinity';
    case 'single-node':
      return 'nothing to balance';
  }
}

export function editionLabel(e: EditionView): string {
  return e.edition === 'plus' ? 'NGINX Plus' : 'NGINX Community';
}

/** Why this edition: the inventory forced it, or the edition rule decided. */
export function editionReason(e: EditionView): string {
  switch (e.choice) {
    case 'plus':
    case 'oss':
      return `nginx_edition: ${e.choice}`;
    case 'auto':
      if (!e.needsSticky) return 'edition rule: no sticky sessions needed';
      return e.edition === 'plus'
        ? 'edition rule: sticky sessions needed, Plus licence given'
        : 'edition rule: sticky sessions needed, no Plus licence';
  }
}

export function versionLabel(e: EditionView): string {
  return e.versionKnown
    ? `nginx ${e.nginxVersion}`
    : `nginx ${e.nginxVersion} (assumed, not read from the host)`;
}

/** The lines under a load balancer's name. */
export function loadBalancerLines(lb: LoadBalancerView): string[] {
  return [
    `${editionLabel(lb.edition)} (${editionReason(lb.edition)})`,
    versionLabel(lb.edition),
    `API-M ${lb.version} ${lb.pattern}: ${lb.confPath}`,
  ];
}

function schemeOf(l: Listener): string {
  if (l.kind === 'websocket') return l.tls ? 'wss' : 'ws';
  return l.tls ? 'https' : 'http';
}

/** Listeners that only answer (a redirect, a refusal): drawn muted, with no pool behind them. */
export function answersOnly(l: Listener): boolean {
  return l.kind === 'redirect' || l.kind === 'refused';
}

/** The port and scheme alone, e.g. `:8099 wss`. */
export function listenerPort(l: Listener): string {
  return `:${l.port} ${schemeOf(l)}`;
}

export function listenerLabel(l: Listener): string {
  return `${listenerPort(l)} - ${l.kind === 'redirect' ? `${l.status ?? 301} to https` : l.title}`;
}

export function poolSubtitle(p: PoolView): string {
  return `${roleTitle(p.role)}, ${p.scheme} ${p.wso2Port}`;
}

/** `address:port` as the `server` line has it (IPv6 in brackets). */
export function memberAddress(m: PoolMember): string {
  const host = m.address.includes(':') ? `[${m.address}]` : m.address;
  return `${host}:${m.port}${m.backup ? ' backup' : ''}`;
}

export function roleGroupLabel(role: ComponentRole): string {
  return `apim_${role}: ${roleTitle(role)}`;
}

/** Lines under a node's name. */
export function nodeLines(n: ApimNodeView): string[] {
  const lines = [n.address];
  if (n.portOffset !== 0) lines.push(`port offset +${n.portOffset}`);
  if (n.roles.length > 1) lines.push(n.roles.map((r) => `apim_${r}`).join(' + '));
  for (const c of n.configured ?? []) lines.push(`configured: ${c.hostname}, proxyPort ${c.proxyPort}`);
  return lines;
}

const AREA_LABELS: Record<ChangeArea, string> = {
  install: 'install',
  certificate: 'certificate',
  config: 'configuration',
  reload: 'reload',
  other: 'other tasks',
};

/** The headline of a host's run outcome. */
export function outcomeLabel(c: HostChanges, graph: DeploymentGraph): string {
  switch (c.outcome) {
    case 'changes':
      return graph.run?.check === false ? 'CHANGED' : 'WOULD CHANGE';
    case 'unchanged':
      return 'no change';
    case 'failed':
      return c.error ? `FAILED: ${c.error}` : 'FAILED';
    case 'unreachable':
      return c.error ? `UNREACHABLE: ${c.error}` : 'UNREACHABLE';
    case 'not-started':
      return c.error ? `NOT STARTED: ${c.error.replace(/^not started: /, '')}` : 'NOT STARTED';
    case 'not-in-run':
      return 'not in this run';
  }
}

/** Words wrapped into lines of at most `width` characters (a longer word stays whole). */
export function wrapText(text: string, width = 72): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/** One line per changed area: `configuration: update /etc/nginx/conf.d/apim.conf (content)`. */
export function changeLines(c: HostChanges): string[] {
  return c.areas.flatMap((a) => a.lines.map((line) => `${areaLabel(a.area)}: ${line}`));
}

export function areaLabel(area: ChangeArea): string {
  return AREA_LABELS[area];
}
