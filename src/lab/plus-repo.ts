import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REMOTE_LAB_DIR } from './machine-setup.js';
import { shellQuote, sshRun } from './ssh-exec.js';
import type { LabMachine, PlusRepoFiles } from './types.js';

/** Host name in the stand-in repository's server certificate (the URL uses the address, also in it). */
export const PLUS_REPO_HOSTNAME = 'plusrepo.apim-lab.test';
const OUT = '/srv/plusrepo/out';

/**
 * Builds and starts the STAND-IN NGINX Plus repository on the plusrepo machine
 * (vagrant/plusrepo/setup-plusrepo.sh) and copies its client files (CA, "licence" certificate,
 * key and JWT, signing key) into `<labDir>/plus/`.
 */
export async function setupPlusRepo(
  machine: LabMachine,
  knownHostsFile: string,
  labDir: string,
): Promise<PlusRepoFiles> {
  await sshRun(
    machine,
    knownHostsFile,
    `sh ${REMOTE_LAB_DIR}/plusrepo/setup-plusrepo.sh ${shellQuote(PLUS_REPO_HOSTNAME)} ${shellQuote(machine.ip)}`,
    { root: true },
  );
  const dir = join(labDir, 'plus');
  await mkdir(dir, { recursive: true });
  const fetch = (name: string): Promise<string> =>
    sshRun(machine, knownHostsFile, `cat ${OUT}/${name}`, { root: true });
  const names = [
    'ca.crt',
    'nginx-repo.crt',
    'nginx-repo.key',
    'license.jwt',
    'nginx_signing.key',
    'fingerprint',
    'codenames',
  ];
  const contents = await Promise.all(names.map(fetch));
  await Promise.all(
    names.map((name, i) =>
      writeFile(join(dir, name), contents[i]!, { mode: name.endsWith('.key') ? 0o600 : 0o644 }),
    ),
  );
  return {
    repoUrl: `https://${machine.ip}/plus/debian`,
    codenames: contents[6]!.trim().split(/\s+/),
    certificateFile: join(dir, 'nginx-repo.crt'),
    keyFile: join(dir, 'nginx-repo.key'),
    jwtFile: join(dir, 'license.jwt'),
    signingKeyFile: join(dir, 'nginx_signing.key'),
    caFile: join(dir, 'ca.crt'),
    fingerprint: contents[5]!.trim(),
  };
}
