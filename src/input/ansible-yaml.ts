import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, YAMLException, type Event } from 'js-yaml';
import { markFloat, UnsafeText, VaultedText } from '../domain/tagged-values.js';
import type { Diagnostic } from './diagnostics.js';
import { setKey } from './set-key.js';
import { MERGE_SOURCE_PROBLEM, type KeyPath, type YamlSource } from './yaml-types.js';
import { resolvePlain, timestampText, toBool, toFloat, toInt } from './yaml-typing.js';

/**
 * Ansible's YAML loader (PyYAML's SafeConstructor with Ansible's tags) on top of js-yaml's event
 * stream: js-yaml parses (fast, with source offsets), this module types and builds the values the
 * way Ansible does and keeps the node tree to say where any key path is written.
 */

/** Alias expansion budget: a few aliases in a real file, never a billion laughs. */
export const MAX_ALIAS_EXPANSION = 1_000_000;

type TNode = TScalar | TSeq | TMap | TAlias;
interface TBase {
  start: number;
  tag?: string;
  anchor?: string;
}
interface TScalar extends TBase {
  k: 'scalar';
  value: string;
  plain: boolean;
}
interface TSeq extends TBase {
  k: 'seq';
  items: TNode[];
}
interface TMap extends TBase {
  k: 'map';
  pairs: [TNode, TNode][];
}
interface TAlias extends TBase {
  k: 'alias';
  name: string;
  /** The anchored node it refers to (the latest definition before it). */
  target?: TNode;
}

const TAG = 'tag:yaml.org,2002:';

function tagText(text: string, e: { tagStart: number; tagEnd: number }): string | undefined {
  if (e.tagStart < 0) return undefined;
  const raw = text.slice(e.tagStart, e.tagEnd);
  if (raw.startsWith('!!')) return TAG + raw.slice(2);
  if (raw.startsWith('!<') && raw.endsWith('>')) return raw.slice(2, -1);
  return raw;
}

class TreeError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** The node tree of a one-document stream (null: an empty document). */
function buildTree(text: string, events: Event[]): TNode | null {
  const anchors = new Map<string, TNode>();
  const stack: (TSeq | TMap)[] = [];
  let pendingKey: TNode | undefined;
  let root: TNode | null = null;
  let documents = 0;
  const attach = (node: TNode): void => {
    const parent = stack.at(-1);
    if (!parent) root = node;
    else if (parent.k === 'seq') parent.items.push(node);
    else if (pendingKey === undefined) pendingKey = node;
    else {
      parent.pairs.push([pendingKey, node]);
      pendingKey = undefined;
    }
    if (node.anchor !== undefined) anchors.set(node.anchor, node);
  };
  // Keys of the mappings on the stack, saved while a nested collection is open.
  const savedKeys: (TNode | undefined)[] = [];
  for (const e of events) {
    switch (e.type) {
      case EVENT_ID.DOCUMENT:
        documents++;
        if (documents > 1) throw new TreeError(0, 'the file holds several YAML documents; Ansible reads one');
        break;
      case EVENT_ID.SCALAR: {
        const node: TScalar = {
          k: 'scalar',
          start: Math.min(...[e.anchorStart, e.tagStart, e.valueStart].filter((o) => o >= 0)),
          value: getScalarValue(text, e),
          plain: e.style === SCALAR_STYLE.PLAIN,
        };
        const tag = tagText(text, e);
        if (tag !== undefined) node.tag = tag;
        if (e.anchorStart >= 0) node.anchor = text.slice(e.anchorStart, e.anchorEnd);
        attach(node);
        break;
      }
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        const node: TSeq | TMap =
          e.type === EVENT_ID.SEQUENCE
            ? { k: 'seq', start: e.start, items: [] }
            : { k: 'map', start: e.start, pairs: [] };
        const tag = tagText(text, e);
        if (tag !== undefined) node.tag = tag;
        if (e.anchorStart >= 0) node.anchor = text.slice(e.anchorStart, e.anchorEnd);
        attach(node);
        savedKeys.push(pendingKey);
        pendingKey = undefined;
        stack.push(node);
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(e.anchorStart, e.anchorEnd);
        const target = anchors.get(name);
        if (!target)
          throw new TreeError(
            e.anchorStart - 1,
            `*${name} refers to an anchor &${name} that is not defined before it`,
          );
        const node: TAlias = { k: 'alias', start: e.anchorStart - 1, name, target };
        attach(node);
        break;
      }
      case EVENT_ID.POP:
        if (stack.length > 0) {
          stack.pop();
          pendingKey = savedKeys.pop();
          // The finished collection was a key: it stays pending as the key of its parent.
        }
        break;
    }
  }
  return root;
}

/** Line and column (1-based) of offsets in a text, by binary search over line starts. */
function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/** Parses `text` as Ansible's loader would; `json`: the text is valid JSON (Ansible tries JSON first). */
export function parseAnsibleYaml(
  file: string,
  text: string,
  json: boolean,
  fromVault: boolean,
): { source?: YamlSource; diagnostics: Diagnostic[] } {
  const at = lineIndex(text);
  let tree: TNode | null;
  try {
    tree = buildTree(text, parseEvents(text, { filename: file, maxDepth: 1000 }));
  } catch (err) {
    if (err instanceof TreeError) {
      const undefinedAlias = err.message.includes('not defined before');
      return {
        diagnostics: [
          {
            file,
            ...at(Math.max(0, err.offset)),
            key: '',
            message: undefinedAlias ? `YAML alias ${err.message}` : err.message,
            fix: undefinedAlias
              ? 'define the anchor (&name) before the alias (*name), or fix the alias name'
              : 'keep one document per file',
            severity: 'error',
          },
        ],
      };
    }
    if (!(err instanceof YAMLException)) throw err;
    const pos = err.mark ? { line: err.mark.line + 1, column: err.mark.column + 1 } : { line: 0, column: 0 };
    return {
      diagnostics: [
        {
          file,
          ...pos,
          key: '',
          message: `YAML syntax: ${err.reason}`,
          fix: 'fix the YAML syntax at this position (indentation, quoting, a missing colon)',
          severity: 'error',
        },
      ],
    };
  }
  const nonStringKeys = new Set<string>();
  const builder = new Constructor(file, at, json, nonStringKeys);
  const data = builder.construct(tree, []);
  if (builder.failed) return { diagnostics: builder.diagnostics };
  const locate = locator(tree, at);
  return {
    diagnostics: builder.diagnostics,
    source: {
      file,
      text,
      data,
      fromVault,
      nonStringKeys,
      locate,
      diagnostic(path, message, fix, severity = 'error') {
        return { file, ...locate(path), key: path.map(String).join('.'), message, fix, severity };
      },
    },
  };
}

function locator(tree: TNode | null, at: (offset: number) => { line: number; column: number }) {
  // Key lookups in large mappings (5,000 hosts) would be linear per lookup: index a map on first use.
  const index = new WeakMap<TMap, Map<string, [TNode, TNode]>>();
  const pairOf = (map: TMap, key: string) => {
    let byKey = index.get(map);
    if (!byKey) {
      byKey = new Map();
      for (const p of map.pairs) {
        const k = p[0].k === 'scalar' ? p[0].value : '';
        if (!byKey.has(k)) byKey.set(k, p);
      }
      index.set(map, byKey);
    }
    return byKey.get(key);
  };
  return (path: KeyPath, onKey = true) => {
    let node: TNode | null | undefined = tree;
    let offset = tree?.start ?? 0;
    for (const seg of path) {
      if (node?.k === 'alias') node = node.target;
      if (node?.k === 'map') {
        const pair = pairOf(node, String(seg));
        if (!pair) break;
        offset = onKey ? pair[0].start : pair[1].start;
        node = pair[1];
      } else if (node?.k === 'seq' && typeof seg === 'number') {
        const item: TNode | undefined = node.items[seg];
        if (!item) break;
        offset = item.start;
        node = item;
      } else break;
    }
    return at(offset);
  };
}

interface FlatPair {
  pair: [TNode, TNode];
  /** Written in this mapping (not merged in): only those are reported as repeated. */
  own: boolean;
}

/**
 * Builds values the way Ansible's AnsibleConstructor (PyYAML SafeConstructor) does: anchors are
 * constructed once and shared, merge keys are flattened (explicit keys win, the first of a merge list
 * wins), repeated keys keep the later value. Alias expansion is bounded.
 */
class Constructor {
  readonly diagnostics: Diagnostic[] = [];
  failed = false;
  readonly #memo = new Map<TNode, unknown>();
  readonly #sizes = new Map<TNode, number>();
  /** Nodes being constructed: an alias back into one is a recursive structure. */
  readonly #active = new Set<TNode>();
  #expanded = 0;

  constructor(
    readonly file: string,
    readonly at: (offset: number) => { line: number; column: number },
    readonly json: boolean,
    readonly nonStringKeys: Set<string>,
  ) {}

  #fail(node: TNode | undefined, message: string, fix: string): undefined {
    this.failed = true;
    this.diagnostics.push({
      file: this.file,
      ...this.at(node?.start ?? 0),
      key: '',
      message,
      fix,
      severity: 'error',
    });
    return undefined;
  }

  #resolve(node: TNode): TNode | undefined {
    if (node.k !== 'alias') return node;
    const target = node.target!;
    this.#expanded += this.#size(target);
    if (this.#expanded > MAX_ALIAS_EXPANSION) {
      return this.#fail(
        node,
        `YAML aliases expand to too much data (more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} values): refused as a resource exhaustion attack`,
        'use fewer nested aliases; write the values out',
      );
    }
    return target;
  }

  /** Values under a node once all its aliases are expanded (memoised: cheap even for a bomb). */
  #size(node: TNode): number {
    const known = this.#sizes.get(node);
    if (known !== undefined) return known;
    this.#sizes.set(node, 1); // a cycle counts once
    let size = 1;
    const add = (n: TNode) => {
      if (size > MAX_ALIAS_EXPANSION) return;
      size += this.#size(n.k === 'alias' ? n.target! : n);
    };
    if (node.k === 'map') {
      for (const [key, value] of node.pairs) {
        add(key);
        add(value);
      }
    } else if (node.k === 'seq') node.items.forEach(add);
    this.#sizes.set(node, size);
    return size;
  }

  construct(raw: TNode | null, path: KeyPath): unknown {
    if (this.failed) return undefined;
    if (raw === null) return null;
    const node = this.#resolve(raw);
    if (!node) return undefined;
    if (this.#memo.has(node)) return this.#memo.get(node);
    if (this.#active.has(node)) {
      return this.#fail(
        raw,
        'a YAML alias refers to a node that contains it (a recursive structure)',
        'remove the alias from inside its own anchor',
      );
    }
    this.#active.add(node);
    try {
      const value = this.#constructNode(node, path);
      if (node.anchor !== undefined) this.#memo.set(node, value);
      return value;
    } finally {
      this.#active.delete(node);
    }
  }

  #constructNode(node: TNode, path: KeyPath): unknown {
    const tag = node.tag;
    if (tag === '!unsafe') return wrapUnsafe(this.#untagged(node, undefined, path));
    if (tag === '!vault' || tag === '!vault-encrypted') {
      if (node.k !== 'scalar')
        return this.#fail(node, '!vault must tag a block of ciphertext', 'write key: !vault |');
      return new VaultedText(node.value);
    }
    return this.#untagged(node, tag, path);
  }

  #untagged(node: TNode, tag: string | undefined, path: KeyPath): unknown {
    if (node.k === 'map') {
      if (tag !== undefined && tag !== `${TAG}map`) return this.#badTag(node, tag);
      return this.#mapping(node, path);
    }
    if (node.k === 'seq') {
      if (tag !== undefined && tag !== `${TAG}seq`) return this.#badTag(node, tag);
      const list: unknown[] = [];
      node.items.forEach((item, i) => {
        const v = this.construct(item, [...path, i]);
        if (typeof v === 'number' && this.#isFloat(item)) markFloat(list, i);
        list.push(v);
      });
      return list;
    }
    if (node.k === 'scalar') return tag !== undefined ? this.#taggedScalar(node, tag) : this.#scalar(node);
    return this.#fail(node, 'unsupported YAML node', 'write plain mappings, lists and scalars');
  }

  #badTag(node: TNode, tag: string): undefined {
    const shown = tag.startsWith(TAG) ? `!!${tag.slice(TAG.length)}` : tag;
    return this.#fail(
      node,
      `YAML tag ${shown} is not supported here (Ansible's loader knows !unsafe, !vault and the standard !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)`,
      'remove the tag, or quote the value to make it a string',
    );
  }

  /** Is this value node a float (so that 1.0 prints as 1.0)? */
  #isFloat(raw: TNode): boolean {
    const node = raw.k === 'alias' ? raw.target! : raw;
    if (node.k !== 'scalar') return false;
    if (node.tag === `${TAG}float`) return true;
    if (node.tag !== undefined || !node.plain) return false;
    return this.json ? /[.eE]/.test(node.value) : resolvePlain(node.value).kind === 'float';
  }

  #scalar(node: TScalar): unknown {
    const text = node.value;
    if (!node.plain) return text;
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

  #taggedScalar(node: TScalar, tag: string): unknown {
    const text = node.value;
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

  #mapping(node: TMap, path: KeyPath): Record<string, unknown> | undefined {
    const pairs = this.#flatten(node);
    if (!pairs) return undefined;
    const out: Record<string, unknown> = {};
    const ownKeys = new Set<string>();
    for (const pair of pairs) {
      const key = this.#key(pair.pair[0], path);
      if (key === undefined) return undefined;
      // Overriding a merged-in key is what merge keys are for; a key written twice is a mistake.
      if (pair.own && ownKeys.has(key) && !this.json) {
        this.diagnostics.push({
          file: this.file,
          ...this.at(pair.pair[0].start),
          key: [...path, key].map(String).join('.'),
          message: `duplicate key "${key}": the later value is used (as Ansible does)`,
          fix: 'remove one of the two keys',
          severity: 'warning',
        });
      }
      if (pair.own) ownKeys.add(key);
      const value = this.construct(pair.pair[1], [...path, key]);
      if (this.failed) return undefined;
      setKey(out, key, value);
      if (typeof value === 'number' && this.#isFloat(pair.pair[1])) markFloat(out, key);
    }
    return out;
  }

  /** Mapping keys are strings in JavaScript; non-string keys are remembered for Ansible's checks. */
  #key(raw: TNode, path: KeyPath): string | undefined {
    const keyNode = raw.k === 'alias' ? raw.target! : raw;
    if (keyNode.k === 'map' || keyNode.k === 'seq')
      return this.#fail(keyNode, 'a mapping or list cannot be a key', 'use a string key');
    const value = this.construct(raw, path);
    if (this.failed) return undefined;
    if (typeof value === 'string') return value;
    const text = pythonKeyText(value);
    this.nonStringKeys.add([...path, text].map(String).join('.'));
    return text;
  }

  /** PyYAML's flatten_mapping: merged pairs first (the first of a list wins), then the map's own. */
  #flatten(node: TMap): FlatPair[] | undefined {
    const merged: FlatPair[] = [];
    const own: FlatPair[] = [];
    for (const pair of node.pairs) {
      const key = pair[0];
      if (!this.json && key.k === 'scalar' && key.plain && key.tag === undefined && key.value === '<<') {
        const value = this.#resolve(pair[1]);
        if (this.failed || !value) return undefined;
        if (value.k === 'map')
          merged.push(...(this.#flatten(value) ?? []).map((p) => ({ ...p, own: false })));
        else if (value.k === 'seq') {
          const lists: FlatPair[][] = [];
          for (const item of value.items) {
            const sub = this.#resolve(item);
            if (this.failed || !sub) return undefined;
            if (sub.k !== 'map')
              return this.#fail(
                sub,
                'a merge list (<<: [...]) may only hold mappings',
                'list aliases of mappings',
              );
            lists.push((this.#flatten(sub) ?? []).map((p) => ({ ...p, own: false })));
          }
          for (const list of lists.reverse()) merged.push(...list);
        } else return this.#fail(value, MERGE_SOURCE_PROBLEM.message, MERGE_SOURCE_PROBLEM.fix);
      } else own.push({ pair, own: true });
    }
    return [...merged, ...own];
  }
}

/** How Python's json shows a non-string key: True -> "true", None -> "null", 1 -> "1". */
function pythonKeyText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof UnsafeText) return value.text;
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
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
