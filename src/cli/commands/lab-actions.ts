import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { loadInventory } from '../../inventory/load-inventory.js';
import { labDown, labStatus, labUp, openLab } from '../../lab/index.js';
import { labPaths } from '../../lab/lab-paths.js';
import { requestThroughLb } from '../../lab/request-through-lb.js';
import { servedHostnameKeys } from '../../patterns/index.js';
import { EXIT } from '../../report/index.js';
import type { LabPattern } from '../../lab/types.js';

export interface LabArgs {
  action: 'up' | 'down' | 'status' | 'inventory' | 'demo';
  pattern: LabPattern;
  lb?: string;
  plus: boolean;
}

const log = (line: string) => process.stderr.write(`lab: ${line}\n`);

/** The lab's load balancer for these arguments: the Plus one (sid) or the Community one. */
const lbNameOf = (args: LabArgs): string => args.lb ?? (args.plus ? 'lb-sid' : 'lb-bookworm');

/** The `lab` command's actions; returns the exit code. */
export async function runLab(args: LabArgs, runCli: (argv: string[]) => Promise<number>): Promise<number> {
  switch (args.action) {
    case 'up': {
      const lab = await labUp(undefined, { log });
      for (const m of Object.values(lab.machines)) {
        process.stdout.write(
          `${m.name.padEnd(12)} ${m.role.padEnd(8)} ssh ${m.sshHost}:${m.sshPort}  ip ${m.ip}\n`,
        );
      }
      process.stdout.write(`known_hosts: ${lab.knownHostsFile}\n`);
      return EXIT.OK;
    }
    case 'down':
      await labDown({ log });
      return EXIT.OK;
    case 'status':
      for (const [name, state] of Object.entries(await labStatus()))
        process.stdout.write(`${name}: ${state}\n`);
      return EXIT.OK;
    case 'inventory': {
      const lab = await openLab();
      process.stdout.write(`${writeInventory(lab, args)}\n`);
      return EXIT.OK;
    }
    case 'demo':
      return demo(args, runCli);
  }
}

function writeInventory(lab: Awaited<ReturnType<typeof openLab>>, args: LabArgs): string {
  const lbName = lbNameOf(args);
  return lab.inventoryFor(args.pattern, {
    loadBalancers: [lbName],
    // The node play's patterns have stand-ins of their own: they get connection details.
    ...(args.pattern.startsWith('nodes-') ? { nodeConnections: true } : {}),
    ...(args.plus ? { vars: lab.plusVars() } : {}),
    fileName: `${args.pattern}-${lbName}${args.plus ? '-plus' : ''}.yml`,
  });
}

/** `npm run demo`: lab up, apply the pattern, and one request answered through the load balancer. */
async function demo(args: LabArgs, runCli: (argv: string[]) => Promise<number>): Promise<number> {
  const prereqs = await execa('bash', [join(labPaths().root, 'scripts', 'ensure-lab-prereqs.sh')], {
    reject: false,
    all: true,
  });
  if (prereqs.exitCode !== 0) {
    process.stderr.write(`${prereqs.all}\n`);
    return EXIT.UNEXPECTED;
  }
  const lab = await labUp(undefined, { log });
  const inventory = writeInventory(lab, args);
  log(`inventory for ${args.pattern}: ${inventory}`);
  const code = await runCli(['apply', inventory, '--known-hosts', lab.knownHostsFile]);
  if (code !== EXIT.OK) return code;
  const lbName = lbNameOf(args);
  const lb = lab.machines[lbName]!;
  const ca = readFileSync(join(dirname(inventory), '.apim-provision', 'pki', 'ca.crt'), 'utf8');
  // The first name the pattern's layout serves (api, or the component's own name).
  const d = loadInventory(inventory).inventory!.loadBalancers[0]!.deployment;
  const hostname = d.hostnames[servedHostnameKeys(d)[0]!];
  const res = await requestThroughLb({ address: lb.ip, hostname, path: '/demo', ca });
  process.stdout.write(
    `\nhttps://${hostname}/demo through ${lbName} (${lb.ip}), certificate verified against the local CA:\n` +
      `HTTP ${res.status}\n${res.body}\n`,
  );
  if (res.status !== 200) return EXIT.HOST_FAILED;
  if (!args.pattern.startsWith('nodes-')) return EXIT.OK;
  // The node's own redirect, built from the deployment.toml the node play wrote: it must stay on
  // the public name on 443, not the node's :9443 or internal name.
  const portal = await requestThroughLb({ address: lb.ip, hostname, path: '/publisher', ca });
  const location = String(portal.headers.location ?? '');
  process.stdout.write(`\nhttps://${hostname}/publisher -> HTTP ${portal.status}, Location: ${location}\n`);
  return portal.status === 302 && location.startsWith(`https://${hostname}/`) ? EXIT.OK : EXIT.HOST_FAILED;
}
