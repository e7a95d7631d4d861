/**
 * vitest globalSetup of the conformance project: the real ansible-inventory is the oracle, so it
 * must be installed (scripts/ensure-ansible.sh installs Debian's ansible-core, or fails with the fix).
 */
import { join } from 'node:path';
import { execa } from 'execa';

export default async function setup(): Promise<void> {
  const script = join(import.meta.dirname, '..', '..', 'scripts', 'ensure-ansible.sh');
  const r = await execa('bash', [script], { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`the conformance suite needs ansible-core:\n${r.all}`);
}
