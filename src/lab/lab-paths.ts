import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this module holding `vagrant/Vagrantfile` (works from src/ and dist/). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'vagrant', 'Vagrantfile'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(
        'cannot find the project folder (vagrant/Vagrantfile) above ' + fileURLToPath(import.meta.url),
      );
    dir = parent;
  }
}

export interface LabPaths {
  root: string;
  /** Folder holding the Vagrantfile, the stand-ins and the image recipes. */
  vagrantDir: string;
  /** Lab working folder (git-ignored): spec, Vagrant's machine data, keys, inventories, state. */
  labDir: string;
  specFile: string;
  stateFile: string;
  knownHostsFile: string;
  /** Vagrant's `.vagrant` folder (VAGRANT_DOTFILE_PATH), kept in the lab folder. */
  dotfileDir: string;
}

export function labPaths(labDir?: string): LabPaths {
  const root = projectRoot();
  const dir = labDir ?? join(root, 'vagrant', '.lab');
  return {
    root,
    vagrantDir: join(root, 'vagrant'),
    labDir: dir,
    specFile: join(dir, 'spec.json'),
    stateFile: join(dir, 'state.json'),
    knownHostsFile: join(dir, 'known_hosts'),
    dotfileDir: join(dir, '.vagrant'),
  };
}
