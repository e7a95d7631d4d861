import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { LoadBalancer } from '../../domain/types.js';
import { errorsOf } from '../../input/diagnostics.js';
import { loadInventory } from '../../inventory/load-inventory.js';
import {
  inventoryLoadOptions,
  inventoryOptions,
  loadAnsibleSettings,
  sourcesOf,
  type InventoryArgs,
} from '../inventory-args.js';
import { decideEdition, renderConfig } from '../../patterns/index.js';
import { EXIT, printDiagnostics } from '../../report/index.js';
import { useColor } from '../terminal.js';

interface Args extends InventoryArgs {
  inv?: string;
  host?: string;
  'nginx-version': string;
  out?: string;
}

/** The conf.d file a load balancer gets, for the nginx version given (what `apply` would write). */
export function renderFor(lb: LoadBalancer, nginxVersion: string) {
  const decision = decideEdition(lb.deployment, lb.editionChoice, {
    plusLicenceGiven: lb.plusLicence !== undefined,
    ossNginxVersion: nginxVersion,
  });
  const rendered = renderConfig(lb.deployment, {
    edition: decision.edition,
    nginxVersion,
    ...(decision.sticky ? { sticky: decision.sticky } : {}),
    confPrefix: '/etc/nginx',
    // No host to ask: nginx_listen_ipv6 auto renders the [::] listeners, as most hosts have IPv6.
    ipv6: lb.listenIpv6 !== false,
  });
  return { decision, rendered };
}

export function renderCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'render [inv]',
    describe: 'Print (or write) the nginx conf.d file each load balancer gets; contacts no host',
    builder: (y) =>
      inventoryOptions(y)
        .positional('inv', { type: 'string', describe: 'inventory (or -i INVENTORY, repeatable)' })
        .option('host', { type: 'string', describe: 'only this load balancer' })
        .option('nginx-version', {
          type: 'string',
          default: '1.22.1',
          describe: 'nginx version to render for (syntax, open-source sticky from 1.29.6)',
        })
        .option('out', { type: 'string', describe: 'write <out>/<host>/<file> instead of printing' }),
    handler: async (args) => {
      if (!/^\d+\.\d+\.\d+$/.test(args['nginx-version'])) {
        process.stderr.write(`--nginx-version must look like 1.22.1, not '${args['nginx-version']}'\n`);
        return setCode(EXIT.USAGE);
      }
      const settings = loadAnsibleSettings();
      const { sources } = sourcesOf([args.inv], args, settings, false);
      const prepared = await inventoryLoadOptions(args, settings, 'ignore', undefined);
      const loaded = loadInventory(sources, prepared.options);
      const inventory = loaded.inventory;
      const diagnostics = [...prepared.diagnostics, ...loaded.diagnostics];
      if (diagnostics.length > 0) printDiagnostics(diagnostics, process.stderr, useColor(process.stderr));
      if (!inventory || errorsOf(diagnostics).length > 0) return setCode(EXIT.INVALID_INPUT);
      const lbs = inventory.loadBalancers.filter((lb) => !args.host || lb.host.name === args.host);
      if (lbs.length === 0) {
        process.stderr.write(`no load balancer named '${args.host}' in ${sources.join(', ')}\n`);
        return setCode(EXIT.USAGE);
      }
      for (const lb of lbs) {
        const { decision, rendered } = renderFor(lb, args['nginx-version']);
        for (const w of [...decision.warnings, ...rendered.warnings])
          process.stderr.write(`[WARNING] ${lb.host.name}: ${w}\n`);
        if (args.out) {
          const dir = join(args.out, lb.host.name);
          mkdirSync(dir, { recursive: true });
          const file = join(dir, lb.deployment.confFileName);
          writeFileSync(file, rendered.content);
          process.stderr.write(`${lb.host.name}: wrote ${file} (edition ${decision.edition})\n`);
        } else {
          process.stdout.write(
            `# ===== ${lb.host.name}: ${rendered.path} (edition ${decision.edition}) =====\n${rendered.content}`,
          );
        }
      }
      setCode(EXIT.OK);
    },
  };
}
