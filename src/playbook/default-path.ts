import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'apim-provision';

/**
 * The package root: the nearest folder above this module holding our package.json. Walking up
 * works from `src/playbook/` (vitest, tsx) and from `dist/src/playbook/` (compiled) alike.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME)
          return dir;
      } catch {
        // Not ours (or unreadable): keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${import.meta.url}`);
    dir = parent;
  }
}

/** Absolute path of the built-in playbook, `playbooks/site.yml` in the package. */
export function defaultPlaybookPath(): string {
  return join(packageRoot(), 'playbooks', 'site.yml');
}
