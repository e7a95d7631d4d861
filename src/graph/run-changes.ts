import type { EditionDecision } from '../domain/types.js';
import type { AreaChanges, ChangeArea, DeploymentGraph, HostChanges, HostOutcome } from './model.js';

/*
 * What the picture reads of an apply run. The engine's RunSummary has this shape; declaring only
 * what is read keeps this layer free of the engine (and of its refactors).
 */
export interface RunChange {
  kind: string;
  action: string;
  target: string;
  summary: string;
}

export interface RunTask {
  module: string;
  changes: readonly RunChange[];
  /** A load balancer's configuration: what the run planned it for, on the host. */
  nginx?: PlannedNginxView;
}

export interface PlannedNginxView {
  decision: EditionDecision;
  version: string;
  versionKnown: boolean;
  confPath: string;
}

export interface RunHost {
  host: string;
  status: 'ok' | 'changed' | 'failed' | 'unreachable' | 'not_started';
  tasks: readonly RunTask[];
  error?: string;
}

export interface RunOutcome {
  check: boolean;
  hosts: readonly RunHost[];
}

const AREA_ORDER: readonly ChangeArea[] = ['install', 'certificate', 'config', 'reload', 'other'];

/** The built-in playbook's modules each do one part; generic modules are sorted by what they change. */
function areaOf(module: string, change: RunChange): ChangeArea {
  switch (module) {
    case 'apim_nginx_install':
      return 'install';
    case 'apim_tls_certificates':
      return 'certificate';
    case 'apim_lb_config':
      return 'config';
    case 'nginx_reload':
      return 'reload';
  }
  if (change.kind === 'package' || change.kind === 'repository') return 'install';
  if (change.kind === 'reload') return 'reload';
  return 'other';
}

/** Hides secrets in text that comes from a run (errors, targets, summaries) before it is drawn. */
export type Scrub = (text: string) => string;

function changeLine(c: RunChange): string {
  if (c.kind === 'file')
    return c.action === 'update' ? `update ${c.target} (${c.summary})` : `${c.action} ${c.target}`;
  if (c.kind === 'repository' || c.kind === 'link') return `${c.action} ${c.kind} ${c.target}`;
  return `${c.action} ${c.target}`;
}

/** One line per change; folders (log folders, the ssl folder) are counted together per action. */
function linesOf(changes: readonly RunChange[], scrub: Scrub): string[] {
  const lines = changes.filter((c) => c.kind !== 'directory').map((c) => scrub(changeLine(c)));
  const folders = new Map<string, RunChange[]>();
  for (const c of changes.filter((x) => x.kind === 'directory')) {
    folders.set(c.action, [...(folders.get(c.action) ?? []), c]);
  }
  for (const [action, list] of folders) {
    lines.push(
      list.length === 1 ? `${action} folder ${list[0]?.target ?? ''}` : `${action} ${list.length} folders`,
    );
  }
  return lines;
}

function areasOf(host: RunHost, scrub: Scrub): AreaChanges[] {
  const byArea = new Map<ChangeArea, RunChange[]>();
  for (const t of host.tasks) {
    for (const c of t.changes) {
      const area = areaOf(t.module, c);
      byArea.set(area, [...(byArea.get(area) ?? []), c]);
    }
  }
  return AREA_ORDER.flatMap((area) => {
    const changes = byArea.get(area);
    return changes ? [{ area, lines: linesOf(changes, scrub) }] : [];
  });
}

function outcomeOf(host: RunHost, areas: AreaChanges[]): HostOutcome {
  switch (host.status) {
    case 'unreachable':
      return 'unreachable';
    case 'failed':
      return 'failed';
    case 'not_started':
      return 'not-started';
    case 'ok':
    case 'changed':
      return areas.length > 0 ? 'changes' : 'unchanged';
  }
}

function hostChanges(host: RunHost | undefined, scrub: Scrub): HostChanges {
  if (!host) return { outcome: 'not-in-run', areas: [] };
  const areas = areasOf(host, scrub);
  const outcome = outcomeOf(host, areas);
  // Scrubbed before it is cut to one line: a secret may span lines (a PEM block).
  const error = host.error === undefined ? undefined : scrub(host.error).split('\n')[0]?.trim();
  return {
    outcome,
    areas,
    ...(error && outcome !== 'changes' && outcome !== 'unchanged' ? { error } : {}),
  };
}

/** A configuration file the run creates: everything it holds is new. */
function createsConfig(host: RunHost | undefined): boolean {
  return (host?.tasks ?? []).some(
    (t) => t.module === 'apim_lb_config' && t.changes.some((c) => c.kind === 'file' && c.action === 'create'),
  );
}

/** The nginx the run planned a load balancer's configuration for (its last configuration task). */
export function plannedNginx(run: RunOutcome, host: string): PlannedNginxView | undefined {
  const tasks = run.hosts.find((h) => h.host === host)?.tasks ?? [];
  return tasks.findLast((t) => t.nginx !== undefined)?.nginx;
}

/**
 * The same picture with what a run changed (or, in check mode, would change) on each load
 * balancer: its frame highlighted and the changes listed per part (install, certificate,
 * configuration, reload). Load balancers the run did not reach say so. Every text taken from the
 * run goes through `scrub` here, before any format escapes it (Graphviz writes `-` as `&#45;`, so
 * scrubbing the finished picture would miss secrets).
 */
export function withRunChanges(graph: DeploymentGraph, run: RunOutcome, scrub: Scrub): DeploymentGraph {
  const hosts = new Map(run.hosts.map((h) => [h.host, h]));
  return {
    ...graph,
    run: { check: run.check },
    loadBalancers: graph.loadBalancers.map((lb) => {
      const host = hosts.get(lb.name);
      const isNew = createsConfig(host);
      return {
        ...lb,
        changes: hostChanges(host, scrub),
        pools: lb.pools.map((p) => (isNew ? { ...p, isNew } : p)),
      };
    }),
  };
}
