import type { Secret } from '../domain/secret.js';
import type { Host, Inventory } from '../domain/types.js';
import { type Diagnostic, errorsOf } from '../input/diagnostics.js';
import { unverifiedUpstreamWarnings } from '../inventory/lb-settings.js';
import { loadInventory, type LoadInventoryOptions } from '../inventory/load-inventory.js';
import { HostPatternError, selectHosts } from '../inventory/select-hosts.js';
import { MODULE_CATALOG } from '../modules/index.js';
import {
  checkUndefinedVariables,
  defaultPlaybookPath,
  loadPlaybook,
  type Play,
  type Playbook,
} from '../playbook/index.js';
import { UsageError } from './usage-error.js';

export interface RunInput {
  inventory?: Inventory;
  playbook?: Playbook;
  diagnostics: Diagnostic[];
  /** Values decrypted from vaults: the output must never show them. */
  secrets: Secret[];
  /** Per play (in order), the hosts it runs on after --limit. */
  hostsOfPlays: Host[][];
}

export interface RunInputRequest {
  sources: readonly string[];
  playbook?: string;
  options: LoadInventoryOptions;
  /** --limit patterns (an @file already read). */
  limit?: readonly string[];
}

/**
 * Everything a run needs, validated before any host is contacted (`validate` and `apply` share
 * it): the inventory (its TLS files and Plus licence included), the playbook against the module
 * registry, the hosts of every play (a play whose hosts match nothing is an error), undefined
 * template variables, the connection settings of every host a play reaches. A --limit that names
 * nothing, or leaves no host, is a usage error (thrown).
 */
export function loadRunInput(request: RunInputRequest): RunInput {
  const playbookFile = request.playbook ?? defaultPlaybookPath();
  const inv = loadInventory(request.sources, request.options);
  const diagnostics = [...inv.diagnostics];
  const pb = loadPlaybook(playbookFile, MODULE_CATALOG);
  diagnostics.push(...pb.diagnostics);
  let hostsOfPlays: Host[][] = [];
  if (inv.inventory && pb.playbook) {
    const inventory = inv.inventory;
    hostsOfPlays = pb.playbook.plays.map((play) => hostsOfPlay(inventory, play, diagnostics));
    if (request.limit && request.limit.length > 0)
      hostsOfPlays = applyLimit(inventory, request.limit, hostsOfPlays);
    // Connection settings matter for the hosts a play reaches (load balancers are always checked).
    const reached = new Set(hostsOfPlays.flat().map((h) => h.name));
    for (const name of reached) diagnostics.push(...(inv.deferred.get(name) ?? []));
    const varsByHost = new Map([...inventory.hosts.values()].map((h) => [h.name, h.vars]));
    diagnostics.push(...checkUndefinedVariables(pb.playbook, varsByHost));
  }
  // The TLS and licence file checks happen while loading; this one speaks of the run as a whole.
  if (inv.inventory) diagnostics.push(...unverifiedUpstreamWarnings(inv.inventory));
  const ok = errorsOf(diagnostics).length === 0;
  return {
    diagnostics,
    secrets: inv.secrets,
    hostsOfPlays,
    ...(ok && inv.inventory ? { inventory: inv.inventory } : {}),
    ...(ok && pb.playbook ? { playbook: pb.playbook } : {}),
  };
}

/** The hosts a play's `hosts:` names; a pattern that names nothing is an error at the play. */
function hostsOfPlay(inventory: Inventory, play: Play, diagnostics: Diagnostic[]): Host[] {
  const all = [...inventory.hosts.values()];
  // A templated pattern is only known at run time.
  if (play.hosts.includes('{{')) return all;
  try {
    return selectHosts(inventory, [play.hosts], all);
  } catch (err) {
    if (!(err instanceof HostPatternError)) throw err;
    diagnostics.push({
      file: play.loc.file,
      line: play.loc.line,
      column: play.loc.column,
      key: 'hosts',
      message: `play "${play.name}": hosts ${err.message}`,
      fix: `name a group or host of the inventory (${err.fix})`,
      severity: 'error',
    });
    return [];
  }
}

function applyLimit(inventory: Inventory, limit: readonly string[], plays: Host[][]): Host[][] {
  let chosen: Set<string>;
  try {
    chosen = new Set(selectHosts(inventory, limit, [...inventory.hosts.values()]).map((h) => h.name));
  } catch (err) {
    if (!(err instanceof HostPatternError)) throw err;
    throw new UsageError(`--limit: ${err.message} (${err.fix})`);
  }
  const limited = plays.map((hosts) => hosts.filter((h) => chosen.has(h.name)));
  if (limited.every((hosts) => hosts.length === 0)) {
    throw new UsageError(
      `--limit ${limit.join(',')} leaves no host to run on: it selects ${[...chosen].join(', ') || 'nothing'}, which no play targets`,
    );
  }
  return limited;
}
