import { setKey } from './set-key.js';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { markFloat, UnsafeText, VaultedText } from '../domain/tagged-values.js';
import { fileDiagnostic, type Diagnostic } from './diagnostics.js';
import { readInputFile } from './read-input-file.js';
import { resolvePlain, timestampText, toBool, toFloat, toInt } from './yaml-typing.js';

export type KeyPath = readonly (string | number)[];

/** A parsed YAML file that can say where any key path is, for error messages. */
export interface YamlSource {
  file: string;
  /** The text parsed (decrypted, for a vault-encrypted file). */
  text: string;
  data: unknown;
  /** The file was vault-encrypted: every value in it is a secret. */
  fromVault: boolean;
  /** Key paths (keyPathString) whose key was written as a number, boolean or null, not a string. */
  nonStringKeys: ReadonlySet<string>;
  /** Line/column (1-based) of the key at `path`, or of its nearest existing ancestor. */
  locate(path: KeyPath, onKey?: boolean): { line: number; column: number };
  diagnostic(path: KeyPath, message: string, fix: string, severity?: Diagnostic['severity']): Diagnostic;
}

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

/** Alias expansion budget: a few aliases in a real file, never a billion laughs. */
export const MAX_ALIAS_EXPANSION = 1_000_000;

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
  const typing = options.typing ?? 'ansible';
  const json = typing === 'ansible' && isJson(text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: typing === 'core',
    ...(typing === 'ansible' ? { schema: 'failsafe' as const, version: '1.1' as const, merge: false } : {}),
  });
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
  const nonStringKeys = new Set<string>();
  if (typing === 'ansible') {
    const builder = new AnsibleConstructor(file, doc, at, json, nonStringKeys);
    data = builder.construct(doc.contents, []);
    diagnostics.push(...builder.diagnostics);
    if (builder.failed) return { diagnostics };
  } else {
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      diagnostics.push(aliasProblem(file, firstAlias(doc, at), (err as Error).message));
      return { diagnostics };
    }
  }
  const source = makeSource(file, text, doc, data, fromVault, nonStringKeys, lineCounter);
  return { source, diagnostics };
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
      : `YAML aliases expand to too much data (more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} values): refused as a resource exhaustion attack`,
    fix: undefinedAlias
      ? 'define the anchor (&name) before the alias (*name), or fix the alias name'
      : 'use fewer nested aliases; write the values out',
    severity: 'error',
  };
}

function firstAlias(doc: Document, at: (n: Node) => { line: number; column: number }) {
  let found: Node | undefined;
  const visit = (node: unknown): void => {
    if (found || !node) return;
    if (isAlias(node)) found = node;
    else if (isMap(node) || isSeq(node)) for (const item of node.items) visit(item);
    else if (isPair(node)) {
      visit(node.key);
      visit(node.value);
    }
  };
  visit(doc.contents);
  return found ? at(found) : { line: 0, column: 0 };
}

type At = (node: Node | null | undefined) => { line: number; column: number };

const TAG = 'tag:yaml.org,2002:';

/**
 * Builds values the way Ansible's AnsibleConstructor (PyYAML SafeConstructor) does: anchors are
 * constructed once and shared, merge keys are flattened (explicit keys win, the first of a merge list
 * wins), repeated keys keep the later value. Alias expansion is bounded.
 */
class AnsibleConstructor {
  readonly diagnostics: Diagnostic[] = [];
  failed = false;
  readonly #memo = new Map<Node, unknown>();
  readonly #sizes = new Map<Node, number>();
  /** Nodes being constructed: an alias back into one is a recursive structure. */
  readonly #active = new Set<Node>();
  #expanded = 0;

  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly at: At,
    readonly json: boolean,
    readonly nonStringKeys: Set<string>,
  ) {}

  #fail(node: Node | null | undefined, message: string, fix: string): undefined {
    this.failed = true;
    this.diagnostics.push({ file: this.file, ...this.at(node), key: '', message, fix, severity: 'error' });
    return undefined;
  }

  #resolveAlias(node: Node): Node | undefined {
    if (!isAlias(node)) return node;
    const target = node.resolve(this.doc);
    if (!target) {
      this.diagnostics.push(aliasProblem(this.file, this.at(node), `unresolved alias *${node.source}`));
      this.failed = true;
      return undefined;
    }
    this.#expanded += this.#size(target);
    if (this.#expanded > MAX_ALIAS_EXPANSION) {
      this.diagnostics.push(aliasProblem(this.file, this.at(node), 'too many'));
      this.failed = true;
      return undefined;
    }
    return target;
  }

  /** Values under a node once all its aliases are expanded (memoised: cheap even for a bomb). */
  #size(node: Node): number {
    const known = this.#sizes.get(node);
    if (known !== undefined) return known;
    this.#sizes.set(node, 1); // a cycle counts once
    let size = 1;
    const add = (n: unknown) => {
      if (!n || size > MAX_ALIAS_EXPANSION) return;
      const target = isAlias(n) ? n.resolve(this.doc) : n;
      if (target) size += this.#size(target as Node);
    };
    if (isMap(node)) {
      for (const p of node.items) {
        add(p.key);
        add(p.value);
      }
    } else if (isSeq(node)) for (const item of node.items) add(item);
    this.#sizes.set(node, size);
    return size;
  }

  construct(raw: unknown, path: KeyPath): unknown {
    if (this.failed) return undefined;
    if (raw === null || raw === undefined) return null;
    const node = this.#resolveAlias(raw as Node);
    if (!node) return undefined;
    if (this.#memo.has(node)) return this.#memo.get(node);
    if (this.#active.has(node))
      return this.#fail(
        raw as Node,
        'a YAML alias refers to a node that contains it (a recursive structure)',
        'remove the alias from inside its own anchor',
      );
    this.#active.add(node);
    try {
      return this.#constructNode(node, path);
    } finally {
      this.#active.delete(node);
    }
  }

  #constructNode(node: Node, path: KeyPath): unknown {
    const tag = node.tag;
    if (tag === '!unsafe') return wrapUnsafe(this.#untagged(node, path));
    if (tag === '!vault' || tag === '!vault-encrypted') {
      if (!isScalar(node))
        return this.#fail(node, '!vault must tag a block of ciphertext', 'write key: !vault |');
      return new VaultedText(String(node.value));
    }
    const value = this.#untagged(node, path);
    if (node.anchor) this.#memo.set(node, value);
    return value;
  }

  #untagged(node: Node, path: KeyPath): unknown {
    const tag = node.tag && node.tag !== '!unsafe' ? node.tag : undefined;
    if (isMap(node)) {
      if (tag !== undefined && tag !== `${TAG}map`) return this.#badTag(node, tag);
      return this.#mapping(node, path);
    }
    if (isSeq(node)) {
      if (tag !== undefined && tag !== `${TAG}seq`) return this.#badTag(node, tag);
      const list: unknown[] = [];
      node.items.forEach((item, i) => {
        const v = this.construct(item, [...path, i]);
        if (typeof v === 'number' && this.#floatNode(item)) markFloat(list, i);
        list.push(v);
      });
      return list;
    }
    if (isScalar(node)) return this.#scalar(node, tag);
    return this.#fail(node, 'unsupported YAML node', 'write plain mappings, lists and scalars');
  }

  #badTag(node: Node, tag: string): undefined {
    const shown = tag.startsWith(TAG) ? `!!${tag.slice(TAG.length)}` : tag;
    return this.#fail(
      node,
      `YAML tag ${shown} is not supported here (Ansible's loader knows !unsafe, !vault and the standard !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)`,
      'remove the tag, or quote the value to make it a string',
    );
  }

  /** Is this value node a float (so that 1.0 prints as 1.0)? */
  #floatNode(raw: unknown): boolean {
    const node = isAlias(raw) ? raw.resolve(this.doc) : raw;
    if (!isScalar(node)) return false;
    if (node.tag === `${TAG}float`) return true;
    if (node.tag !== undefined || node.type !== 'PLAIN') return false;
    const text = String(node.value);
    return this.json
      ? /[.eE]/.test(text) && Number.isFinite(Number(text))
      : resolvePlain(text).kind === 'float';
  }

  #scalar(node: Scalar, tag: string | undefined): unknown {
    const text = String(node.value);
    const plain = node.type === 'PLAIN';
    if (tag !== undefined) return this.#taggedScalar(node, tag, text);
    if (!plain) return text;
    if (this.json) {
      if (text === 'true') return true;
      if (text === 'false') return false;
      if (text === 'null') return null;
      const n = Number(text);
      return Number.isNaN(n) ? text : n;
    }
    const r = resolvePlain(text);
    switch (r.kind) {
      case 'null':
        return null;
      case 'bool':
      case 'int':
      case 'float':
      case 'str':
        return r.value;
      case 'timestamp':
        return (
          timestampText(r.value) ??
          this.#fail(node, `"${text}" is not a valid date`, 'quote it to keep it as text')
        );
      case 'value':
        return this.#fail(
          node,
          'a bare "=" is not a value Ansible can load',
          'quote it ("=") to make it a string',
        );
    }
  }

  #taggedScalar(node: Scalar, tag: string, text: string): unknown {
    const fix = 'correct the value or remove the tag';
    switch (tag) {
      case `${TAG}str`:
        return text;
      case `${TAG}null`:
        return null;
      case `${TAG}bool`:
        return toBool(text) ?? this.#fail(node, `!!bool "${text}" is not a boolean`, fix);
      case `${TAG}int`:
        return toInt(text) ?? this.#fail(node, `!!int "${text}" is not an integer`, fix);
      case `${TAG}float`:
        return toFloat(text) ?? this.#fail(node, `!!float "${text}" is not a number`, fix);
      case `${TAG}timestamp`:
        return timestampText(text) ?? this.#fail(node, `!!timestamp "${text}" is not a date`, fix);
      default:
        return this.#badTag(node, tag);
    }
  }

  #mapping(node: YAMLMap, path: KeyPath): Record<string, unknown> | undefined {
    const pairs = this.#flatten(node);
    if (!pairs) return undefined;
    const out: Record<string, unknown> = {};
    const ownKeys = new Set<string>();
    for (const pair of pairs) {
      const key = this.#key(pair, path);
      if (key === undefined) return undefined;
      // Overriding a merged-in key is what merge keys are for; a key written twice is a mistake.
      if (pair.own && ownKeys.has(key) && !this.json) {
        const pos = this.at(pair.pair.key as Node);
        this.diagnostics.push({
          file: this.file,
          ...pos,
          key: keyPathString([...path, key]),
          message: `duplicate key "${key}": the later value is used (as Ansible does)`,
          fix: 'remove one of the two keys',
          severity: 'warning',
        });
      }
      if (pair.own) ownKeys.add(key);
      const value = this.construct(pair.pair.value, [...path, key]);
      if (this.failed) return undefined;
      setKey(out, key, value);
      if (typeof value === 'number' && this.#floatNode(pair.pair.value)) markFloat(out, key);
    }
    return out;
  }

  /** Mapping keys are strings in JavaScript; non-string keys are remembered for Ansible's checks. */
  #key(entry: FlatPair, path: KeyPath): string | undefined {
    const raw = entry.pair.key;
    const keyNode = isAlias(raw) ? raw.resolve(this.doc) : raw;
    if (isMap(keyNode) || isSeq(keyNode)) {
      return this.#fail(keyNode, 'a mapping or list cannot be a key', 'use a string key');
    }
    const value = raw === null || raw === undefined ? null : this.construct(raw, path);
    if (this.failed) return undefined;
    if (typeof value === 'string') return value;
    const text = pythonKeyText(value);
    this.nonStringKeys.add(keyPathString([...path, text]));
    return text;
  }

  /** PyYAML's flatten_mapping: merged pairs first (the first of a list wins), then the map's own. */
  #flatten(node: YAMLMap): FlatPair[] | undefined {
    const merged: FlatPair[] = [];
    const own: FlatPair[] = [];
    for (const pair of node.items as Pair[]) {
      const key = pair.key as Node | null;
      if (
        !this.json &&
        isScalar(key) &&
        key.type === 'PLAIN' &&
        key.tag === undefined &&
        key.value === '<<'
      ) {
        const value = this.#resolveAlias(pair.value as Node);
        if (this.failed) return undefined;
        if (isMap(value)) merged.push(...(this.#flatten(value) ?? []).map((p) => ({ ...p, own: false })));
        else if (isSeq(value)) {
          const lists: FlatPair[][] = [];
          for (const item of value.items) {
            const sub = this.#resolveAlias(item as Node);
            if (this.failed) return undefined;
            if (!isMap(sub))
              return this.#fail(
                sub,
                'a merge list (<<: [...]) may only hold mappings',
                'list aliases of mappings',
              );
            lists.push((this.#flatten(sub) ?? []).map((p) => ({ ...p, own: false })));
          }
          for (const list of lists.reverse()) merged.push(...list);
        } else {
          return this.#fail(
            value,
            'a merge key (<<) needs a mapping or a list of mappings',
            'write <<: *anchor',
          );
        }
      } else own.push({ pair, own: true });
    }
    return [...merged, ...own];
  }
}

interface FlatPair {
  pair: Pair;
  /** Written in this mapping (not merged in): only those are reported as repeated. */
  own: boolean;
}

/** How Python's json shows a non-string key: True -> "true", None -> "null", 1 -> "1". */
function pythonKeyText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof UnsafeText) return value.text;
  return String(value);
}

/** `!unsafe` on a mapping or list marks every string inside it (Ansible's wrap_var). */
function wrapUnsafe(value: unknown): unknown {
  if (typeof value === 'string') return new UnsafeText(value);
  if (Array.isArray(value)) return value.map(wrapUnsafe);
  if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof VaultedText) &&
    !(value instanceof UnsafeText)
  ) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setKey(out, k, wrapUnsafe(v));
    return out;
  }
  return value;
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
      for (const p of map.items as Pair[]) {
        const k = String((p.key as { value?: unknown } | null)?.value ?? p.key);
        if (!byKey.has(k)) byKey.set(k, p);
      }
      index.set(map, byKey);
    }
    return byKey.get(key);
  };
  const locate = (path: KeyPath, onKey = true) => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
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
