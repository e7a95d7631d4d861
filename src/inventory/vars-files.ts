import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readYamlFile } from '../input/yaml-source.js';
import type { DiagnosticBag } from './diagnostic-bag.js';
import { didYouMean } from './did-you-mean.js';
import { addVars, describeType, isPlainObject, type ScopedVars } from './inventory-tree.js';

export type VarsFolder = 'group_vars' | 'host_vars';

/** Extensions Ansible reads in group_vars/host_vars (a file may also have none). */
const EXTENSIONS = ['.yml', '.yaml', '.json'];

/**
 * Reads `<inventory dir>/<folder>/<name>[.yml|.yaml|.json]` files and `<folder>/<name>/*.yml` folders.
 * Returns the variable layers per group or host name, in the order they apply (file, then the folder's
 * files sorted by name, the later one winning).
 */
export function readVarsFolder(
  inventoryDir: string,
  folder: VarsFolder,
  knownNames: ReadonlySet<string>,
  bag: DiagnosticBag,
): Map<string, ScopedVars[]> {
  const root = join(inventoryDir, folder);
  const layers = new Map<string, ScopedVars[]>();
  let entries: string[];
  try {
    entries = readdirSync(root).sort();
  } catch {
    return layers; // no such folder: nothing to add
  }
  const files: { name: string; file: string }[] = [];
  const folders: { name: string; dir: string }[] = [];
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    const full = join(root, entry);
    const isDir = safeIsDirectory(full);
    if (isDir) folders.push({ name: entry, dir: full });
    else {
      const ext = EXTENSIONS.find((e) => entry.endsWith(e));
      if (ext) files.push({ name: entry.slice(0, -ext.length), file: full });
      else if (!entry.includes('.')) files.push({ name: entry, file: full });
    }
  }
  const inner = folders.flatMap(({ name, dir }) =>
    listDir(dir)
      .filter((f) => !f.startsWith('.') && EXTENSIONS.some((e) => f.endsWith(e)))
      .map((f) => ({ name, file: join(dir, f) })),
  );
  for (const { name, file } of [...files, ...inner]) {
    if (!knownNames.has(name)) {
      const what = folder === 'group_vars' ? 'group' : 'host';
      bag.push({
        file,
        line: 0,
        column: 0,
        key: '',
        message: `${folder} file for "${name}", but the inventory has no ${what} of that name${didYouMean(name, knownNames)}`,
        fix: `rename the file after an existing ${what}, or add the ${what} to the inventory; it is ignored meanwhile`,
        severity: 'warning',
      });
      continue;
    }
    const vars = readVarsFile(file, bag);
    if (vars) layers.set(name, [...(layers.get(name) ?? []), vars]);
  }
  return layers;
}

function safeIsDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function readVarsFile(file: string, bag: DiagnosticBag): ScopedVars | undefined {
  const { source, diagnostics } = readYamlFile(file);
  diagnostics.forEach((d) => bag.push(d));
  if (!source) return undefined;
  const vars: ScopedVars = new Map();
  if (source.data === null || source.data === undefined) return vars;
  if (!isPlainObject(source.data)) {
    bag.push(
      source.diagnostic(
        [],
        `a vars file must be a mapping of variable names to values, got ${describeType(source.data)}`,
        'write one "name: value" pair per line, without a leading "-"',
      ),
    );
    return undefined;
  }
  addVars(vars, source.data, { source, path: [] }, bag);
  return vars;
}
