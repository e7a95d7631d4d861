import type { LoadBalancer } from '../domain/types.js';
import { errorsOf } from '../input/diagnostics.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { EXIT, printDiagnostics } from '../report/index.js';
import { useColor } from './terminal.js';

/**
 * The load balancers a command that contacts no host works on (render, graph): the inventory read
 * without its secrets, its problems printed, `--host` keeping one. An exit code instead when there
 * is nothing to work on: 4 for an invalid inventory, 5 for an unknown `--host`.
 */
export function offlineLoadBalancers(file: string, host: string | undefined): LoadBalancer[] | number {
  const { inventory, diagnostics } = loadInventory(file, { secretsNeeded: false });
  if (diagnostics.length > 0) printDiagnostics(diagnostics, process.stderr, useColor(process.stderr));
  if (!inventory || errorsOf(diagnostics).length > 0) return EXIT.INVALID_INPUT;
  const lbs = inventory.loadBalancers.filter((lb) => !host || lb.host.name === host);
  if (lbs.length === 0) {
    process.stderr.write(`no load balancer named '${host}' in ${file}\n`);
    return EXIT.USAGE;
  }
  return lbs;
}
