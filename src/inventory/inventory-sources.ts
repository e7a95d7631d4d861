import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileDiagnostic as problem, type Diagnostic } from '../input/diagnostics.js';
import { isExecutable, isHostList } from '../input/path-kind.js';
import { readInputFile } from '../input/read-input-file.js';
import { parseYamlText, type YamlOptions } from '../input/yaml-source.js';
import { parseAddress } from './host-pattern.js';
import { IniSource, parseIniInventory } from './ini-inventory.js';
import type { InventoryData } from './inventory-data.js';
import { pseudoSource } from './inventory-tree.js';
import { parseYamlInventory } from './yaml-inventory.js';

/** Files Ansible skips in an inventory folder (INVENTORY_IGNORE_EXTS, hidden files, the vars folders). */
const IGNORED_EXTENSIONS = [
  '.pyc',
  '.pyo',
  '.swp',
  '.bak',
  '~',
  '.rpm',
  '.md',
  '.txt',
  '.rst',
  '.orig',
  '.ini',
  '.cfg',
  '.retry',
];
const IGNORED_NAMES = /^(?:\..*|host_vars|group_vars|vars_plugins)$/;
const YAML_EXTENSIONS = ['.yml', '.yaml', '.json'];

export interface SourceOptions {
  decryptFile: NonNullable<YamlOptions['decryptFile']>;
}

/**
 * Parses one `-i` source into `data` as Ansible's InventoryManager does: a comma-separated host
 * list, a folder (its entries in name order, recursively, skipping what Ansible skips), or a file
 * (YAML for .yml/.yaml/.json or no extension, else INI; a YAML file that is no YAML inventory is
 * tried as INI, as Ansible does). Problems go to data.bag; the source is recorded in data.sources.
 */
export function parseSource(source: string, data: InventoryData, options: SourceOptions): void {
  if (isHostList(source)) {
    parseHostList(source, data);
    data.sources.push(source);
    return;
  }
  const path = resolve(source);
  data.sources.push(path);
  parsePath(path, data, options);
}

function parseHostList(text: string, data: InventoryData): void {
  const origin = { source: pseudoSource(`-i '${text}'`), path: [] };
  for (const item of text.split(',')) {
    const h = item.trim();
    if (h === '') continue;
    const parsed = parseAddress(h);
    const host = parsed && !parsed.host.includes('[') ? parsed : { host: h };
    data.addHost(host.host, 'ungrouped', host.port, origin);
  }
}

function parsePath(path: string, data: InventoryData, options: SourceOptions): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    data.bag.push(
      problem(
        path,
        code === 'ENOENT' ? 'inventory does not exist' : `cannot read the inventory (${code ?? 'error'})`,
        'check the path given with -i (or the inventory setting of ansible.cfg / ANSIBLE_INVENTORY)',
      ),
    );
    return;
  }
  if (isDir) {
    let entries: string[];
    try {
      entries = readdirSync(path).sort();
    } catch (err) {
      data.bag.push(
        problem(
          path,
          `cannot list the inventory folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          'fix its permissions',
        ),
      );
      return;
    }
    for (const entry of entries) {
      if (IGNORED_NAMES.test(entry)) continue;
      if (IGNORED_EXTENSIONS.some((ext) => entry.endsWith(ext))) {
        if (entry.endsWith('.ini') || entry.endsWith('.cfg')) {
          data.bag.push(
            problem(
              join(path, entry),
              `skipped: Ansible ignores ${extname(entry)} files in an inventory folder (its inventory_ignore_extensions)`,
              'rename it without the extension (e.g. hosts) to have it read, or name the file itself with -i',
              'warning',
            ),
          );
        }
        continue;
      }
      parsePath(join(path, entry), data, options);
    }
    return;
  }
  parseFile(path, data, options);
}

function parseFile(file: string, data: InventoryData, options: SourceOptions): void {
  const read = readInputFile(file, 'inventory');
  if (read.diagnostic) {
    data.bag.push(read.diagnostic);
    return;
  }
  let text = read.text;
  if (text.startsWith('#!') && isExecutable(file)) {
    data.bag.push(
      problem(
        file,
        'this is an inventory script (executable, starting with #!), which apim-provision does not run',
        `save what it returns as a YAML inventory: ansible-inventory -i ${file} --list --yaml > inventory.yml`,
      ),
    );
    return;
  }
  const ext = extname(file);
  if (ext === '.toml') {
    data.bag.push(
      problem(
        file,
        'TOML inventories are not supported',
        `convert it: ansible-inventory -i ${file} --list --yaml > inventory.yml`,
      ),
    );
    return;
  }
  let fromVault = false;
  if (text.startsWith('$ANSIBLE_VAULT;')) {
    const plain = options.decryptFile(text, file);
    if ('diagnostic' in plain) {
      data.bag.push(plain.diagnostic);
      return;
    }
    text = plain.text;
    fromVault = true;
  }
  data.currentSource = file;
  try {
    const yamlProblems =
      ext === '' || YAML_EXTENSIONS.includes(ext) ? tryYaml(file, text, fromVault, data) : undefined;
    if (yamlProblems === 'parsed') return;
    if (read.bom) {
      data.bag.push(
        problem(
          file,
          "the inventory starts with a UTF-8 byte order mark, which Ansible's INI plugin reads as part of the first line (a first [group] header is then a bad host range and the file is not read; a first host's name gets the mark)",
          'save it as UTF-8 without the mark (in most editors: the encoding "UTF-8", not "UTF-8 with BOM")',
        ),
      );
      return;
    }
    // Ansible's INI plugin takes any file the YAML plugin declined.
    const ini = new IniSource(file, text.split(/\r\n|\n|\r/), fromVault);
    const iniProblems = parseIniInventory(ini, data);
    if (iniProblems.length === 0) {
      if (text.trim() === '' || ini.lines.every((l) => /^\s*(?:[#;].*)?$/.test(l)))
        data.bag.push(problem(file, 'the inventory is empty', 'add groups and hosts', 'warning'));
      return;
    }
    if (yamlProblems === undefined) iniProblems.forEach((d) => data.bag.push(d));
    else if (YAML_EXTENSIONS.includes(ext) || !looksLikeIni(text))
      yamlProblems.forEach((d) => data.bag.push(d));
    else iniProblems.forEach((d) => data.bag.push(d));
  } finally {
    data.currentSource = undefined;
  }
}

/** Parses as a YAML inventory; 'parsed', or the problems when the YAML plugin declines the file. */
function tryYaml(
  file: string,
  text: string,
  fromVault: boolean,
  data: InventoryData,
): 'parsed' | Diagnostic[] {
  const { source, diagnostics } = parseYamlText(file, text, { kind: 'inventory' }, fromVault);
  if (!source) return diagnostics;
  const fatal = parseYamlInventory(source, data);
  if (fatal.length > 0) return fatal;
  diagnostics.forEach((d) => data.bag.push(d));
  return 'parsed';
}

/** A file with no extension that starts like an INI inventory: its INI errors are the useful ones. */
function looksLikeIni(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  return (
    first !== undefined &&
    (/^\s*\[[^\]]*\]\s*(?:#.*)?$/.test(first) || /^\s*\S+\s+\S+=/.test(first) || !first.includes(':'))
  );
}
