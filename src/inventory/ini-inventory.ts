import type { Diagnostic } from '../input/diagnostics.js';
import type { KeyPath } from '../input/yaml-source.js';
import { literalEval, pyLiteralValue } from '../input/python-literal.js';
import { ShlexError, shlexSplit } from '../input/shlex.js';
import { expandHostPattern, HostRangeError } from './host-pattern.js';
import type { InventoryData } from './inventory-data.js';
import type { InputSource, VarValue } from './inventory-tree.js';

/**
 * An INI inventory file as a source of diagnostics: a key path is `[line, ...names]`, so a problem
 * with a value points at the line it was written on.
 */
export class IniSource implements InputSource {
  constructor(
    readonly file: string,
    readonly lines: readonly string[],
    readonly fromVault: boolean,
  ) {}

  diagnostic(
    path: KeyPath,
    message: string,
    fix: string,
    severity: Diagnostic['severity'] = 'error',
  ): Diagnostic {
    const line = typeof path[0] === 'number' ? path[0] : 0;
    const names = path.slice(1).map(String);
    const text = this.lines[line - 1] ?? '';
    const at = names[0] !== undefined ? text.indexOf(names[0]) : -1;
    const column = line > 0 ? (at >= 0 ? at + 1 : text.length - text.trimStart().length + 1) : 0;
    return { file: this.file, line, column, key: names.join('.'), message, fix, severity };
  }
}

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

/**
 * Ansible's INI inventory plugin: lines before any section belong to `ungrouped`; `[g]` lists hosts
 * (`host[:port] key=value ...`, split as a shell would, `#` starting a comment), `[g:vars]` sets
 * `key = value` (no comments: the rest of the line is the value), `[g:children]` names child groups,
 * which may be declared later. Values go through Python's literal_eval.
 * Returns the problems that make the file unusable.
 */
export function parseIniInventory(source: IniSource, data: InventoryData): Diagnostic[] {
  const fatal: Diagnostic[] = [];
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  source.lines.forEach((raw, index) => {
    if (fatal.length > 0) return;
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    const origin = (...names: string[]) => ({ source, path: [lineNo, ...names] });
    const error = (message: string, fix: string) => fatal.push(source.diagnostic([lineNo], message, fix));
    const section = SECTION.exec(line);
    if (section) {
      group = section[1]!;
      const tag = section[2] ?? 'hosts';
      if (tag !== 'hosts' && tag !== 'vars' && tag !== 'children') {
        error(
          `section [${group}:${tag}] has unknown type "${tag}"`,
          'use [group], [group:vars] or [group:children]',
        );
        return;
      }
      state = tag;
      if (!data.groups.has(group)) {
        // [g:vars] alone does not declare a group: it must be declared elsewhere in the file.
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, state, parents: [] });
        data.addGroup(group, origin(group));
      }
      const waiting = pending.get(group);
      if (waiting && state !== 'vars') {
        if (waiting.state === 'children') addPendingChildren(group, pending, data, origin(group));
        else pending.delete(group);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      error(
        `invalid section "${line}"`,
        'write [group], [group:vars] or [group:children], without spaces or other characters',
      );
      return;
    }
    if (state === 'hosts') {
      let tokens: string[];
      try {
        tokens = shlexSplit(line, { comments: true });
      } catch (err) {
        if (!(err instanceof ShlexError)) throw err;
        error(`cannot split the host line: ${err.message}`, 'close the quote, or escape the character');
        return;
      }
      if (tokens.length === 0) return;
      const pattern = tokens[0]!;
      let expanded: { names: string[]; port?: number };
      try {
        expanded = expandHostPattern(pattern);
      } catch (err) {
        if (!(err instanceof HostRangeError)) throw err;
        error(`host range "${pattern}": ${err.message}`, 'write a range as name[01:10] or name[a:f]');
        return;
      }
      if (pattern.trim().endsWith(':') && expanded.port === undefined) {
        error(
          `host pattern "${pattern}" ends in ":", which is reserved for a port`,
          'write host:port or remove the colon',
        );
        return;
      }
      if (expanded.names.some((n) => n.trim() === '---')) {
        error(
          '"---" is not a host: this looks like a YAML file',
          'give the file a .yml extension, or fix its YAML syntax',
        );
        return;
      }
      const vars: [string, VarValue][] = [];
      for (const token of tokens.slice(1)) {
        const eq = token.indexOf('=');
        if (eq < 0) {
          error(
            `expected key=value after the host name, got "${token}"`,
            'write host variables as name=value',
          );
          return;
        }
        const key = token.slice(0, eq);
        vars.push([key, iniValue(token.slice(eq + 1), origin(key))]);
      }
      for (const host of expanded.names) {
        const record = data.addHost(host, group, expanded.port, origin(pattern));
        for (const [k, v] of vars) record.vars.set(k, v);
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) {
        error(`expected key=value in [${group}:vars], got "${line}"`, 'write one name = value per line');
        return;
      }
      const key = line.slice(0, eq).trim();
      data.setGroupVariable(group, key, iniValue(line.slice(eq + 1).trim(), origin(key)));
    } else {
      const m = GROUP_NAME.exec(line);
      if (!m) {
        error(
          `expected a group name in [${group}:children], got "${line}"`,
          'write one child group name per line',
        );
        return;
      }
      const child = m[1]!;
      if (!data.groups.has(child)) {
        const p = pending.get(child);
        if (p) p.parents.push(group);
        else pending.set(child, { line: lineNo, state: 'children', parents: [group] });
      } else data.addChild(group, child, origin(child));
    }
  });
  if (fatal.length > 0) return fatal;
  for (const [name, decl] of pending) {
    fatal.push(
      source.diagnostic(
        [decl.line],
        decl.state === 'vars'
          ? `section [${name}:vars] is for group "${name}", which is not defined`
          : `[${decl.parents.at(-1)}:children] names group "${name}", which is not defined`,
        `add a [${name}] section (it may be empty)`,
      ),
    );
    break; // Ansible reports the first one only
  }
  return fatal;
}

function addPendingChildren(
  group: string,
  pending: Map<string, Pending>,
  data: InventoryData,
  origin: { source: IniSource; path: KeyPath },
): void {
  for (const parent of pending.get(group)!.parents) {
    data.addChild(parent, group, origin);
    if (pending.get(parent)?.state === 'children') addPendingChildren(parent, pending, data, origin);
  }
  pending.delete(group);
}

/** An INI value: a Python literal becomes its value, anything else stays the text. */
function iniValue(text: string, origin: { source: IniSource; path: KeyPath }): VarValue {
  const literal = literalEval(text);
  const v: VarValue = { value: literal ? pyLiteralValue(literal) : text, origin };
  if (literal?.t === 'float') v.float = true;
  if (origin.source.fromVault) v.secret = true;
  return v;
}
