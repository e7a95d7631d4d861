import { execa } from 'execa';
import { sshRun } from './ssh-exec.js';
import type { LabMachine, PasswordSudoUser } from './types.js';

/** Where the lab's helper scripts (stand-ins, Plus repository builder) live on the machines. */
export const REMOTE_LAB_DIR = '/opt/apim-lab';

/** The user whose sudo asks for a password; made by the image / box-setup.sh. */
export const PASSWORD_SUDO_USER: PasswordSudoUser = { user: 'apimsudo', password: 'apimsudo-become' };

/** A tar stream of the folders under `vagrantDir` the machines need. */
export async function labFilesTar(vagrantDir: string): Promise<Buffer> {
  const result = await execa('tar', ['-c', '-C', vagrantDir, 'standin', 'plusrepo'], { encoding: 'buffer' });
  return Buffer.from(result.stdout);
}

/**
 * Installs the lab scripts on a machine and lets the password-sudo user log in with the same key
 * as `vagrant` (Vagrant replaced the insecure key with a generated one, so the key is per machine).
 */
export async function prepareMachine(
  machine: LabMachine,
  knownHostsFile: string,
  files: Buffer,
): Promise<void> {
  const { user } = PASSWORD_SUDO_USER;
  await sshRun(
    machine,
    knownHostsFile,
    [
      // Extracted over the previous copy (no rm): another test run may be using these scripts.
      `mkdir -p ${REMOTE_LAB_DIR} && tar -x -o -C ${REMOTE_LAB_DIR}`,
      `install -d -m 0700 -o ${user} -g ${user} /home/${user}/.ssh`,
      `install -m 0600 -o ${user} -g ${user} /home/${machine.user}/.ssh/authorized_keys /home/${user}/.ssh/authorized_keys`,
    ].join(' && '),
    { root: true, stdin: files },
  );
}
