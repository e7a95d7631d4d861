/**
 * The inventory and known_hosts for a simulated fleet: what `apim-provision apply` reads, as for
 * real hosts (one known_hosts line per host, as ssh-keyscan would write it).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Endpoint } from './simulator.js';

export interface FleetFiles {
  inventory: string;
  knownHosts: string;
}

/** The conf.d file the built-in playbook writes for this inventory (what the check-diff run edits). */
export const FLEET_CONF_FILE = '/etc/nginx/conf.d/apim.conf';

export function writeFleetFiles(
  dir: string,
  endpoints: readonly Endpoint[],
  user: string,
  privateKeyFile: string,
  hostPublicKey: string,
): FleetFiles {
  const [type, blob] = hostPublicKey.trim().split(/\s+/);
  const hostLines = endpoints.flatMap((e) => [
    `        ${e.name}:`,
    `          ansible_host: ${e.address}`,
    `          ansible_port: ${e.port}`,
  ]);
  const inventory = join(dir, 'inventory.yml');
  writeFileSync(
    inventory,
    [
      '# A simulated fleet (bench/scale): every host is an ssh2 server on a loopback address.',
      '# apim1 is a TEST-NET placeholder backend (192.0.2.10): never contacted.',
      'all:',
      '  vars:',
      "    apim_version: '4.x'",
      '    apim_pattern: single-node',
      `    ansible_user: ${user}`,
      `    ansible_ssh_private_key_file: ${privateKeyFile}`,
      '    ansible_become: true',
      // The servers share the machine's CPUs with the controller: thousands of handshakes queue.
      '    ansible_ssh_timeout: 600',
      '    ansible_ssh_retries: 0',
      '  children:',
      '    loadbalancers:',
      '      hosts:',
      ...hostLines,
      '    apim_all_in_one:',
      '      hosts:',
      '        apim1:',
      '          apim_address: 192.0.2.10',
      '',
    ].join('\n'),
  );
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(
    knownHosts,
    endpoints
      .map((e) => `${e.port === 22 ? e.address : `[${e.address}]:${e.port}`} ${type} ${blob}\n`)
      .join(''),
  );
  return { inventory, knownHosts };
}

/** `apply`'s arguments for a simulated fleet: its files, the local CA in `pkiDir`, the JSON report. */
export function fleetApplyArgs(
  files: FleetFiles,
  pkiDir: string,
  json: string,
  extra: string[] = [],
): string[] {
  return [
    'apply',
    files.inventory,
    '--known-hosts',
    files.knownHosts,
    '--pki-dir',
    pkiDir,
    '--json',
    json,
    ...extra,
  ];
}
