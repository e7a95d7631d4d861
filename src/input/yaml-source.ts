import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Alias,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { markFloat } from '../domain/tagged-values.js';
import { parseAnsibleYaml } from './ansible-yaml.js';
import { fileDiagnostic, type Diagnostic } from './diagnostics.js';
import { readInputFile } from './read-input-file.js';
import { MERGE_SOURCE_PROBLEM, type KeyPath, type YamlSource } from './yaml-types.js';

export type { KeyPath, YamlSource } from './yaml-types.js';

export function keyPathString(path: KeyPath): string {
  return path.map(String).join('.');
}

export interface YamlOptions {
  /** How the file is named in messages: "inventory", "group_vars file", "playbook". */
  kind?: string;
  /**
   * `ansible` (default): Ansible's loader: JSON first, then YAML 1.1 typing (yes/no/on/off, 010
   * octal), merge keys, `!unsafe`, `!vault`; unknown tags are errors; a repeated key keeps the later
   * value with a warning. `core`: YAML 1.2 core schema (the playbook loader's own rules).
   */
  typing?: 'ansible' | 'core';
  /** Decrypts a vault-encrypted file's text; without it such a file is an error. */
  decryptFile?: (text: string, file: string) => { text: string } | { diagnostic: Diagnostic };
}

const VAULT_HEADER = '$ANSIBLE_VAULT;';

/** Reads and parses a YAML (or JSON) file; every problem comes back as a diagnostic with a position. */
export function readYamlFile(
  file: string,
  options: YamlOptions = {},
): { source?: YamlSource; diagnostics: Diagnostic[] } {
  const read = readInputFile(file, options.kind ?? 'file');
  if (read.diagnostic) return { diagnostics: [read.diagnostic] };
  let text = read.text;
  let fromVault = false;
  if (text.startsWith(VAULT_HEADER)) {
    if (!options.decryptFile) {
      return {
        diagnostics: [
          fileDiagnostic(
            file,
            `${options.kind ?? 'file'} is vault-encrypted, which is not supported here`,
            'decrypt it (ansible-vault decrypt) or keep secrets in inventory variables',
          ),
        ],
      };
    }
    const plain = options.decryptFile(text, file);
    if ('diagnostic' in plain) return { diagnostics: [plain.diagnostic] };
    text = plain.text;
    fromVault = true;
  }
  return parseYamlText(file, text, options, fromVault);
}

export function parseYamlText(
  file: string,
  text: string,
  options: YamlOptions = {},
  fromVault = false,
): { source?: YamlSource; diagnostics: Diagnostic[] } {
  if ((options.typing ?? 'ansible') === 'ansible')
    return parseAnsibleYaml(file, text, isJson(text), fromVault);
  const lineCounter = new LineCounter();
  // Merge keys as PyYAML has them, which Ansible's playbook loader uses (`<<: *defaults` in a task).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    diagnostics.push({
      file,
      line: pos.line,
      column: pos.col,
      key: '',
      message: `YAML syntax: ${e.message.split('\n')[0]}`,
      fix:
        e.code === 'DUPLICATE_KEY'
          ? 'remove or rename the repeated key: YAML keeps only one of them'
          : 'fix the YAML syntax at this position (indentation, quoting, a missing colon)',
      severity: 'error',
    });
  }
  if (diagnostics.length > 0) return { diagnostics };
  const at = (node: Node | null | undefined) => {
    const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
    return { line: pos.line, column: pos.col };
  };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    const found = firstAliasProblem(doc);
    const pos = found ? at(found.node) : { line: 0, column: 0 };
    diagnostics.push(
      found?.kind === 'merge'
        ? { file, ...pos, key: '', ...MERGE_SOURCE_PROBLEM, severity: 'error' }
        : aliasProblem(
            file,
            pos,
            found?.kind === 'undefined'
              ? `Unresolved alias (the anchor must be set before the alias): ${String(found.node.source)}`
              : (err as Error).message,
          ),
    );
    return { diagnostics };
  }
  markCoreFloats(doc, doc.contents, data);
  const source = makeSource(file, text, doc, data, fromVault, new Set(), lineCounter);
  return { source, diagnostics };
}

const CORE_INT = /^[-+]?(?:0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+)$/;

/** A YAML 1.2 core float (`2.0`, `1e3`, `!!float 4`): a number not written as an integer. */
function isCoreFloat(node: unknown): boolean {
  if (!isScalar(node) || typeof node.value !== 'number') return false;
  if (node.tag !== undefined) return node.tag === 'tag:yaml.org,2002:float';
  return !CORE_INT.test(String(node.source ?? ''));
}

/** Marks the whole-number floats of `data` (made by doc.toJS) as floats, so that 2.0 prints as 2.0. */
function markCoreFloats(doc: Document, node: unknown, data: unknown): void {
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(target) && typeof data === 'object' && data !== null && !Array.isArray(data)) {
    for (const pair of target.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const value = (data as Record<string, unknown>)[key];
      if (
        typeof value === 'number' &&
        isCoreFloat(isAlias(pair.value) ? pair.value.resolve(doc) : pair.value)
      )
        markFloat(data, key);
      else markCoreFloats(doc, pair.value, value);
    }
  } else if (isSeq(target) && Array.isArray(data)) {
    target.items.forEach((item, i) => {
      if (typeof data[i] === 'number' && isCoreFloat(isAlias(item) ? item.resolve(doc) : item))
        markFloat(data, i);
      else markCoreFloats(doc, item, data[i]);
    });
  }
}

/** Python's json.loads is tried first by Ansible: JSON typing applies to a file that is valid JSON. */
function isJson(text: string): boolean {
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function aliasProblem(file: string, pos: { line: number; column: number }, detail: string): Diagnostic {
  const undefinedAlias = /unresolved alias|not found|must be set before/i.test(detail);
  return {
    file,
    ...pos,
    key: '',
    message: undefinedAlias
      ? `YAML alias refers to an anchor that is not defined before it (${detail.split('\n')[0]})`
      : 'YAML aliases expand to too much data: refused as a resource exhaustion attack',
    fix: undefinedAlias
      ? 'define the anchor (&name) before the alias (*name), or fix the alias name'
      : 'use fewer nested aliases; write the values out',
    severity: 'error',
  };
}

type AliasProblem = { node: Alias; kind: 'undefined' | 'first' } | { node: Node; kind: 'merge' };

/**
 * Where the data could not be built, in one pass in document order: an alias of no anchor defined
 * before it, or a merge key (plain `<<`) whose value is not a mapping or a list of mappings
 * (`merge`); else the first alias (aliases that expand to too much).
 */
function firstAliasProblem(doc: Document): AliasProblem | undefined {
  const anchors = new Map<string, Node>();
  let first: Alias | undefined;
  let found: AliasProblem | undefined;
  const target = (n: unknown) => (isAlias(n) ? anchors.get(n.source) : n);
  const mergeable = (n: unknown) => isMap(target(n)) || (isAlias(n) && !anchors.has(n.source));
  const visit = (node: unknown): void => {
    if (found || !node) return;
    if (isAlias(node)) {
      first ??= node;
      if (!anchors.has(node.source)) found = { node, kind: 'undefined' };
    } else if (isPair(node)) {
      visit(node.key);
      const merge = isScalar(node.key) && typeof node.key.value === 'symbol';
      const source = target(node.value);
      if (merge && !mergeable(node.value) && !(isSeq(source) && source.items.every(mergeable)))
        found = { node: (node.value ?? node.key) as Node, kind: 'merge' };
      else visit(node.value);
    } else if (isMap(node) || isSeq(node) || isScalar(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      if (!isScalar(node)) for (const item of node.items) visit(item);
    }
  };
  visit(doc.contents);
  return found ?? (first && { node: first, kind: 'first' });
}

function makeSource(
  file: string,
  text: string,
  doc: Document,
  data: unknown,
  fromVault: boolean,
  nonStringKeys: ReadonlySet<string>,
  lineCounter: LineCounter,
): YamlSource {
  // Key lookups in large mappings (5,000 hosts) would be linear per lookup: index a map on first use.
  const index = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let byKey = index.get(map);
    if (!byKey) {
      byKey = new Map();
      for (const p of map.items) {
        const k = String((p.key as { value?: unknown } | null)?.value ?? p.key);
        if (!byKey.has(k)) byKey.set(k, p);
      }
      index.set(map, byKey);
    }
    return byKey.get(key);
  };
  const locate = (path: KeyPath, onKey = true) => {
    let node: unknown = doc.contents;
    let offset = doc.contents?.range?.[0] ?? 0;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = pairOf(node, String(seg));
        if (!pair) break;
        const keyNode = pair.key as Node | null;
        const valueNode = pair.value as Node | null;
        offset = (onKey ? keyNode?.range?.[0] : (valueNode?.range?.[0] ?? keyNode?.range?.[0])) ?? offset;
        node = valueNode;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return {
    file,
    text,
    data,
    fromVault,
    nonStringKeys,
    locate,
    diagnostic(path, message, fix, severity = 'error') {
      const { line, column } = locate(path);
      return { file, line, column, key: keyPathString(path), message, fix, severity };
    },
  };
}
