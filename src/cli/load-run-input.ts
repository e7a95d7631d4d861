import type { Inventory } from '../domain/types.js';
import { type Diagnostic, errorsOf } from '../input/diagnostics.js';
import { unverifiedUpstreamWarnings } from '../inventory/lb-settings.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { MODULE_CATALOG } from '../modules/index.js';
import {
  checkUndefinedVariables,
  defaultPlaybookPath,
  loadPlaybook,
  type Playbook,
} from '../playbook/index.js';

export interface RunInput {
  inventory?: Inventory;
  playbook?: Playbook;
  diagnostics: Diagnostic[];
}

/**
 * Everything a run needs, validated before any host is contacted (`validate` and `apply` share it):
 * the inventory (its TLS files and Plus licence included), the playbook against the module
 * registry, and the template variables each host would be missing.
 */
export function loadRunInput(inventoryFile: string, playbookFile?: string): RunInput {
  const inv = loadInventory(inventoryFile);
  const diagnostics = [...inv.diagnostics];
  const pb = loadPlaybook(playbookFile ?? defaultPlaybookPath(), MODULE_CATALOG);
  diagnostics.push(...pb.diagnostics);
  if (inv.inventory && pb.playbook) {
    const varsByHost = new Map([...inv.inventory.hosts.values()].map((h) => [h.name, h.vars]));
    diagnostics.push(...checkUndefinedVariables(pb.playbook, varsByHost));
  }
  // The TLS and licence file checks happen while loading; this one speaks of the run as a whole.
  if (inv.inventory) diagnostics.push(...unverifiedUpstreamWarnings(inv.inventory));
  const ok = errorsOf(diagnostics).length === 0;
  return {
    diagnostics,
    ...(ok && inv.inventory ? { inventory: inv.inventory } : {}),
    ...(ok && pb.playbook ? { playbook: pb.playbook } : {}),
  };
}
