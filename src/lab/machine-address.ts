import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { LabPaths } from './lab-paths.js';

/**
 * The bridge address of a docker-provider machine: Vagrant records the container id in
 * `<dotfile>/machines/<name>/docker/id`; `docker inspect` gives its address on the default bridge.
 */
export async function dockerMachineAddress(paths: LabPaths, machine: string): Promise<string> {
  const id = (await readFile(join(paths.dotfileDir, 'machines', machine, 'docker', 'id'), 'utf8')).trim();
  const result = await execa('docker', [
    'inspect',
    '--format',
    '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
    id,
  ]);
  const address = result.stdout.trim().split(/\s+/)[0];
  if (!address) throw new Error(`docker inspect found no address for ${machine} (container ${id})`);
  return address;
}
