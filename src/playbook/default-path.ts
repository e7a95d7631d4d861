import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'apim-provision';

interface PackageManifest {
  root: string;
  version: string;
}
let manifest: PackageManifest | undefined;

/**
 * The package root (the nearest folder above this module holding our package.json) and its
 * version. Walking up works from `src/playbook/` (vitest, tsx), `dist/playbook/` and the bundle
 * in `dist/bundle/` alike, in a checkout and in an installed package.
 */
function packageManifest(): PackageManifest {
  if (manifest) return manifest;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === PACKAGE_NAME) return (manifest = { root: dir, version: String(json.version) });
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

/**
 * Our version for `--version`. yargs' own guess reads the package.json above the folder holding
 * its node_modules: the bundle has none above it, and a hoisted install would find its host's.
 */
export function packageVersion(): string {
  return packageManifest().version;
}

/** Absolute path of the built-in playbook, `playbooks/site.yml` in the package. */
export function defaultPlaybookPath(): string {
  return join(packageManifest().root, 'playbooks', 'site.yml');
}
