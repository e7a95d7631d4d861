import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileDiagnostic as problem } from '../input/diagnostics.js';
import { pathKind } from '../input/path-kind.js';
import { readYamlFile, type YamlOptions } from '../input/yaml-source.js';
import { isFloatAt } from '../domain/tagged-values.js';
import type { DiagnosticBag } from './diagnostic-bag.js';
import { didYouMean } from './did-you-mean.js';
import { describeType, isPlainObject, type ScopedVars, type VarValue } from './inventory-tree.js';

export type VarsFolder = 'group_vars' | 'host_vars';

/** What Ansible's find_vars_files tries for a name, in order: the first that exists is read. */
const CANDIDATE_EXTENSIONS = ['', '.yml', '.yaml', '.json'];
const FILE_EXTENSIONS = ['.yml', '.yaml', '.json'];

type FolderState =
  { kind: 'missing' } | { kind: 'unusable' } | { kind: 'dir'; path: string; entries: Set<string> };

/** Python's os.path.splitext extension: from the last dot that is not leading. */
function extensionOf(name: string): string {
  const base = name.replace(/^\.+/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : dot === 0 ? base : '';
}

/**
 * group_vars/ and host_vars/ of one folder (an inventory source's, or the playbook's), read the way
 * Ansible's host_group_vars plugin reads them: for a name, the first of `name`, `name.yml`,
 * `name.yaml`, `name.json` that exists; a folder's files sorted by name, sub-folders (without an
 * extension) recursively, hidden files and `~` backups skipped; files without an extension read too.
 * Every file is parsed once, however many hosts use it.
 */
export class VarsFiles {
  readonly #folders = new Map<string, FolderState>();
  readonly #files = new Map<string, ScopedVars | undefined>();
  /** Layers per folder (basedir + group_vars|host_vars), then per name. */
  readonly #layers = new Map<string, Map<string, ScopedVars[]>>();

  constructor(
    readonly bag: DiagnosticBag,
    readonly options: Pick<YamlOptions, 'decryptFile'>,
  ) {}

  #folder(basedir: string, folder: VarsFolder): FolderState {
    const key = join(basedir, folder);
    let state = this.#folders.get(key);
    if (state) return state;
    const kind = pathKind(key);
    if (kind === undefined) state = { kind: 'missing' };
    else if (kind !== 'dir') {
      this.bag.push(
        problem(
          key,
          `${folder} is not a folder`,
          `make ${folder}/ a folder of variable files (Ansible skips it with a warning; apim-provision refuses, so that no variables are silently missing)`,
        ),
      );
      state = { kind: 'unusable' };
    } else {
      try {
        state = { kind: 'dir', path: key, entries: new Set(readdirSync(key)) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        this.bag.push(
          problem(key, `cannot read the ${folder} folder (${code})`, 'make it readable by the current user'),
        );
        state = { kind: 'unusable' };
      }
    }
    this.#folders.set(key, state);
    return state;
  }

  /** The variable layers for a group or host, in the order they apply (later wins). */
  layers(basedir: string, folder: VarsFolder, name: string): ScopedVars[] {
    const folderKey = join(basedir, folder);
    let byName = this.#layers.get(folderKey);
    if (!byName) this.#layers.set(folderKey, (byName = new Map<string, ScopedVars[]>()));
    const known = byName.get(name);
    if (known) return known;
    const result: ScopedVars[] = [];
    const state = this.#folder(basedir, folder);
    // Ansible skips names that are absolute paths ('chroot' style hosts).
    if (state.kind === 'dir' && !name.startsWith('/')) {
      for (const file of this.#find(state, name)) {
        const vars = this.#read(file, folder);
        if (vars && vars.size > 0) result.push(vars);
      }
    }
    byName.set(name, result);
    return result;
  }

  #find(state: { path: string; entries: Set<string> }, name: string): string[] {
    const simple = !name.includes('/');
    const present = CANDIDATE_EXTENSIONS.map((ext) => name + ext).filter((candidate) =>
      simple ? state.entries.has(candidate) : pathKind(join(state.path, candidate)) !== undefined,
    );
    const first = present[0];
    if (first === undefined) return [];
    for (const shadowed of present.slice(1)) {
      this.bag.push(
        problem(
          join(state.path, shadowed),
          `not read: ${first} exists, and Ansible reads only the first of ${name}, ${name}.yml, ${name}.yaml, ${name}.json`,
          `move its variables into ${first}`,
          'warning',
        ),
      );
    }
    const full = join(state.path, first);
    return pathKind(full) === 'dir' ? this.#dirFiles(full) : [full];
  }

  #dirFiles(dir: string): string[] {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (err) {
      this.bag.push(
        problem(
          dir,
          `cannot read the folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          'make it readable',
        ),
      );
      return [];
    }
    const files: string[] = [];
    for (const entry of entries) {
      if (entry.startsWith('.') || entry.endsWith('~')) continue;
      const full = join(dir, entry);
      const ext = extensionOf(entry);
      const kind = pathKind(full);
      if (kind === 'dir' && ext === '') files.push(...this.#dirFiles(full));
      else if (kind === 'file' && (ext === '' || FILE_EXTENSIONS.includes(ext))) files.push(full);
    }
    return files;
  }

  #read(file: string, folder: VarsFolder): ScopedVars | undefined {
    if (this.#files.has(file)) return this.#files.get(file);
    const kind = `${folder} file`;
    const { source, diagnostics } = readYamlFile(file, { kind, ...this.options });
    diagnostics.forEach((d) => this.bag.push(d));
    let vars: ScopedVars | undefined;
    if (source) {
      const data = source.data;
      if (data === null || data === undefined) vars = new Map();
      else if (!isPlainObject(data)) {
        this.bag.push(
          source.diagnostic(
            [],
            `a vars file must be a mapping of variable names to values, got ${describeType(data)}`,
            'write one "name: value" pair per line, without a leading "-"',
          ),
        );
      } else {
        vars = new Map();
        for (const [name, value] of Object.entries(data)) {
          const v: VarValue = { value, origin: { source, path: [name] } };
          if (isFloatAt(data, name)) v.float = true;
          if (source.fromVault) v.secret = true;
          vars.set(name, v);
        }
      }
    }
    this.#files.set(file, vars);
    return vars;
  }

  /** Warns about files naming no group or host of the inventory (a typo means variables never apply). */
  warnUnknownNames(basedir: string, folder: VarsFolder, known: ReadonlySet<string>): void {
    const state = this.#folder(basedir, folder);
    if (state.kind !== 'dir') return;
    const what = folder === 'group_vars' ? 'group' : 'host';
    for (const entry of [...state.entries].sort()) {
      if (entry.startsWith('.') || entry.endsWith('~')) continue;
      const ext = FILE_EXTENSIONS.find((e) => entry.endsWith(e));
      const names = ext ? [entry, entry.slice(0, -ext.length)] : [entry];
      if (names.some((n) => known.has(n))) continue;
      const name = names.at(-1)!;
      this.bag.push(
        problem(
          join(state.path, entry),
          `${folder} for "${name}", but the inventory has no ${what} of that name${didYouMean(name, known)}`,
          `rename it after an existing ${what}, or add the ${what} to the inventory; it is not read meanwhile`,
          'warning',
        ),
      );
    }
  }
}
