import { execa } from 'execa';
import type { LabMachine } from './types.js';

/**
 * The host keys of one machine as known_hosts lines (`[host]:port type key`), from ssh-keyscan.
 * sshd may need a moment after the container starts: retried for about ten seconds.
 */
export async function scanHostKeys(machine: LabMachine): Promise<string[]> {
  let lastError = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = await execa('ssh-keyscan', ['-T', '5', '-p', String(machine.sshPort), machine.sshHost], {
      reject: false,
    });
    const lines = result.stdout.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    if (lines.length > 0) return lines;
    lastError = result.stderr.trim();
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `ssh-keyscan of ${machine.name} (${machine.sshHost}:${machine.sshPort}) found no host key: ${lastError}`,
  );
}

/** known_hosts text for every machine (one machine's keys after another, in the given order). */
export async function knownHostsFor(machines: LabMachine[]): Promise<string> {
  const keys = await Promise.all(machines.map(scanHostKeys));
  return keys.flat().join('\n') + '\n';
}
