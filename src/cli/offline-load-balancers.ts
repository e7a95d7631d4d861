import type { ApimNode, LoadBalancer } from '../domain/types.js';
import { errorsOf } from '../input/diagnostics.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { EXIT, printDiagnostics } from '../report/index.js';
import {
  inventoryLoadOptions,
  inventoryOptions,
  loadAnsibleSettings,
  sourcesOf,
  type InventoryArgs,
} from './inventory-args.js';
import { useColor } from './terminal.js';
import type { Argv } from 'yargs';

/** Arguments of a command that reads an inventory and contacts no host (render, graph). */
export interface OfflineArgs extends InventoryArgs {
  inv?: string;
  host?: string;
}

/** The inventory as `-i INV` (repeatable) or the positional form, and --host. */
export function offlineOptions<T>(y: Argv<T>) {
  return inventoryOptions(y)
    .positional('inv', { type: 'string', describe: 'inventory (or -i INVENTORY, repeatable)' })
    .option('host', { type: 'string', describe: 'only this load balancer' });
}

/**
 * The load balancers a command that contacts no host works on (render, graph): the inventory read
 * as Ansible reads it (-i sources, ansible.cfg, -e, vault) without its secrets, its problems
 * printed, `--host` keeping one. An exit code instead when there is nothing to work on: 4 for an
 * invalid inventory, 5 for an unknown `--host`.
 */
export async function offlineLoadBalancers(
  args: OfflineArgs,
): Promise<{ loadBalancers: LoadBalancer[]; apimNodes: ApimNode[]; sources: string[] } | number> {
  const settings = loadAnsibleSettings();
  const { sources } = sourcesOf([args.inv], args, settings, false);
  const prepared = await inventoryLoadOptions(args, settings, 'ignore', undefined);
  const loaded = loadInventory(sources, prepared.options);
  const diagnostics = [...prepared.diagnostics, ...loaded.diagnostics];
  if (diagnostics.length > 0) printDiagnostics(diagnostics, process.stderr, useColor(process.stderr));
  if (!loaded.inventory || errorsOf(diagnostics).length > 0) return EXIT.INVALID_INPUT;
  const loadBalancers = loaded.inventory.loadBalancers.filter(
    (lb) => !args.host || lb.host.name === args.host,
  );
  if (loadBalancers.length === 0) {
    process.stderr.write(`no load balancer named '${args.host}' in ${sources.join(', ')}\n`);
    return EXIT.USAGE;
  }
  return { loadBalancers, apimNodes: loaded.inventory.apimNodes, sources };
}
