import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import {
  applyEach,
  type EditResult,
  indentAt,
  lineEndAfter,
  NodeFileError,
  type SettingChange,
  type SettingSkipped,
  splice,
} from './edit-result.js';
import { settingKeyLabel, tomlDotted, tomlKeyPart } from './setting-label.js';
import type { SettingValue, TomlKeyRef } from './types.js';

export interface TomlSetting {
  key: TomlKeyRef;
  value: SettingValue;
}

type Path = Array<string | number>;
type Container = AST.TOMLTable | AST.TOMLTopLevelTable;

const same = (a: Path, b: Path): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const startsWith = (a: Path, prefix: Path): boolean =>
  prefix.length <= a.length && prefix.every((x, i) => x === a[i]);

function keyNames(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

/** A parsed file: every table with its resolved path, every key/value with its full path. */
interface TomlIndex {
  top: AST.TOMLTopLevelTable;
  tables: AST.TOMLTable[];
  values: Array<{ path: Path; kv: AST.TOMLKeyValue }>;
}

function parse(file: string, text: string): TomlIndex {
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(text);
  } catch (e) {
    const err = e as { message?: string; lineNumber?: number; column?: number };
    throw new NodeFileError(
      file,
      `line ${err.lineNumber ?? '?'}, column ${(err.column ?? 0) + 1}: not valid TOML (${err.message ?? String(e)}); fix the file by hand, nothing was changed`,
    );
  }
  const top = program.body[0];
  const tables: AST.TOMLTable[] = [];
  const values: TomlIndex['values'] = [];
  const collect = (base: Path, kvs: AST.TOMLKeyValue[]): void => {
    for (const kv of kvs) {
      const path = [...base, ...keyNames(kv.key)];
      values.push({ path, kv });
      if (kv.value.type === 'TOMLInlineTable') collect(path, kv.value.body);
    }
  };
  for (const item of top.body) {
    if (item.type === 'TOMLTable') {
      tables.push(item);
      collect(item.resolvedKey, item.body);
    } else collect([], [item]);
  }
  return { top, tables, values };
}

function valueAt(index: TomlIndex, path: Path): AST.TOMLKeyValue | undefined {
  return index.values.find((v) => same(v.path, path))?.kv;
}

/** The literal for a value; a literal string stays literal when it can. */
function literal(value: SettingValue, before?: AST.TOMLContentNode): string {
  if (typeof value !== 'string') return String(value);
  const literalStyle =
    before?.type === 'TOMLValue' &&
    before.kind === 'string' &&
    before.style === 'literal' &&
    !before.multiline;
  if (literalStyle && !/['\n\r]/.test(value)) return `'${value}'`;
  return JSON.stringify(value);
}

function sameValue(node: AST.TOMLContentNode, value: SettingValue): boolean {
  if (node.type !== 'TOMLValue') return false;
  switch (node.kind) {
    case 'string':
      return typeof value === 'string' && node.value === value;
    case 'integer':
    case 'float':
      return typeof value === 'number' && node.value === value;
    case 'boolean':
      return typeof value === 'boolean' && node.value === value;
    // A setting is a string, number or boolean: a date there is never the value wanted.
    case 'local-date-time':
    case 'local-date':
    case 'local-time':
    case 'offset-date-time':
      return false;
  }
}

/** Indices of the elements of an array of tables, in file order. */
function elementsOf(index: TomlIndex, table: Path): number[] {
  const out: number[] = [];
  for (const t of index.tables) {
    const last = t.resolvedKey[t.resolvedKey.length - 1];
    if (t.kind === 'array' && typeof last === 'number' && same(t.resolvedKey.slice(0, -1), table))
      out.push(last);
  }
  return out;
}

function selectElement(index: TomlIndex, key: TomlKeyRef): number | undefined {
  const select = key.element?.select ?? 'first';
  const all = elementsOf(index, key.table);
  if (select === 'first') return all[0];
  return all.find((i) => {
    const kv = valueAt(index, [...key.table, i, select.key]);
    return kv !== undefined && sameValue(kv.value, select.equals);
  });
}

/** End of a container's last line (its last key/value, else its header), for appending a key. */
function appendPoint(text: string, c: Container): { at: number; indent: string } {
  const last = c.body[c.body.length - 1];
  if (c.type === 'TOMLTopLevelTable') {
    // Top-level keys must stay above the first table header.
    const kvs = c.body.filter((x): x is AST.TOMLKeyValue => x.type === 'TOMLKeyValue');
    const lastKv = kvs[kvs.length - 1];
    return lastKv
      ? { at: lineEndAfter(text, lastKv.range[1]), indent: indentAt(text, lastKv.range[0]) }
      : { at: 0, indent: '' };
  }
  if (last) return { at: lineEndAfter(text, last.range[1]), indent: indentAt(text, last.range[0]) };
  return { at: lineEndAfter(text, c.key.range[1]), indent: '' };
}

/** Text inserted at `at`: on a line of its own even when the file lacks a final newline. */
function lineAt(text: string, at: number, line: string, eol: string): string {
  const needsBreak = at > 0 && at === text.length && !text.endsWith('\n');
  return `${needsBreak ? eol : ''}${line}${eol}`;
}

/** Where a new table goes: after the last table sharing the longest key prefix with it, else at the end. */
function newTablePoint(index: TomlIndex, text: string, path: Path, region?: Path): number {
  let best: AST.TOMLTable | undefined;
  let bestLength = 0;
  for (const t of index.tables) {
    if (region && !startsWith(t.resolvedKey, region)) continue;
    let n = 0;
    while (n < t.resolvedKey.length && n < path.length && t.resolvedKey[n] === path[n]) n++;
    if (n >= bestLength && (n > 0 || region)) {
      best = t;
      bestLength = n;
    }
  }
  return best ? lineEndAfter(text, best.range[1]) : text.length;
}

function headerBlock(text: string, at: number, header: string, lines: string[], eol: string): string {
  const lead = at > 0 && !text.slice(0, at).endsWith('\n') ? eol : '';
  const blank = at > 0 ? eol : '';
  return `${lead}${blank}${header}${eol}${lines.map((l) => l + eol).join('')}`;
}

/** Adds a new element to an array of tables, holding the selector's `create` keys. */
function createElement(file: string, text: string, index: TomlIndex, key: TomlKeyRef, eol: string): string {
  const create = key.element?.create;
  if (!create) throw new Error('createElement without a template');
  const lines = create.map(([k, v]) => `${tomlKeyPart(k)} = ${literal(v)}`);
  const select = key.element?.select;
  if (select && select !== 'first' && !create.some(([k]) => k === select.key)) {
    lines.unshift(`${tomlKeyPart(select.key)} = ${literal(select.equals)}`);
  }
  const at = newTablePoint(index, text, key.table);
  const out = splice(text, at, at, headerBlock(text, at, `[[${tomlDotted(key.table)}]]`, lines, eol));
  parse(file, out);
  return out;
}

/** Inserts `path = value` (absent so far) into the table that can hold it, or under a new header. */
function insertValue(
  file: string,
  text: string,
  index: TomlIndex,
  tablePath: Path,
  keys: string[],
  value: SettingValue,
  eol: string,
  elementRegion?: Path,
): string {
  const full = [...tablePath, ...keys];
  // The deepest table whose path the key extends: the key goes there, dotted when deeper.
  let owner: Container | undefined;
  let ownerLength = -1;
  for (const t of index.tables) {
    if (
      startsWith(full, t.resolvedKey) &&
      t.resolvedKey.length < full.length &&
      t.resolvedKey.length > ownerLength
    ) {
      owner = t;
      ownerLength = t.resolvedKey.length;
    }
  }
  const attempts: string[] = [];
  const minOwner = elementRegion ? elementRegion.length : 1;
  if (owner && ownerLength >= minOwner) {
    const { at, indent } = appendPoint(text, owner);
    const rest = full.slice(ownerLength).map(String);
    attempts.push(
      splice(text, at, at, lineAt(text, at, `${indent}${tomlDotted(rest)} = ${literal(value)}`, eol)),
    );
  }
  const at = newTablePoint(index, text, tablePath, elementRegion);
  const header = `[${tomlDotted(tablePath.map(String).filter((_, i) => typeof tablePath[i] === 'string'))}]`;
  attempts.push(
    splice(text, at, at, headerBlock(text, at, header, [`${tomlDotted(keys)} = ${literal(value)}`], eol)),
  );
  for (const candidate of attempts) {
    try {
      const after = getStaticTOMLValue(parseTOML(candidate)) as unknown;
      if (lookup(after, full) === value) return candidate;
    } catch {
      // A dotted key can clash with a table defined elsewhere: try the next placement.
    }
  }
  throw new NodeFileError(
    file,
    `cannot add ${tomlDotted(full.map(String))} without restructuring the file (its tables are defined in a way that leaves no valid place); set it by hand to ${literal(value)}`,
  );
}

function lookup(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** Applies one setting; returns the new text and what changed (nothing when the value is already there). */
function applyOne(
  file: string,
  text: string,
  s: TomlSetting,
  eol: string,
): { text: string; change?: SettingChange; skipped?: SettingSkipped } {
  const label = settingKeyLabel(s.key);
  let index = parse(file, text);
  let tablePath: Path = s.key.table;
  let region: Path | undefined;
  if (s.key.element) {
    let i = selectElement(index, s.key);
    if (i === undefined) {
      if (!s.key.element.create) return { text, skipped: { label, why: 'the file has no such element' } };
      text = createElement(file, text, index, s.key, eol);
      index = parse(file, text);
      i = selectElement(index, s.key);
      if (i === undefined) throw new Error(`created element for ${label} not found`);
    }
    region = [...s.key.table, i];
    tablePath = [...region, ...(s.key.subTable ?? [])];
  }
  const full = [...tablePath, ...s.key.key];
  const kv = valueAt(index, full);
  if (kv) {
    if (sameValue(kv.value, s.value)) return { text };
    if (kv.value.type !== 'TOMLValue') {
      throw new NodeFileError(
        file,
        `line ${kv.loc.start.line}: ${label} holds ${kv.value.type === 'TOMLArray' ? 'an array' : 'a table'}, not a single value; set it by hand to ${literal(s.value)}`,
      );
    }
    const before = text.slice(kv.value.range[0], kv.value.range[1]);
    const out = splice(text, kv.value.range[0], kv.value.range[1], literal(s.value, kv.value));
    parse(file, out);
    return { text: out, change: { label, before, after: s.value } };
  }
  const out = insertValue(file, text, index, tablePath, s.key.key, s.value, eol, region);
  return { text: out, change: { label, after: s.value } };
}

/**
 * Sets TOML values in place: only the value's own characters change (or one line is added, or one
 * table), so comments, ordering, spacing and every other key stay byte-identical. Keys are never
 * removed. Throws NodeFileError when the file does not parse or a value has another shape.
 */
export function editToml(file: string, text: string, settings: TomlSetting[]): EditResult {
  parse(file, text);
  return applyEach(text, settings, (current, s, eol) => applyOne(file, current, s, eol));
}

/** The file's values as plain data (NodeFileError when it does not parse). */
export function readToml(file: string, text: string): Record<string, unknown> {
  parse(file, text);
  return getStaticTOMLValue(parseTOML(text));
}
